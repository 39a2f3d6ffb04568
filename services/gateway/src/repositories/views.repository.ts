import type { Pool } from "@hub/common";
import {
  type CameraStatusChange,
  type CameraView,
  type CoverageCamera,
  type DetectionCount,
  type EvidenceView,
  type IncidentDetail,
  type IncidentView,
  type LocalizedText,
  MAP_SENSOR_KINDS,
  type SensorReadingView,
} from "@hub/contracts";
import { cameraState } from "../services/camera-state.js";

/**
 * The state the map shows: "maintenance" under a maintenance window (migration 0023), "silent" while the hub has not
 * heard the camera (migration 0022), else its report. Its version is the newest of the changes that decide it.
 */
const CAMERA_COLUMNS = `id, name, district, phase, lat, lon, bearing_deg, fov_angle_deg, range_m,
  CASE WHEN camera_in_maintenance(id, district, now()) THEN 'maintenance'
       WHEN silent_since IS NOT NULL THEN 'silent' ELSE state END AS state, last_status_at,
  greatest(last_status_at, health_changed_at,
    (SELECT max(greatest(m.created_at, m.ended_at, CASE WHEN m.starts_at <= now() THEN m.starts_at END,
                         CASE WHEN m.ends_at <= now() THEN m.ends_at END))
       FROM camera_maintenance m WHERE m.camera_id = cameras.id OR m.district = cameras.district)) AS version_at`;

/**
 * Read side of the dashboard: what the map shows, read from the tables the correlator writes (cameras' state,
 * incidents and their evidence, readings, the continuous aggregates). The gateway never writes these.
 */
export class ViewsRepository {
  constructor(private readonly pool: Pool) {}

  /** The cameras in service (a decommissioned camera is off the map; migration 0030). */
  async cameras(area?: string): Promise<CameraView[]> {
    const result = await this.pool.query(
      `SELECT ${CAMERA_COLUMNS} FROM cameras
        WHERE ($1::text IS NULL OR district = $1) AND decommissioned_at IS NULL ORDER BY id`,
      [area ?? null],
    );
    return result.rows.map(cameraView);
  }

  async camera(id: string): Promise<CameraView | undefined> {
    const result = await this.pool.query(`SELECT ${CAMERA_COLUMNS} FROM cameras WHERE id = $1`, [id]);
    return result.rows[0] ? cameraView(result.rows[0]) : undefined;
  }

  async districts(): Promise<string[]> {
    const result = await this.pool.query<{ district: string }>(
      "SELECT DISTINCT district FROM cameras ORDER BY district",
    );
    return result.rows.map((row) => row.district);
  }

  async statusHistory(cameraId: string, limit = 50): Promise<CameraStatusChange[]> {
    const result = await this.pool.query(
      `SELECT camera_id, state, degradation_reason, observed_at FROM camera_status
        WHERE camera_id = $1 AND observed_at > now() - INTERVAL '7 days' ORDER BY observed_at DESC LIMIT $2`,
      [cameraId, limit],
    );
    return result.rows.map((row) => ({
      cameraId: row.camera_id,
      state: cameraState(row.state),
      reason: row.degradation_reason,
      observedAt: row.observed_at.toISOString(),
      version: row.observed_at.getTime(),
    }));
  }

  /** Per minute and class over the last hour, from the continuous aggregate (real-time: includes this minute). */
  async detectionCounts(cameraId: string): Promise<DetectionCount[]> {
    const result = await this.pool.query(
      `SELECT bucket, object_class, detection_count FROM detections_per_minute
        WHERE camera_id = $1 AND bucket > now() - INTERVAL '1 hour' ORDER BY bucket, object_class`,
      [cameraId],
    );
    return result.rows.map((row) => ({
      bucket: row.bucket.toISOString(),
      objectClass: row.object_class,
      count: Number(row.detection_count),
    }));
  }

  async openIncidents(): Promise<IncidentView[]> {
    const result = await this.pool.query(
      `SELECT i.*, (SELECT count(*) FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence_count
         FROM incidents i WHERE i.status NOT IN ('resolved', 'false_alarm') ORDER BY i.last_event_at DESC, i.id LIMIT 1000`,
    );
    return result.rows.map(incidentView);
  }

