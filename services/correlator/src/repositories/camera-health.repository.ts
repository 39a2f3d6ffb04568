import type { PoolClient } from "@hub/common";

/** A change of the hub's verdict on a camera, as stored: to publish on hub.camera-health.v1. */
export interface CameraHealthChange {
  cameraId: string;
  district: string;
  /** "silent", or the camera's last reported state once heard again. */
  state: string;
  changedAt: Date;
}

/** A detection moves last_heard_at only when this much newer: one row update per camera per quarter minute. */
const HEARD_STEP_S = 15;

/**
 * The cameras' heard/silent columns (migration 0022). Both statements are safe with several correlators at once:
 * each changes a row only under a condition on the row itself, which PostgreSQL re-checks on the newest version
 * after waiting for another transaction's lock, so exactly one instance reports a given change.
 */
export class CameraHealthRepository {
  /**
   * Records that these cameras were heard (`at`: the event's time; only events newer than `recentS` count, so a
   * late backlog does not hide a silence). Returns the cameras that were silent until now.
   */
  async heard(
    client: PoolClient,
    heard: { cameraId: string; at: Date }[],
    recentS: number,
  ): Promise<CameraHealthChange[]> {
    if (heard.length === 0) return [];
    const result = await client.query<{ id: string; district: string; state: string; health_changed_at: Date }>(
      `WITH v AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at)),
       old AS (
         SELECT c.id, c.silent_since, v.at FROM cameras c JOIN v ON v.id = c.id
          WHERE v.at > now() - make_interval(secs => $3)
            AND (c.silent_since IS NOT NULL OR c.last_heard_at IS NULL
                 OR c.last_heard_at < v.at - make_interval(secs => $4))
          ORDER BY c.id
            FOR UPDATE OF c
       )
       UPDATE cameras c
          SET last_heard_at = greatest(c.last_heard_at, old.at),
              silent_since = NULL,
              health_changed_at = CASE WHEN old.silent_since IS NULL THEN c.health_changed_at ELSE now() END
         FROM old
        WHERE c.id = old.id
       RETURNING c.id, c.district, c.state, c.health_changed_at, old.silent_since IS NOT NULL AS was_silent`,
      [heard.map((h) => h.cameraId), heard.map((h) => h.at), recentS, HEARD_STEP_S],
    );
    return result.rows
      .filter((row) => (row as unknown as { was_silent: boolean }).was_silent)
      .map((row) => ({ cameraId: row.id, district: row.district, state: row.state, changedAt: row.health_changed_at }));
  }

  /**
   * Marks silent at most `limit` cameras in service (not decommissioned, migration 0030) not heard for
   * `silentAfterS` (by the database clock), the longest unheard first; returns those it marked. Bounded so that a
   * whole site going quiet (or a database full of old cameras) is marked in short transactions, not in one that
   * holds the rows and the outbox for thousands; the caller sweeps again while a round comes back full. SKIP
   * LOCKED leaves a camera another instance is marking (or a writer is hearing) to that one.
   */
  async markSilent(client: PoolClient, silentAfterS: number, limit: number): Promise<CameraHealthChange[]> {
    const result = await client.query<{ id: string; district: string; silent_since: Date }>(
      `UPDATE cameras SET silent_since = now(), health_changed_at = now()
        WHERE id IN (
          SELECT id FROM cameras
           WHERE silent_since IS NULL AND decommissioned_at IS NULL
             AND coalesce(last_heard_at, created_at) < now() - make_interval(secs => $1)
           ORDER BY coalesce(last_heard_at, created_at), id
           LIMIT $2 FOR UPDATE SKIP LOCKED)
          AND silent_since IS NULL
       RETURNING id, district, silent_since`,
      [silentAfterS, limit],
    );
    return result.rows.map((row) => ({
      cameraId: row.id,
      district: row.district,
      state: "silent",
      changedAt: row.silent_since,
    }));
  }
}
