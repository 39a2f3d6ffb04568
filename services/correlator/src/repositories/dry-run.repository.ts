import type { Pool } from "@hub/common";
import type { EventRow } from "../services/records.js";
import type { Severity } from "../services/rules.js";
import { detectionEvent, type NeighbourhoodFilter } from "./incident.repository.js";

/** An incident as a dry run compares it: what opened it and when, not its workflow. */
export interface DryRunIncidentRow {
  correlationKey: string;
  severity: Severity;
  firstEventAt: Date;
  lastEventAt: Date;
  evidence: number;
  ruleVersion: number | null;
}

type Source = EventRow["kind"];

/** Read-only queries of a rule's dry run: the stored events of a window, and the incidents its rule opened then. */
export class DryRunRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Stored events a rule could use (`filter`: the union of its matchers, as the live path's neighbourhood query;
   * `cameraStatus`: whether it reads camera status reports) observed in [from, to], in the order the correlators
   * stored them, at most `limit` (the caller asks for one more to know the window was cut).
   */
  async storedEvents(
    filter: NeighbourhoodFilter,
    cameraStatus: boolean,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<EventRow[]> {
    const parts: string[] = [];
    const params: unknown[] = [from, to, limit];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.detections) {
      const { objectClasses, ruleTypes } = filter.detections;
      const restricted =
        objectClasses || ruleTypes
          ? ` AND (object_class = ANY(${param(objectClasses ?? [])}) OR rule_type = ANY(${param(ruleTypes ?? [])}))`
          : "";
      parts.push(`SELECT 'detection' AS source, to_jsonb(d) AS row, stored_at FROM detections d${WHERE}${restricted}`);
    }
    if (filter.readings) {
      const kinds = filter.readings.kinds;
      parts.push(
        `SELECT 'sensor_reading', to_jsonb(s), stored_at FROM sensor_readings s${WHERE}${kinds ? ` AND kind = ANY(${param(kinds)})` : ""}`,
      );
    }
    if (cameraStatus) parts.push(`SELECT 'camera_status', to_jsonb(c), stored_at FROM camera_status c${WHERE}`);
    if (parts.length === 0) return [];
    const result = await this.pool.query<{ source: Source; row: Record<string, unknown> }>(
      `SELECT source, row FROM (${parts.join(" UNION ALL ")}) e
        ORDER BY stored_at, row->>'observed_at', row->>'event_id' LIMIT $3`,
      params,
    );
    return result.rows.map(({ source, row }) => eventOf(source, revive(row)));
  }

  /** The incidents of `ruleId` whose first event falls in [from, to], oldest first, with their evidence counts. */
  async opened(ruleId: string, from: Date, to: Date, limit: number): Promise<DryRunIncidentRow[]> {
    const result = await this.pool.query<{
      correlation_key: string;
      severity: Severity;
      first_event_at: Date;
      last_event_at: Date;
      evidence: string;
      rule_definition_version: number | null;
    }>(
      `SELECT i.correlation_key, i.severity, i.first_event_at, i.last_event_at, i.rule_definition_version,
              (SELECT count(*) FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence
         FROM incidents i
        WHERE i.rule_id = $1 AND i.first_event_at BETWEEN $2 AND $3
        ORDER BY i.first_event_at, i.correlation_key LIMIT $4`,
      [ruleId, from, to, limit],
    );
    return result.rows.map((row) => ({
      correlationKey: row.correlation_key,
      severity: row.severity,
      firstEventAt: row.first_event_at,
      lastEventAt: row.last_event_at,
      evidence: Number(row.evidence),
      ruleVersion: row.rule_definition_version,
    }));
  }
}

const WHERE = " WHERE observed_at BETWEEN $1 AND $2";
const TIMES = ["observed_at", "ingested_at", "stored_at"];

/** to_jsonb writes times as text: back to Date, as a row read directly has them. */
function revive(row: Record<string, unknown>): Record<string, unknown> {
  for (const key of TIMES) if (typeof row[key] === "string") row[key] = new Date(row[key] as string);
  return row;
}

// biome-ignore lint/suspicious/noExplicitAny: a database row, mapped field by field
function eventOf(source: Source, r: any): EventRow {
  if (source === "detection") return detectionEvent(r);
  const common = {
    observedAt: r.observed_at,
    eventId: r.event_id,
    siteId: r.site_id,
    lat: r.lat,
    lon: r.lon,
    h3Cell: r.h3_cell,
    ingestedAt: r.ingested_at,
  };
  if (source === "sensor_reading") {
    return {
      kind: "sensor_reading",
      row: {
        ...common,
        sensorId: r.sensor_id,
        datastreamId: r.datastream_id,
        kind: r.kind,
        value: r.value,
        unit: r.unit,
      },
    };
  }
  return {
    kind: "camera_status",
    row: {
      ...common,
      cameraId: r.camera_id,
      state: r.state,
      degradationReason: r.degradation_reason,
      detail: r.detail,
      signalLoss: r.signal_loss,
      sceneChange: r.scene_change,
    },
  };
}