  async incident(id: string): Promise<Omit<IncidentDetail, "caseAssist"> | undefined> {
    const result = await this.pool.query(
      `SELECT i.*, (SELECT count(*) FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence_count
         FROM incidents i WHERE i.id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const evidence = await this.pool.query(
      `SELECT event_id, event_kind, observed_at, source_id, event, late FROM incident_evidence
        WHERE incident_id = $1 ORDER BY observed_at, event_id LIMIT 500`,
      [id],
    );
    return {
      incident: incidentView(row),
      evidence: evidence.rows.map(
        (e): EvidenceView => ({
          eventId: e.event_id,
          eventKind: e.event_kind,
          observedAt: e.observed_at.toISOString(),
          sourceId: e.source_id,
          summary: summarize(e.event_kind, e.event),
          late: e.late,
          snapshot: e.event_kind === "detection" && typeof e.event?.snapshotUri === "string",
        }),
      ),
      acknowledgedBy: row.acknowledged_by,
      acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
      resolvedBy: row.resolved_by,
      resolvedAt: row.resolved_at?.toISOString() ?? null,
    };
  }

  /** The cameras of the incident's newest case-assist record, if it has one. */
  async caseAssistCameras(incidentId: string): Promise<{ recordId: string; cameras: CoverageCamera[] } | undefined> {
    const result = await this.pool.query(
      `SELECT id, result->'cameras' AS cameras FROM case_assist_records
        WHERE incident_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [incidentId],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const cameras = (row.cameras ?? []) as {
      id: string;
      name: string;
      position: { lat: number; lon: number };
      onlineShare: number;
    }[];
    return {
      recordId: row.id,
      cameras: cameras.map((camera) => ({
        cameraId: camera.id,
        name: camera.name,
        lat: camera.position.lat,
        lon: camera.position.lon,
        onlineShare: camera.onlineShare,
      })),
    };
  }

  /** The newest water level and rainfall of every sensor heard in the last hour. */
  async sensorReadings(area?: string): Promise<SensorReadingView[]> {
    const result = await this.pool.query(
      `SELECT DISTINCT ON (r.sensor_id, r.kind) r.sensor_id, s.name, r.lat, r.lon, r.kind, r.value, r.unit, r.observed_at
         FROM sensor_readings r JOIN sensors s ON s.id = r.sensor_id
        WHERE r.kind = ANY($1) AND r.observed_at > now() - INTERVAL '1 hour'
          AND ($2::text IS NULL OR s.district = $2)
        ORDER BY r.sensor_id, r.kind, r.observed_at DESC`,
      [MAP_SENSOR_KINDS, area ?? null],
    );
    return result.rows.map((row) => ({
      sensorId: row.sensor_id,
      name: row.name,
      lat: row.lat,
      lon: row.lon,
      kind: row.kind,
      value: row.value,
      unit: row.unit,
      observedAt: row.observed_at.toISOString(),
      version: row.observed_at.getTime(),
    }));
  }

  /** Name and place of sensors, to label live readings. */
  async sensorIndex(): Promise<Map<string, { name: string; district: string }>> {
    const result = await this.pool.query("SELECT id, name, district FROM sensors");
    return new Map(result.rows.map((row) => [row.id, { name: row.name, district: row.district }]));
  }
}

function cameraView(row: Record<string, unknown>): CameraView {
  const last = row.last_status_at as Date | null;
  const versionAt = row.version_at as Date | null;
  return {
    id: row.id as string,
    name: row.name as string,
    district: row.district as string,
    phase: row.phase as number,
    lat: row.lat as number,
    lon: row.lon as number,
    bearingDeg: row.bearing_deg as number,
    fovAngleDeg: row.fov_angle_deg as number,
    rangeM: row.range_m as number,
    state: cameraState(row.state as string),
    lastStatusAt: last?.toISOString() ?? null,
    version: versionAt?.getTime() ?? 0,
  };
}

export function incidentView(row: Record<string, unknown>): IncidentView {
  const iso = (value: unknown) => (value as Date).toISOString();
  return {
    id: row.id as string,
    ruleId: row.rule_id as string,
    kind: row.kind as string,
    severity: row.severity as IncidentView["severity"],
    status: row.status as IncidentView["status"],
    title: row.title as string,
    titles: titlesOf(row),
    lat: row.lat as number,
    lon: row.lon as number,
    firstEventAt: iso(row.first_event_at),
    lastEventAt: iso(row.last_event_at),
    openedAt: iso(row.opened_at),
    updatedAt: iso(row.updated_at),
    evidenceCount: Number(row.evidence_count ?? 0),
    version: row.version as number,
  };
}

/** The row's titles, or its one title in every language when it was written before titles had languages. */
export function titlesOf(row: Record<string, unknown>): LocalizedText {
  const title = row.title as string;
  return (row.titles as LocalizedText | null) ?? { "zh-Hant": title, pt: title, en: title };
}

/** One timeline line. Never the plate text: the live dashboard is not a case lookup. */
function summarize(kind: string, event: Record<string, unknown>): string {
  if (kind === "detection") {
    const rule = event.rule as { type?: string; count?: number } | undefined;
    const parts = [String(event.objectClass ?? "detection"), Number(event.confidence ?? 0).toFixed(2)];
    if (rule?.type) parts.push(rule.count ? `${rule.type} ${rule.count}` : rule.type);
    if (event.plate) parts.push("plate read");
    return parts.join(" ");
  }
  if (kind === "sensor_reading") return `${event.kind} ${event.value} ${event.unit}`;
  const reason = event.degradationReason ? ` (${event.degradationReason})` : "";
  return `${event.state}${reason}`;
}
