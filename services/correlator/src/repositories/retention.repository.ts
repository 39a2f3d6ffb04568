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

const policyFunctions = {
  retention: {
    proc: "policy_retention",
    key: "drop_after",
    remove: "remove_retention_policy",
    add: "add_retention_policy",
  },
  compression: {
    proc: "policy_compression",
    key: "compress_after",
    remove: "remove_compression_policy",
    add: "add_compression_policy",
  },
} as const;

/** Jobs runJobsNow runs, in this order: drop before compressing what would be dropped anyway. */
const jobOrder = ["policy_retention", "policy_compression", "policy_refresh_continuous_aggregate"];

/**
 * TimescaleDB retention and compression policies of the event hypertables (created by migration 0004), made to
 * match the configuration at start-up.
 */
export class RetentionRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Replaces each policy whose interval differs from the configured one; an unchanged policy keeps its job. Safe to
   * run from every instance at once (one transaction, serialised by an advisory lock). Returns what changed.
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
        const fn = policyFunctions[policy.kind];
        // Interval comparison, so "1 day" from the migration equals "24 hours" from the configuration.
        const current = await client.query(
          `SELECT 1 FROM timescaledb_information.jobs
           WHERE proc_name = $1 AND hypertable_name = $2 AND (config->>'${fn.key}')::interval = $3::interval`,
          [fn.proc, policy.table, policy.after],
        );
        if (current.rowCount) continue;
        await client.query(`SELECT ${fn.remove}($1, if_exists => true)`, [policy.table]);
        await client.query(`SELECT ${fn.add}($1, ${fn.key} => $2::interval, if_not_exists => true)`, [
          policy.table,
          policy.after,
        ]);
        changed.push(`${policy.table} ${policy.kind} after ${policy.after}`);
      }
      return changed;
    });
  }

  /**
   * Runs the retention, compression and aggregate refresh jobs once, now. For tests and development, where the
   * embedded database has no background workers. Refreshes run in creation order, so an aggregate built on another
   * sees that one refreshed first.
   */
  async runJobsNow(): Promise<number[]> {
    const jobs = await this.pool.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = ANY($1::text[])
       ORDER BY array_position($1::text[], proc_name::text), job_id`,
      [jobOrder],
    );
    const ids = jobs.rows.map((row) => row.job_id);
    // One CALL per job, outside any transaction: the jobs commit as they go.
    for (const id of ids) await this.pool.query("CALL run_job($1)", [id]);
    return ids;
  }
}
