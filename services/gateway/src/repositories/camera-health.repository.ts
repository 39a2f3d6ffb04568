import type { Pool } from "@hub/common";
import type { CameraHealthRow, CameraState } from "@hub/contracts";
import { cameraState } from "../services/camera-state.js";

export interface CameraListFilter {
  district?: string;
  phase?: number;
  state?: CameraState;
  site?: string;
  /** Decommissioned cameras: left out ("false"), included ("true"), or alone ("only"). */
  decommissioned?: "false" | "true" | "only";
  /** Rows to return at most (the service asks for one more than a page, to know whether another follows). */
  limit: number;
  after?: string;
}

/** The state the map shows, in SQL (as ViewsRepository): maintenance, silent, the report, or unknown. */
const SHOWN_STATE = `CASE WHEN camera_in_maintenance(c.id, c.district, now()) THEN 'maintenance'
  WHEN c.silent_since IS NOT NULL THEN 'silent'
  WHEN c.state IN ('online', 'degraded', 'offline') THEN c.state ELSE 'unknown' END`;

/**
 * Availability over a window of completed 5-minute intervals ending at the current one (excluded, still filling),
 * starting at registration if later: available intervals (last report online or degraded) over all of them.
 */
const availability = (window: string) => `(
  SELECT CASE WHEN w.intervals > 0 THEN round(coalesce(a.available, 0)::numeric / w.intervals, 4)::float8 END
    FROM (SELECT greatest(time_bucket(INTERVAL '5 minutes', now()) - INTERVAL '${window}',
                          time_bucket(INTERVAL '5 minutes', c.created_at) + INTERVAL '5 minutes') AS start,
                 time_bucket(INTERVAL '5 minutes', now()) AS finish) b
   CROSS JOIN LATERAL (SELECT (extract(epoch FROM b.finish - b.start) / 300)::int AS intervals) w
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE s.last_state IN ('online', 'degraded')) AS available
        FROM camera_status_5m s
       WHERE s.camera_id = c.id AND s.bucket >= b.start AND s.bucket < b.finish) a ON true)`;

/** Read side of the camera list: the registry, the status aggregate and the current incidents. */
export class CameraHealthRepository {
  constructor(private readonly pool: Pool) {}

  async list(filter: CameraListFilter): Promise<{ rows: CameraHealthRow[]; total: number }> {
    const where = `($1::text IS NULL OR c.district = $1) AND ($2::int IS NULL OR c.phase = $2)
      AND ($3::text IS NULL OR ${SHOWN_STATE} = $3) AND ($4::text IS NULL OR c.site_id = $4)
      AND CASE $5::text WHEN 'true' THEN true WHEN 'only' THEN c.decommissioned_at IS NOT NULL
                        ELSE c.decommissioned_at IS NULL END`;
    const params = [
      filter.district ?? null,
      filter.phase ?? null,
      filter.state ?? null,
      filter.site ?? null,
      filter.decommissioned ?? "false",
    ];
    const [page, count] = await Promise.all([
      this.pool.query(
        `SELECT c.id, c.name, c.district, c.phase, c.site_id, ${SHOWN_STATE} AS shown_state, c.last_heard_at,
                c.decommissioned_at, ${availability("24 hours")} AS availability_24h,
                ${availability("7 days")} AS availability_7d
           FROM cameras c
          WHERE ${where} AND ($6::text IS NULL OR c.id > $6)
          ORDER BY c.id
          LIMIT $7`,
        [...params, filter.after ?? null, filter.limit],
      ),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM cameras c WHERE ${where}`, params),
    ]);
    const incidents = await this.currentIncidents(page.rows.map((row) => row.id as string));
    return {
      total: count.rows[0]?.total ?? 0,
      rows: page.rows.map((row) => ({
        id: row.id,
        name: row.name,
        district: row.district,
        phase: row.phase,
        siteId: row.site_id,
        state: cameraState(row.shown_state),
        lastHeardAt: row.last_heard_at?.toISOString() ?? null,
        availability24h: row.availability_24h,
        availability7d: row.availability_7d,
        currentIncidents: incidents.get(row.id) ?? 0,
        decommissionedAt: row.decommissioned_at?.toISOString() ?? null,
      })),
    };
  }

  /**
   * Open or acknowledged incidents per camera: those with evidence from it, and the absence rule's, which carry no
   * evidence and name the camera in their correlation key ("<camera>@<last heard>").
   */
  private async currentIncidents(cameraIds: string[]): Promise<Map<string, number>> {
    if (cameraIds.length === 0) return new Map();
    const result = await this.pool.query<{ camera_id: string; n: number }>(
      `SELECT camera_id, count(DISTINCT id)::int AS n FROM (
         SELECT i.id, e.source_id AS camera_id FROM incidents i JOIN incident_evidence e ON e.incident_id = i.id
          WHERE i.status <> 'resolved' AND e.source_id = ANY($1)
         UNION ALL
         SELECT i.id, split_part(i.correlation_key, '@', 1) FROM incidents i
          WHERE i.status <> 'resolved' AND i.kind = 'camera_fault' AND split_part(i.correlation_key, '@', 1) = ANY($1)
       ) current GROUP BY camera_id`,
      [cameraIds],
    );
    return new Map(result.rows.map((row) => [row.camera_id, row.n]));
  }
}
