import type { Pool } from "@hub/common";
import type { Area, StatusChange, TimeWindow } from "../services/coverage.js";

/** A latitude/longitude box, bounds included. */
export interface LatLonBox {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

export interface CandidateCamera {
  id: string;
  siteId: string;
  name: string;
  district: string;
  lat: number;
  lon: number;
  bearingDeg: number;
  angleDeg: number;
  rangeM: number;
  /** When it was decommissioned (migration 0030); null while in service. */
  decommissionedAt: Date | null;
}

export interface CameraStatusHistory {
  /** Each camera's last reported state before the window start (absent: never reported before it). */
  before: Map<string, string>;
  /** Each camera's reports within the window (bounds included), in time order. */
  changes: Map<string, StatusChange[]>;
}

export interface DetectionSummaryRow {
  eventId: string;
  cameraId: string;
  observedAt: Date;
  objectClass: string;
  confidence: number;
  trackId: string | null;
  plateText: string | null;
  plateRegion: string | null;
  plateConfidence: number | null;
  ruleType: string | null;
  ruleName: string | null;
}

export interface PlateSighting {
  plateText: string;
  firstSeen: Date;
  lastSeen: Date;
  count: number;
  cameraIds: string[];
}

export interface IncidentSummaryRow {
  id: string;
  ruleId: string;
  kind: string;
  severity: string;
  status: string;
  title: string;
  lat: number;
  lon: number;
  firstEventAt: Date;
  lastEventAt: Date;
}

export interface NewCaseAssistRecord {
  id: string;
  incidentId: string | undefined;
  caseReference: string | undefined;
  requestedBy: string;
  window: TimeWindow;
  area: Area;
  inputs: unknown;
  result: unknown;
}

export interface StoredCaseAssistRecord {
  id: string;
  incidentId: string | null;
  caseReference: string | null;
  requestedBy: string;
  window: TimeWindow;
  area: Area;
  inputs: unknown;
  result: unknown;
  createdAt: Date;
}

interface RecordRow {
  id: string;
  incident_id: string | null;
  case_reference: string | null;
  requested_by: string;
  window_start: Date;
  window_end: Date;
  area: Area;
  inputs: unknown;
  result: unknown;
  created_at: Date;
}

const toRecord = (row: RecordRow): StoredCaseAssistRecord => ({
  id: row.id,
  incidentId: row.incident_id,
  caseReference: row.case_reference,
  requestedBy: row.requested_by,
  window: { from: row.window_start, to: row.window_end },
  area: row.area,
  inputs: row.inputs,
  result: row.result,
  createdAt: row.created_at,
});

/**
 * Reads for case assist and the `case_assist_records` table. Every query runs on its own pooled connection outside
 * any transaction: a case-assist search must not hold a transaction open (the embedded database runs transactions
 * one after another) and needs no snapshot across its reads — the window lies in the past.
 *
 * Time windows include both bounds.
 */
export class CaseAssistRepository {
  constructor(private readonly pool: Pool) {}

  /** Registered cameras whose position lies in the box, decommissioned ones included (they cover times before). */
  async camerasInBox(box: LatLonBox): Promise<CandidateCamera[]> {
    const result = await this.pool.query<CandidateCamera>(
      `SELECT id, site_id AS "siteId", name, district, lat, lon, bearing_deg AS "bearingDeg",
              fov_angle_deg AS "angleDeg", range_m AS "rangeM",
              decommissioned_at AS "decommissionedAt"
         FROM cameras
        WHERE lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4
        ORDER BY id`,
      [box.minLat, box.maxLat, box.minLon, box.maxLon],
    );
    return result.rows;
  }

  /** The cameras' status reports in the window, and each one's last report before it. */
  async statusHistory(cameraIds: string[], window: TimeWindow): Promise<CameraStatusHistory> {
    const history: CameraStatusHistory = { before: new Map(), changes: new Map() };
    if (cameraIds.length === 0) return history;
    // One index look-up per camera (camera_status_camera_idx) rather than a scan of everything before the window.
    const before = await this.pool.query<{ camera_id: string; state: string }>(
      `SELECT c.id AS camera_id, s.state
         FROM unnest($1::text[]) AS c (id)
         CROSS JOIN LATERAL (
           SELECT state FROM camera_status
            WHERE camera_id = c.id AND observed_at < $2
            ORDER BY observed_at DESC LIMIT 1
         ) s`,
      [cameraIds, window.from],
    );
    for (const row of before.rows) history.before.set(row.camera_id, row.state);
    const within = await this.pool.query<{ camera_id: string; state: string; observed_at: Date }>(
      `SELECT camera_id, state, observed_at FROM camera_status
        WHERE camera_id = ANY($1) AND observed_at >= $2 AND observed_at <= $3
        ORDER BY camera_id, observed_at, event_id`,
      [cameraIds, window.from, window.to],
    );
    for (const row of within.rows) {
      const list = history.changes.get(row.camera_id) ?? [];
      list.push({ at: row.observed_at, state: row.state });
      history.changes.set(row.camera_id, list);
    }
    return history;
  }

