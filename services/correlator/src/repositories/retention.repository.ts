import { type Pool, withTransaction } from "@hub/common";

export interface RetentionSettings {
  detectionsDays: number;
  sensorReadingsDays: number;
  cameraStatusDays: number;
  compressDetectionsAfterHours: number;
}

interface Policy {
  table: string;
  kind: "retention" | "compression";
  /** As an interval literal, e.g. "30 days". */
  after: string;
}

/** Jobs runJobsNow runs, in this order: drop before compressing what would be dropped anyway. */
export const jobOrder = ["policy_retention", "policy_compression", "policy_refresh_continuous_aggregate"] as const;
export type PolicyJobProc = (typeof jobOrder)[number];

/** What TimescaleDB's per-database scheduler calls itself in pg_stat_activity (application_name, backend_type). */
const SCHEDULER_NAME = "TimescaleDB Background Worker Scheduler";

/** How long a job run by hand waits for a concurrent refresh of the same aggregate (the scheduler's) to finish. */
const CONCURRENT_REFRESH_WAIT_MS = 120_000;
const CONCURRENT_REFRESH_RETRY_MS = 1_000;

/**
 * TimescaleDB >= 2.27 refuses a refresh whose window overlaps one in progress ("could not refresh continuous
 * aggregate … due to a concurrent refresh", 55P03) instead of waiting for it; older versions wait on a lock.
 */
export function isConcurrentRefresh(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === "55P03" || (typeof message === "string" && message.includes("due to a concurrent refresh"));
}

/** Runs `attempt`, again after a pause while it fails with a concurrent refresh, for up to `waitMs`. */
export async function retryConcurrentRefresh<T>(
  attempt: () => Promise<T>,
  waitMs = CONCURRENT_REFRESH_WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConcurrentRefresh(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, CONCURRENT_REFRESH_RETRY_MS));
    }
  }
}

/**
 * TimescaleDB retention and compression policies of the event hypertables (created by migration 0004), made to
 * match the configuration at start-up; and the policies' jobs, for databases without a scheduler. The database
 * refuses a retention that would let a refresh policy reach dropped raw rows (migration 0015, docs/retention.md).
 */
export class RetentionRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Replaces each policy whose interval differs from the configured one; an unchanged policy keeps its job. Safe to
   * run from every instance at once (one transaction, serialised by an advisory lock): without the lock two instances
   * could both find a policy out of date and both remove and add it, one failing on the job it no longer finds;
   * with it the second waits for the first's COMMIT, then (each call a new snapshot) finds the policy as wanted and
   * changes nothing. Instances configured differently would take turns replacing it: configure them alike. Returns
   * what changed.
   */
  async apply(settings: RetentionSettings): Promise<string[]> {
    const policies: Policy[] = [
      { table: "detections", kind: "retention", after: `${settings.detectionsDays} days` },
      { table: "sensor_readings", kind: "retention", after: `${settings.sensorReadingsDays} days` },
      { table: "camera_status", kind: "retention", after: `${settings.cameraStatusDays} days` },
      { table: "detections", kind: "compression", after: `${settings.compressDetectionsAfterHours} hours` },
    ];
    return withTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('hub.retention-policies'))");
      const changed: string[] = [];
      for (const policy of policies) {
        // The hypertables' owner's function (migration 0012): this role may not change policies otherwise. It
        // compares intervals, so "1 day" from the migration equals "24 hours" from the configuration.
        const result = await client.query<{ changed: boolean }>(
          "SELECT set_event_policy($1, $2, $3::interval) AS changed",
          [policy.kind, policy.table, policy.after],
        );
        if (result.rows[0]?.changed) changed.push(`${policy.table} ${policy.kind} after ${policy.after}`);
      }
      return changed;
    });
  }

  /**
   * Deletes case-assist records older than `days` and the case lookups (criteria and plate lists) stored with them,
   * except those of a case under legal hold (a trigger refuses those too, whoever asks). At most `limit` per call,
   * oldest first; two instances purging at once delete each row once (the second finds it gone). Returns how many
   * records were deleted.
   */
  async purgeCaseAssist(days: number, limit = 1000): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const expired = await client.query<{ id: string }>(
        `SELECT r.id FROM case_assist_records r
         WHERE r.created_at < now() - make_interval(days => $1)
           AND NOT EXISTS (
             SELECT 1 FROM legal_holds h
             WHERE h.released_at IS NULL AND (
               h.case_reference = r.case_reference
               OR h.case_reference IN (SELECT l.case_reference FROM case_lookups l WHERE l.id = r.id)
             )
           )
         ORDER BY r.created_at LIMIT $2`,
        [days, limit],
      );
      const ids = expired.rows.map((row) => row.id);
      if (ids.length === 0) return 0;
      await client.query("DELETE FROM case_lookups WHERE id = ANY($1::uuid[])", [ids]);
      const deleted = await client.query("DELETE FROM case_assist_records WHERE id = ANY($1::uuid[])", [ids]);
      return deleted.rowCount ?? 0;
    });
  }

  /**
   * Whether the database's own TimescaleDB scheduler is running, i.e. runs the policies in the background. Any role
   * may ask: pg_stat_activity shows every session's database and application_name to everyone. The embedded
   * database (PGlite) has no background workers and lists no sessions at all; a server whose scheduler is stopped
   * (timescaledb.max_background_workers = 0, or between restarts) has none either.
   */
  async schedulerRunning(): Promise<boolean> {
    const result = await this.pool.query<{ running: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_stat_activity
         WHERE datname = current_database() AND (application_name = $1 OR backend_type = $1)
       ) AS running`,
      [SCHEDULER_NAME],
    );
    return result.rows[0]?.running ?? false;
  }

  /**
   * Runs the policies' jobs once, now, in `jobOrder` (or only those of `procs`): where no scheduler does (the
   * embedded database), and in tests. Through a pool of the jobs' owner (the migrator): the correlator's own role may
   * not run them. Refreshes run in creation order, so an aggregate built on another sees that one refreshed first.
   * A refresh that collides with one in progress (the server's scheduler running the same policy) is retried until
   * that one is done. With `exclusive`, runs nothing and returns [] while another session holds the run (another
   * correlator instance). Returns the job ids run.
   */
  async runJobsNow(options: { procs?: readonly PolicyJobProc[]; exclusive?: boolean } = {}): Promise<number[]> {
    const procs = jobOrder.filter((proc) => (options.procs ?? jobOrder).includes(proc));
    const client = await this.pool.connect();
    try {
      if (options.exclusive) {
        const lock = await client.query<{ locked: boolean }>(
          "SELECT pg_try_advisory_lock(hashtext('hub.policy-jobs')) AS locked",
        );
        if (!lock.rows[0]?.locked) return [];
      }
      try {
        const jobs = await client.query<{ job_id: number }>(
          `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = ANY($1::text[])
           ORDER BY array_position($1::text[], proc_name::text), job_id`,
          [procs],
        );
        const ids = jobs.rows.map((row) => row.job_id);
        // One CALL per job, outside any transaction: the jobs commit as they go.
        for (const id of ids) await retryConcurrentRefresh(() => client.query("CALL run_job($1)", [id]));
        return ids;
      } finally {
        if (options.exclusive) await client.query("SELECT pg_advisory_unlock(hashtext('hub.policy-jobs'))");
      }
    } finally {
      client.release();
    }
  }
}
