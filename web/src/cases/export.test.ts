import type { ExportJob } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { newExportJob } from "../testing/factories";
import { FakeScheduler } from "../testing/fake-scheduler";
import { watchExport } from "./export";

/** Lets the promise callbacks of answered requests run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function harness(answers: (ExportJob | Error)[]) {
  const scheduler = new FakeScheduler();
  const updates: ExportJob[] = [];
  const errors: unknown[] = [];
  const requests: string[] = [];
  const fetchJob = (id: string) => {
    requests.push(id);
    const answer = answers.shift();
    if (!answer) return Promise.reject(new Error("no more answers"));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  const options = {
    fetchJob,
    onUpdate: (job: ExportJob) => updates.push(job),
    onError: (error: unknown) => errors.push(error),
    scheduler,
  };
  /** Advance the clock by one poll interval and let the answer arrive. */
  const tick = async () => {
    scheduler.advance(500);
    await settle();
  };
  return { scheduler, updates, errors, requests, options, tick };
}

describe("watchExport", () => {
  it("reports the job at once, polls every 500 ms, and stops when it is ready", async () => {
    const job = newExportJob({ progress: 0 });
    const h = harness([
      { ...job, progress: 0.4 },
      { ...job, progress: 0.9 },
      { ...job, state: "ready", progress: 1, bytes: 2048, sha256: "ab".repeat(32) },
    ]);
    watchExport(job, h.options);
    expect(h.updates.map((u) => u.progress)).toEqual([0]);
    h.scheduler.advance(499);
    await settle();
    expect(h.requests).toEqual([]);
    await h.tick();
    await h.tick();
    await h.tick();
    expect(h.updates.map((u) => [u.state, u.progress])).toEqual([
      ["running", 0],
      ["running", 0.4],
      ["running", 0.9],
      ["ready", 1],
    ]);
    expect(h.requests).toEqual([job.id, job.id, job.id]);
    expect(h.scheduler.pendingTasks).toBe(0);
  });

  it("stops on a failed job and does not poll one that is already finished", async () => {
    const job = newExportJob();
    const h = harness([{ ...job, state: "failed", error: "disk full" }]);
    watchExport(job, h.options);
    await h.tick();
    expect(h.updates.at(-1)).toMatchObject({ state: "failed", error: "disk full" });
    expect(h.scheduler.pendingTasks).toBe(0);

    const ready = harness([]);
    watchExport(newExportJob({ state: "ready", progress: 1 }), ready.options);
    expect(ready.scheduler.pendingTasks).toBe(0);
    expect(ready.updates).toHaveLength(1);
  });

  it("rides out a failed request or two, and gives up after three in a row", async () => {
    const job = newExportJob();
    const h = harness([
      new Error("502"),
      new Error("502"),
      { ...job, progress: 0.5 },
      new Error("a"),
      new Error("b"),
      new Error("c"),
    ]);
    watchExport(job, h.options);
    for (let i = 0; i < 3; i += 1) await h.tick();
    expect(h.updates.at(-1)?.progress).toBe(0.5);
    expect(h.errors).toEqual([]);
    for (let i = 0; i < 3; i += 1) await h.tick();
    expect(h.errors).toHaveLength(1);
    expect((h.errors[0] as Error).message).toBe("c");
    expect(h.scheduler.pendingTasks).toBe(0);
  });

  it("cancel stops polling, and an answer arriving after it is ignored", async () => {
    const job = newExportJob();
    const h = harness([
      { ...job, progress: 0.3 },
      { ...job, progress: 0.6 },
    ]);
    const watch = watchExport(job, h.options);
    h.scheduler.advance(500); // request sent, answer not yet in
    watch.cancel();
    await settle();
    expect(h.updates).toHaveLength(1);
    expect(h.scheduler.pendingTasks).toBe(0);
  });
});
