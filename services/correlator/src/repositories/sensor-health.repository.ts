import type { PoolClient } from "@hub/common";

/** A reading moves last_heard_at only when this much newer: one row update per sensor per quarter minute. */
const HEARD_STEP_S = 15;

/**
 * The sensors' heard/silent columns (migration 0033), as CameraHealthRepository does for cameras. Each statement
 * changes a row only under a condition on the row itself, which PostgreSQL re-checks on the newest version after
 * waiting for another transaction's lock, so with several correlators exactly one makes a given change.
 */
export class SensorHealthRepository {
  /**
   * Records that these sensors were heard (`at`: the reading's time; only readings newer than `recentS` count, so a
   * late backlog does not hide a silence). Returns the ids of the sensors that were silent until now.
   */
  async heard(client: PoolClient, heard: { sensorId: string; at: Date }[], recentS: number): Promise<string[]> {
    if (heard.length === 0) return [];
    const result = await client.query<{ id: string; was_silent: boolean }>(
      `WITH v AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at)),
       old AS (
         SELECT s.id, s.silent_since, v.at FROM sensors s JOIN v ON v.id = s.id
          WHERE v.at > now() - make_interval(secs => $3)
            AND (s.silent_since IS NOT NULL OR s.last_heard_at IS NULL
                 OR s.last_heard_at < v.at - make_interval(secs => $4))
          ORDER BY s.id
            FOR UPDATE OF s
       )
       UPDATE sensors s
          SET last_heard_at = greatest(s.last_heard_at, old.at),
              silent_since = NULL,
              health_changed_at = CASE WHEN old.silent_since IS NULL THEN s.health_changed_at ELSE now() END
         FROM old
        WHERE s.id = old.id
       RETURNING s.id, old.silent_since IS NOT NULL AS was_silent`,
      [heard.map((h) => h.sensorId), heard.map((h) => h.at), recentS, HEARD_STEP_S],
    );
    return result.rows.filter((row) => row.was_silent).map((row) => row.id);
  }

  /**
   * Marks silent at most `limit` sensors not heard for `silentAfterS` (database clock), the longest unheard first;
   * returns their ids. Bounded, and SKIP LOCKED, for the same reasons as CameraHealthRepository.markSilent.
   */
  async markSilent(client: PoolClient, silentAfterS: number, limit: number): Promise<string[]> {
    const result = await client.query<{ id: string }>(
      `UPDATE sensors SET silent_since = now(), health_changed_at = now()
        WHERE id IN (
          SELECT id FROM sensors
           WHERE silent_since IS NULL
             AND coalesce(last_heard_at, created_at) < now() - make_interval(secs => $1)
           ORDER BY coalesce(last_heard_at, created_at), id
           LIMIT $2 FOR UPDATE SKIP LOCKED)
          AND silent_since IS NULL
       RETURNING id`,
      [silentAfterS, limit],
    );
    return result.rows.map((row) => row.id);
  }
}
