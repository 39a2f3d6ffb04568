import type { Logger } from "@hub/common";
import { describe, expect, it } from "vitest";
import { PolicyJobsService, type RunDbJobs } from "./policy-jobs.service.js";

/** A database whose scheduler comes and goes as the test says; counts the rounds of jobs run by hand. */
function fakeDatabase(scheduler: boolean) {
  const state = { scheduler, runs: 0, probes: 0 };
  return {
    state,
    probe: {
      schedulerRunning: async () => {
        state.probes += 1;
        return state.scheduler;
      },
    },
    jobs: {
      runJobsNow: async ({ exclusive }: { exclusive: boolean }) => {
        expect(exclusive).toBe(true); // never two correlator instances at once
        state.runs += 1;
        return [1000];
      },
    },
  };
}

function service(mode: RunDbJobs, database: ReturnType<typeof fakeDatabase>) {
  const lines: { msg: string; runDbJobs: string; scheduler?: boolean }[] = [];
  // Only info() is used; a recording stand-in for pino.
  const logger = {
    info: (fields: { runDbJobs: string; scheduler?: boolean }, msg: string) => lines.push({ ...fields, msg }),
  } as unknown as Logger;
  return { jobs: new PolicyJobsService({ mode, probe: database.probe, jobs: database.jobs, logger }), lines };
}

describe("who runs TimescaleDB's policy jobs (CORRELATOR_RUN_DB_JOBS)", () => {
  it("auto: not where the database has its own scheduler, and says so", async () => {
    const database = fakeDatabase(true);
    const { jobs, lines } = service("auto", database);
    expect(await jobs.tick()).toEqual([]);
    expect(await jobs.tick()).toEqual([]);
    expect(database.state.runs).toBe(0);
    expect(lines).toEqual([
      expect.objectContaining({
        runDbJobs: "auto",
        scheduler: true,
        msg: "TimescaleDB policy jobs: run by the database's own scheduler",
      }),
    ]);
  });

  it("auto: runs them where there is none (the embedded database), and notices a scheduler that starts later", async () => {
    const database = fakeDatabase(false);
    const { jobs, lines } = service("auto", database);
    expect(await jobs.tick()).toEqual([1000]);
    database.state.scheduler = true;
    expect(await jobs.tick()).toEqual([]);
    expect(database.state.runs).toBe(1);
    expect(lines.map((line) => [line.scheduler, line.msg])).toEqual([
      [false, "TimescaleDB policy jobs: run by this correlator every minute (no scheduler)"],
      [true, "TimescaleDB policy jobs: run by the database's own scheduler"],
    ]);
  });

  it("always and never do as they say without asking the database", async () => {
    const always = fakeDatabase(true);
    expect(await service("always", always).jobs.tick()).toEqual([1000]);
    const never = fakeDatabase(false);
    const { jobs, lines } = service("never", never);
    expect(await jobs.decide()).toBe(false);
    expect(await jobs.tick()).toEqual([]);
    expect([always.state.probes, never.state.probes, never.state.runs]).toEqual([0, 0, 0]);
    expect(lines).toEqual([
      expect.objectContaining({ runDbJobs: "never", msg: "TimescaleDB policy jobs: not run by this correlator" }),
    ]);
  });
});
