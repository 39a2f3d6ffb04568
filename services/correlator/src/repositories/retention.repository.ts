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
   * Runs the retention, compression and aggregate refresh jobs once, now. For tests and development, where the
   * embedded database has no background workers; through a pool of the jobs' owner (the migrator). Refreshes run in creation order, so an aggregate built on another
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
