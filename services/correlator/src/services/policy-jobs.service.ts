import type { Logger } from "@hub/common";

export const runDbJobsModes = ["auto", "always", "never"] as const;
/** CORRELATOR_RUN_DB_JOBS: who runs TimescaleDB's policy jobs. */
export type RunDbJobs = (typeof runDbJobsModes)[number];

export interface SchedulerProbe {
  /** Whether the database's own TimescaleDB scheduler is running. */
  schedulerRunning(): Promise<boolean>;
}

export interface PolicyJobRunner {
  /** Runs every policy job once; with `exclusive`, nothing while another session is doing so. */
  runJobsNow(options: { exclusive: boolean }): Promise<number[]>;
}

/**
 * Runs TimescaleDB's retention, compression and refresh policies where the database does not: the embedded database
 * (PGlite) has no background workers. Where a scheduler exists, running them by hand as well only collides with it
 * (a refresh overlapping the scheduler's own fails with "due to a concurrent refresh"), so `auto` looks for one
 * before every round and runs nothing while it is there; a scheduler that starts or stops later is noticed. Logs the
 * choice at start-up and whenever it changes.
 */
export class PolicyJobsService {
  private here: boolean | undefined;

  constructor(
    private readonly deps: { mode: RunDbJobs; probe: SchedulerProbe; jobs: PolicyJobRunner; logger: Logger },
  ) {}

  /** Whether this correlator runs the jobs now; logs the choice when it is new. */
  async decide(): Promise<boolean> {
    const { mode, logger } = this.deps;
    const scheduler = mode === "auto" ? await this.deps.probe.schedulerRunning() : undefined;
    const here = mode === "always" || (mode === "auto" && !scheduler);
    if (here !== this.here) {
      this.here = here;
      const fields = { runDbJobs: mode, ...(scheduler === undefined ? {} : { scheduler }) };
      if (mode === "never") logger.info(fields, "TimescaleDB policy jobs: not run by this correlator");
      else if (!here) logger.info(fields, "TimescaleDB policy jobs: run by the database's own scheduler");
      else if (mode === "always") logger.info(fields, "TimescaleDB policy jobs: run by this correlator every minute");
      else logger.info(fields, "TimescaleDB policy jobs: run by this correlator every minute (no scheduler)");
    }
    return here;
  }

  /** One round: decides, then runs the jobs if they fall to this correlator. Returns the job ids run. */
  async tick(): Promise<number[]> {
    if (!(await this.decide())) return [];
    return this.deps.jobs.runJobsNow({ exclusive: true });
  }
}
