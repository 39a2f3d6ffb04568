import type { Pool } from "@hub/common";
import { CLOSED_INCIDENT_STATUSES, type IncidentView } from "@hub/contracts";
import { incidentView } from "./views.repository.js";

/** What a history search asks the database, checked and normalized by the history service. */
export interface HistoryFilter {
  statuses: string[];
  from?: Date;
  to?: Date;
  box?: { minLon: number; minLat: number; maxLon: number; maxLat: number };
  /** Closed ring of [lon, lat]. */
  polygon?: [number, number][];
  kinds?: string[];
  severities?: string[];
  /** Matched anywhere in the title, any language, case-insensitive. */
  text?: string;
  /** After this position in the order (first event time, id), both descending. */
  after?: { firstEventAt: string; id: string };
  limit: number;
}

export interface HistoryRow {
  incident: IncidentView;
  /** The incident's first event time to the microsecond, as the cursor needs it ("…T…Z"). */
  firstEventAtExact: string;
}

/** Only closed incidents are history; the literal list lets the planner use incidents_history_idx (0029). */
const CLOSED = CLOSED_INCIDENT_STATUSES.map((status) => `'${status}'`).join(", ");

/** Closed incidents for the History view (read-only). */
export class HistoryRepository {
  constructor(private readonly pool: Pool) {}

  async search(filter: HistoryFilter): Promise<HistoryRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [`i.status IN (${CLOSED})`, `i.status = ANY(${param(filter.statuses)}::text[])`];
    if (filter.from) where.push(`i.last_event_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`i.first_event_at <= ${param(filter.to)}`);
    if (filter.box) {
      const { minLon, minLat, maxLon, maxLat } = filter.box;
      where.push(
        `i.lat BETWEEN ${param(minLat)} AND ${param(maxLat)}`,
        `i.lon BETWEEN ${param(minLon)} AND ${param(maxLon)}`,
      );
    }
    if (filter.polygon) {
      const ring = filter.polygon.map(([lon, lat]) => `(${lon},${lat})`).join(",");
      where.push(`point(i.lon, i.lat) <@ ${param(`(${ring})`)}::polygon`);
    }
    if (filter.kinds) where.push(`i.kind = ANY(${param(filter.kinds)}::text[])`);
    if (filter.severities) where.push(`i.severity = ANY(${param(filter.severities)}::text[])`);
    if (filter.text) {
      const pattern = param(`%${filter.text.replace(/[\\%_]/g, "\\$&")}%`);
      where.push(
        `(i.title ILIKE ${pattern} OR i.titles ->> 'zh-Hant' ILIKE ${pattern} OR i.titles ->> 'pt' ILIKE ${pattern}
          OR i.cad_reference ILIKE ${pattern})`,
      );
    }
    if (filter.after)
      where.push(
        `(i.first_event_at, i.id) < (${param(filter.after.firstEventAt)}::timestamptz, ${param(filter.after.id)}::uuid)`,
      );
    const result = await this.pool.query(
      `SELECT i.*, (SELECT count(*) FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence_count,
              to_char(i.first_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS first_event_exact
         FROM incidents i WHERE ${where.join(" AND ")}
        ORDER BY i.first_event_at DESC, i.id DESC LIMIT ${param(filter.limit)}`,
      params,
    );
    return result.rows.map((row) => ({ incident: incidentView(row), firstEventAtExact: row.first_event_exact }));
  }
}