  /** The cameras' detections in the window in time order, at most `limit`; `truncated` when there were more. */
  async detections(
    cameraIds: string[],
    window: TimeWindow,
    limit: number,
  ): Promise<{ rows: DetectionSummaryRow[]; truncated: boolean }> {
    if (cameraIds.length === 0) return { rows: [], truncated: false };
    const result = await this.pool.query<DetectionSummaryRow>(
      `SELECT event_id AS "eventId", camera_id AS "cameraId", observed_at AS "observedAt",
              object_class AS "objectClass", confidence, track_id AS "trackId", plate_text AS "plateText",
              plate_region AS "plateRegion", plate_confidence AS "plateConfidence", rule_type AS "ruleType",
              rule_name AS "ruleName"
         FROM detections
        WHERE camera_id = ANY($1) AND observed_at >= $2 AND observed_at <= $3
        ORDER BY observed_at, camera_id, event_id
        LIMIT $4`,
      [cameraIds, window.from, window.to, limit + 1],
    );
    const truncated = result.rows.length > limit;
    return { rows: truncated ? result.rows.slice(0, limit) : result.rows, truncated };
  }

  /**
   * Distinct plates the cameras read in the window (over all detections, not only the first ones listed), the
   * first `limit` by first sighting; `truncated` when there were more.
   */
  async plates(
    cameraIds: string[],
    window: TimeWindow,
    limit: number,
  ): Promise<{ rows: PlateSighting[]; truncated: boolean }> {
    if (cameraIds.length === 0) return { rows: [], truncated: false };
    const result = await this.pool.query<PlateSighting>(
      `SELECT plate_text AS "plateText", min(observed_at) AS "firstSeen", max(observed_at) AS "lastSeen",
              count(*)::int AS count, array_agg(DISTINCT camera_id ORDER BY camera_id) AS "cameraIds"
         FROM detections
        WHERE camera_id = ANY($1) AND observed_at >= $2 AND observed_at <= $3 AND plate_text IS NOT NULL
        GROUP BY plate_text
        ORDER BY min(observed_at), plate_text
        LIMIT $4`,
      [cameraIds, window.from, window.to, limit + 1],
    );
    const truncated = result.rows.length > limit;
    return { rows: truncated ? result.rows.slice(0, limit) : result.rows, truncated };
  }

  /** Incidents placed in the box whose [first_event_at, last_event_at] overlaps the window. */
  async incidentsInBox(box: LatLonBox, window: TimeWindow): Promise<IncidentSummaryRow[]> {
    const result = await this.pool.query<IncidentSummaryRow>(
      `SELECT id, rule_id AS "ruleId", kind, severity, status, title, lat, lon,
              first_event_at AS "firstEventAt", last_event_at AS "lastEventAt"
         FROM incidents
        WHERE lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4
          AND first_event_at <= $6 AND last_event_at >= $5
        ORDER BY first_event_at, id`,
      [box.minLat, box.maxLat, box.minLon, box.maxLon, window.from, window.to],
    );
    return result.rows;
  }

  async incidentExists(id: string): Promise<boolean> {
    const result = await this.pool.query("SELECT 1 FROM incidents WHERE id = $1", [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async insert(record: NewCaseAssistRecord): Promise<StoredCaseAssistRecord> {
    const result = await this.pool.query<RecordRow>(
      `INSERT INTO case_assist_records
         (id, incident_id, case_reference, requested_by, window_start, window_end, area, inputs, result)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING *`,
      [
        record.id,
        record.incidentId ?? null,
        record.caseReference ?? null,
        record.requestedBy,
        record.window.from,
        record.window.to,
        JSON.stringify(record.area),
        JSON.stringify(record.inputs),
        JSON.stringify(record.result),
      ],
    );
    const row = result.rows[0];
    if (!row) throw new Error("INSERT … RETURNING returned no row");
    return toRecord(row);
  }

  async get(id: string): Promise<StoredCaseAssistRecord | undefined> {
    const result = await this.pool.query<RecordRow>("SELECT * FROM case_assist_records WHERE id = $1", [id]);
    const row = result.rows[0];
    return row ? toRecord(row) : undefined;
  }
}
