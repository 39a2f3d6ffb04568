import { createHash } from "node:crypto";
import { distanceMetres, type Pool, type PoolClient } from "@hub/common";
import {
  type CorrelationStore,
  maintenanceKey,
  type PlateSighting,
  type SilentCamera,
  type WatchList,
  type WatchListHit,
} from "../services/correlation.service.js";
import { type EventRow, eventKey, sourceOf } from "../services/records.js";
import { type Severity, type Titles, watchListKey } from "../services/rules.js";

export interface IncidentRow {
  id: string;
  rule_id: string;
  rule_version: number;
  /** The version of its rule that opened it (migration 0032); null for incidents opened before. */
  rule_definition_version: number | null;
  correlation_key: string;
  kind: string;
  severity: Severity;
  status: string;
  /** The English title (the default). */
  title: string;
  /** The title in every language; null on rows written before titles had languages (migration 0028). */
  titles: Titles | null;
  lat: number;
  lon: number;
  h3_cell: string;
  first_event_at: Date;
  last_event_at: Date;
  opened_at: Date;
  updated_at: Date;
  version: number;
}

export interface IncidentAudit {
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  assigned_operator: string | null;
  assigned_unit: string | null;
  cad_reference: string | null;
  merged_into: string | null;
}

/** One step of an incident's workflow, as appended to incident_activity. */
export type IncidentActivity =
  | { kind: "transition"; fromStatus: string; toStatus: string; reason: string | null }
  | { kind: "assignment"; operator: string | null; unit: string | null; cadReference: string | null }
  | { kind: "note"; note: string }
  | { kind: "sop_step"; stepId: string; done: boolean }
  | { kind: "merge"; otherIncidentId: string; reason: string };

export interface EvidenceRow {
  event_id: string;
  event_kind: string;
  observed_at: Date;
  source_id: string;
  event: unknown;
  late: boolean;
}

/**
 * Which stored events a rule could use, pushed down into SQL. `undefined` lists mean "no restriction"; for
 * detections, a row qualifies by its class or its rule type.
 */
export interface NeighbourhoodFilter {
  detections?: { objectClasses: string[] | undefined; ruleTypes: string[] | undefined };
  readings?: { kinds: string[] | undefined };
}

export interface NewIncident {
  ruleId: string;
  ruleVersion: number;
  /** The approved version of the rule (correlation_rule_versions) that opens it. */
  definitionVersion?: number;
  correlationKey: string;
  kind: string;
  severity: Severity;
  /** In every language; the English one is stored as `title` too. */
  titles: Titles;
  lat: number;
  lon: number;
  h3Cell: string;
}

/** A stable id for (rule, key): every instance that opens "the same" incident gives it the same id. */
export function incidentId(ruleId: string, correlationKey: string): string {
  const hex = createHash("sha256").update(`${ruleId}\u0000${correlationKey}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Incidents, their evidence and late events; every method runs in the caller's transaction. */
export class IncidentRepository implements CorrelationStore<PoolClient> {
  /** Stored events of the given kinds in these H3 cells and times, as rows the rules can match. */
  async eventsNear(
    client: PoolClient,
    filter: NeighbourhoodFilter,
    cells: string[],
    from: Date,
    to: Date,
    limit = 5000,
  ): Promise<EventRow[]> {
    const events: EventRow[] = [];
    if (filter.detections) {
      for (const row of await this.detectionsNear(client, filter.detections, cells, from, to, limit)) {
        events.push(detectionEvent(row));
      }
    }
    if (filter.readings) {
      const result = await client.query(
        `SELECT * FROM sensor_readings WHERE h3_cell = ANY($1) AND observed_at BETWEEN $2 AND $3
           AND ($4::text[] IS NULL OR kind = ANY($4))
         ORDER BY observed_at LIMIT $5`,
        [cells, from, to, filter.readings.kinds ?? null, limit],
      );
      for (const r of result.rows) {
        events.push({
          kind: "sensor_reading",
          row: {
            observedAt: r.observed_at,
            eventId: r.event_id,
            sensorId: r.sensor_id,
            datastreamId: r.datastream_id,
            kind: r.kind,
            value: r.value,
            unit: r.unit,
            siteId: r.site_id,
            lat: r.lat,
            lon: r.lon,
            h3Cell: r.h3_cell,
            ingestedAt: r.ingested_at,
          },
        });
      }
    }
    return events;
  }

  /**
   * Detections a rule can use around a place and time. Rule types and alarm classes are looked up separately, each
   * with a literal predicate its partial index (migration 0005) can be proven from; anything else scans the
   * neighbourhood.
   */
  private async detectionsNear(
    client: PoolClient,
    filter: NonNullable<NeighbourhoodFilter["detections"]>,
    cells: string[],
    from: Date,
    to: Date,
    limit: number,
  ): Promise<unknown[]> {
    const base = "SELECT * FROM detections WHERE h3_cell = ANY($1) AND observed_at BETWEEN $2 AND $3";
    const { objectClasses, ruleTypes } = filter;
    if (!objectClasses && !ruleTypes) {
      return (await client.query(`${base} ORDER BY observed_at LIMIT $4`, [cells, from, to, limit])).rows;
    }
    const rows = new Map<string, unknown>();
    if (ruleTypes && ruleTypes.length > 0) {
      const result = await client.query(`${base} AND rule_type = ANY($4) ORDER BY observed_at LIMIT $5`, [
        cells,
        from,
        to,
        ruleTypes,
        limit,
      ]);
      for (const row of result.rows) rows.set(eventKey({ siteId: row.site_id, eventId: row.event_id }), row);
    }
    if (objectClasses && objectClasses.length > 0) {
      const alarm = objectClasses.every((name) => ALARM_CLASSES.includes(name));
      const result = await client.query(
        `${base} AND object_class = ANY($4)${alarm ? " AND object_class IN ('fire', 'smoke', 'crowd', 'water')" : ""}
         ORDER BY observed_at LIMIT $5`,
        [cells, from, to, objectClasses, limit],
      );
      for (const row of result.rows) rows.set(eventKey({ siteId: row.site_id, eventId: row.event_id }), row);
    }
    return [...rows.values()];
  }

  /** The open incident of `ruleId` nearest to `at` within `radiusM`, active since `since`, locked for update. */
  async findOpenNear(
    client: PoolClient,
    ruleId: string,
    at: { lat: number; lon: number },
    radiusM: number,
    since: Date,
  ): Promise<IncidentRow | undefined> {
    const dLat = radiusM / 111_320;
    const dLon = radiusM / (111_320 * Math.cos((at.lat * Math.PI) / 180));
    const result = await client.query<IncidentRow>(
      `SELECT * FROM incidents WHERE rule_id = $1 AND status NOT IN ('resolved', 'false_alarm') AND last_event_at >= $2
         AND lat BETWEEN $3 AND $4 AND lon BETWEEN $5 AND $6 ORDER BY opened_at, id FOR UPDATE`,
      [ruleId, since, at.lat - dLat, at.lat + dLat, at.lon - dLon, at.lon + dLon],
    );
    return result.rows.find((row) => distanceMetres(row, at) <= radiusM);
  }

  /** The open incident of `ruleId` about one source (a camera, a plate), active since `since`. */
  async findOpenForSource(
    client: PoolClient,
    ruleId: string,
    source: string,
    since: Date,
  ): Promise<IncidentRow | undefined> {
    const result = await client.query<IncidentRow>(
      `SELECT * FROM incidents WHERE rule_id = $1 AND status NOT IN ('resolved', 'false_alarm') AND last_event_at >= $2
         AND correlation_key LIKE $3 ORDER BY opened_at, id LIMIT 1 FOR UPDATE`,
      [ruleId, since, `${source.replace(/[%_\\]/g, "\\$&")}@%`],
    );
    return result.rows[0];
  }

  /**
   * Inserts the incident unless another transaction already did (same id); returns it either way. A closed
   * (resolved, false alarm) incident with the same key is never reused: the new one gets a key derived from it, so that every instance
   * still derives the same one.
   */
  async create(
    client: PoolClient,
    incident: NewIncident,
    firstEventAt: Date,
    lastEventAt: Date,
  ): Promise<{ row: IncidentRow; created: boolean }> {
    let candidate = incident;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const result = await this.createOnce(client, candidate, firstEventAt, lastEventAt);
      if (result.created || !CLOSED_STATUSES.includes(result.row.status)) return result;
      candidate = { ...incident, correlationKey: `${incident.correlationKey}+after:${result.row.id}` };
    }
    throw new Error(`too many closed incidents for ${incident.ruleId} ${incident.correlationKey}`);
  }

  private async createOnce(
    client: PoolClient,
    incident: NewIncident,
    firstEventAt: Date,
    lastEventAt: Date,
  ): Promise<{ row: IncidentRow; created: boolean }> {
    const id = incidentId(incident.ruleId, incident.correlationKey);
    const inserted = await client.query<IncidentRow>(
      `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, titles, lat, lon,
         h3_cell, first_event_at, last_event_at, rule_definition_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (rule_id, correlation_key) DO NOTHING RETURNING *`,
      [
        id,
        incident.ruleId,
        incident.ruleVersion,
        incident.correlationKey,
        incident.kind,
        incident.severity,
        incident.titles.en,
        JSON.stringify(incident.titles),
        incident.lat,
        incident.lon,
        incident.h3Cell,
        firstEventAt,
        lastEventAt,
        incident.definitionVersion ?? null,
      ],
    );
    if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
    const existing = await client.query<IncidentRow>("SELECT * FROM incidents WHERE id = $1 FOR UPDATE", [id]);
    return { row: existing.rows[0] as IncidentRow, created: false };
  }

  /** Links evidence (a copy of each event: legal hold); returns how many links are new. */
  async addEvidence(
    client: PoolClient,
    incidentId: string,
    events: EventRow[],
    lateIds: ReadonlySet<string>,
  ): Promise<number> {
    if (events.length === 0) return 0;
    const result = await client.query(
      `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event, late)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::boolean[])
       ON CONFLICT DO NOTHING`,
      [
        incidentId,
        events.map((e) => e.row.eventId),
        events.map((e) => e.kind),
        events.map((e) => e.row.observedAt),
        events.map(sourceOf),
        events.map((e) => JSON.stringify(e.row)),
        events.map((e) => lateIds.has(eventKey(e.row))),
      ],
    );
    return result.rowCount ?? 0;
  }

  /** Applies new evidence times and severity; bumps the version. */
  async update(
    client: PoolClient,
    id: string,
    change: { firstEventAt: Date; lastEventAt: Date; severity: Severity },
  ): Promise<IncidentRow> {
    const result = await client.query<IncidentRow>(
      `UPDATE incidents SET first_event_at = LEAST(first_event_at, $2), last_event_at = GREATEST(last_event_at, $3),
         severity = $4, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, change.firstEventAt, change.lastEventAt, change.severity],
    );
    return result.rows[0] as IncidentRow;
  }

  async evidenceIds(client: PoolClient | Pool, id: string): Promise<string[]> {
    const result = await client.query<{ event_id: string }>(
      "SELECT event_id FROM incident_evidence WHERE incident_id = $1 ORDER BY observed_at, event_id",
      [id],
    );
    return result.rows.map((row) => row.event_id);
  }

  /** The incidents with these ids, as they stand in the caller's transaction, each with its evidence's event ids. */
  async getManyWithEvidence(client: PoolClient, ids: string[]): Promise<{ row: IncidentRow; evidenceIds: string[] }[]> {
    if (ids.length === 0) return [];
    const result = await client.query<IncidentRow & { evidence_ids: string[] }>(
      `SELECT i.*, ARRAY(SELECT e.event_id FROM incident_evidence e WHERE e.incident_id = i.id
                         ORDER BY e.observed_at, e.event_id) AS evidence_ids
         FROM incidents i WHERE i.id = ANY($1::uuid[])`,
      [ids],
    );
    return result.rows.map(({ evidence_ids, ...row }) => ({ row, evidenceIds: evidence_ids }));
  }

  async list(client: PoolClient | Pool, limit: number, resolvedSince: Date | undefined): Promise<IncidentRow[]> {
    const result = await client.query<IncidentRow>(
      `SELECT * FROM incidents WHERE status NOT IN ('resolved', 'false_alarm') OR ($2::timestamptz IS NOT NULL AND last_event_at >= $2)
       ORDER BY last_event_at DESC, id LIMIT $1`,
      [limit, resolvedSince ?? null],
    );
    return result.rows;
  }

  async get(
    client: PoolClient | Pool,
    id: string,
    forUpdate = false,
  ): Promise<(IncidentRow & IncidentAudit) | undefined> {
    const result = await client.query<IncidentRow & IncidentAudit>(
      `SELECT * FROM incidents WHERE id = $1${forUpdate ? " FOR UPDATE" : ""}`,
      [id],
    );
    return result.rows[0];
  }

  async evidence(client: PoolClient | Pool, id: string): Promise<EvidenceRow[]> {
    const result = await client.query<EvidenceRow>(
      "SELECT event_id, event_kind, observed_at, source_id, event, late FROM incident_evidence WHERE incident_id = $1 ORDER BY observed_at, event_id",
      [id],
    );
    return result.rows;
  }

  /**
   * Moves an incident to `status`; acknowledging and closing also record who and when on the row (the full history
   * is in incident_activity).
   */
  async transition(client: PoolClient, id: string, status: string, actor: string): Promise<IncidentRow> {
    const result = await client.query<IncidentRow>(
      `UPDATE incidents SET status = $2,
         acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $3 ELSE acknowledged_by END,
         acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN now() ELSE acknowledged_at END,
         resolved_by = CASE WHEN $2 IN ('resolved', 'false_alarm') THEN $3 ELSE resolved_by END,
         resolved_at = CASE WHEN $2 IN ('resolved', 'false_alarm') THEN now() ELSE resolved_at END,
         version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, status, actor],
    );
    return result.rows[0] as IncidentRow;
  }

  /** Sets who works the incident and its CAD reference; bumps the version. */
  async assign(
    client: PoolClient,
    id: string,
    assignment: { operator: string | null; unit: string | null; cadReference: string | null },
  ): Promise<IncidentRow> {
    const result = await client.query<IncidentRow>(
      `UPDATE incidents SET assigned_operator = $2, assigned_unit = $3, cad_reference = $4, version = version + 1,
         updated_at = now() WHERE id = $1 RETURNING *`,
      [id, assignment.operator, assignment.unit, assignment.cadReference],
    );
    return result.rows[0] as IncidentRow;
  }

  /** Bumps the version of an incident whose workflow changed (a note, a step), so that dashboards reload it. */
  async touch(client: PoolClient, id: string): Promise<IncidentRow> {
    const result = await client.query<IncidentRow>(
      "UPDATE incidents SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING *",
      [id],
    );
    return result.rows[0] as IncidentRow;
  }

  async addActivity(client: PoolClient, incidentId: string, actor: string, activity: IncidentActivity): Promise<void> {
    const a = activity;
    await client.query(
      `INSERT INTO incident_activity (incident_id, kind, actor, from_status, to_status, reason, assigned_operator,
         assigned_unit, cad_reference, note, step_id, step_done, other_incident_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        incidentId,
        a.kind,
        actor,
        a.kind === "transition" ? a.fromStatus : null,
        a.kind === "transition" ? a.toStatus : null,
        a.kind === "transition" || a.kind === "merge" ? a.reason : null,
        a.kind === "assignment" ? a.operator : null,
        a.kind === "assignment" ? a.unit : null,
        a.kind === "assignment" ? a.cadReference : null,
        a.kind === "note" ? a.note : null,
        a.kind === "sop_step" ? a.stepId : null,
        a.kind === "sop_step" ? a.done : null,
        a.kind === "merge" ? a.otherIncidentId : null,
      ],
    );
  }

  /**
   * Merges `otherId` into `id`: its evidence is copied (never deleted: legal hold), the times and severity widened,
   * and the other incident closed as resolved with a pointer to this one. Returns both rows as they now stand.
   */
  async merge(
    client: PoolClient,
    id: string,
    otherId: string,
    actor: string,
  ): Promise<{ kept: IncidentRow; closed: IncidentRow }> {
    await client.query(
      `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event, late)
       SELECT $1, event_id, event_kind, observed_at, source_id, event, late FROM incident_evidence WHERE incident_id = $2
       ON CONFLICT DO NOTHING`,
      [id, otherId],
    );
    const kept = await client.query<IncidentRow>(
      `UPDATE incidents i SET first_event_at = LEAST(i.first_event_at, o.first_event_at),
         last_event_at = GREATEST(i.last_event_at, o.last_event_at),
         severity = CASE WHEN array_position($3::text[], o.severity) > array_position($3::text[], i.severity)
           THEN o.severity ELSE i.severity END,
         version = i.version + 1, updated_at = now()
       FROM incidents o WHERE i.id = $1 AND o.id = $2 RETURNING i.*`,
      [id, otherId, SEVERITY_ORDER],
    );
    const closed = await client.query<IncidentRow>(
      `UPDATE incidents SET status = 'resolved', merged_into = $2, resolved_by = $3, resolved_at = now(),
         version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [otherId, id, actor],
    );
    return { kept: kept.rows[0] as IncidentRow, closed: closed.rows[0] as IncidentRow };
  }

  async recordLate(client: PoolClient, event: EventRow, ruleId: string, reason: string): Promise<void> {
    await client.query(
      `INSERT INTO late_events (site_id, event_id, event_kind, observed_at, rule_id, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [event.row.siteId, event.row.eventId, event.kind, event.row.observedAt, ruleId, reason],
    );
  }

  /**
   * Active entries matching each sighting (migration 0031): unexpired at the sighting's time and now, so an entry
   * stops matching when it expires, without a restart. Entries are upper case (the API stores them so); a plate read
   * in lower case matches too. An exact entry wins over a pattern, then the oldest.
   */
  async watchList(client: PoolClient, sightings: PlateSighting[]): Promise<WatchList> {
    if (sightings.length === 0) return new Map();
    const result = await client.query<{ plate: string; at: Date; id: string; reference: string }>(
      `SELECT DISTINCT ON (v.plate, v.at) v.plate, v.at, w.id, w.reference
         FROM unnest($1::text[], $2::timestamptz[]) AS v(plate, at)
         JOIN plate_watch_list w ON w.status = 'active' AND w.expires_at > v.at AND w.expires_at > now()
          AND ((w.match_kind = 'exact' AND w.plate_text IN (v.plate, upper(v.plate)))
            OR (w.match_kind = 'pattern' AND upper(v.plate) LIKE w.like_pattern))
        ORDER BY v.plate, v.at, (w.match_kind = 'exact') DESC, w.added_at, w.id`,
      [sightings.map((s) => s.plate), sightings.map((s) => s.at)],
    );
    return new Map(
      result.rows.map((row) => [watchListKey(row.plate, row.at), { entryId: row.id, reference: row.reference }]),
    );
  }

  async recordWatchListHits(client: PoolClient, hits: WatchListHit[]): Promise<void> {
    await client.query(
      `INSERT INTO watch_list_hits (entry_id, site_id, event_id, camera_id, plate_text, observed_at, incident_id)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::uuid[])
       ON CONFLICT DO NOTHING`,
      [
        hits.map((h) => h.entryId),
        hits.map((h) => h.siteId),
        hits.map((h) => h.eventId),
        hits.map((h) => h.cameraId),
        hits.map((h) => h.plate),
        hits.map((h) => h.observedAt),
        hits.map((h) => h.incidentId),
      ],
    );
  }

  /** Cameras silent for longer than `silenceS` (by the database clock), with when they were last heard. */
  /**
   * Cameras silent for `silenceS` that have no incident of `ruleId` for this silence yet. The key is the one
   * checkSilence gives (camera id @ ISO 8601 time of the last status, in milliseconds): a silence already reported is
   * not fetched and re-inserted on every round, which with thousands of long-silent cameras made each round slow.
   */
  async silentCameras(client: PoolClient, silenceS: number, ruleId: string): Promise<SilentCamera[]> {
    const result = await client.query(
      `SELECT c.id, c.lat, c.lon, c.h3_cell, c.last_status_at FROM cameras c
       WHERE c.last_status_at IS NOT NULL AND c.last_status_at < now() - make_interval(secs => $1)
         AND c.decommissioned_at IS NULL AND NOT camera_in_maintenance(c.id, c.district, now())
         AND NOT EXISTS (
           SELECT 1 FROM incidents i
            WHERE i.rule_id = $2
              AND i.correlation_key = c.id || '@'
                  || to_char(c.last_status_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
      [silenceS, ruleId],
    );
    return result.rows;
  }

  async inMaintenance(client: PoolClient, events: { cameraId: string; at: Date }[]): Promise<ReadonlySet<string>> {
    const result = await client.query<{ id: string; at: Date }>(
      `SELECT DISTINCT v.id, v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at)
         JOIN cameras c ON c.id = v.id
        WHERE camera_in_maintenance(c.id, c.district, v.at) OR c.decommissioned_at <= v.at`,
      [events.map((event) => event.cameraId), events.map((event) => event.at)],
    );
    return new Set(result.rows.map((row) => maintenanceKey(row.id, row.at)));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a row of the detections table as pg returns it
export function detectionEvent(r: any): EventRow {
  return {
    kind: "detection",
    row: {
      observedAt: r.observed_at,
      eventId: r.event_id,
      cameraId: r.camera_id,
      siteId: r.site_id,
      objectClass: r.object_class,
      confidence: r.confidence,
      box:
        r.box_left === null
          ? undefined
          : { left: r.box_left, top: r.box_top, right: r.box_right, bottom: r.box_bottom },
      trackId: r.track_id,
      attributes: r.attributes,
      plate: r.plate_text ? { text: r.plate_text, region: r.plate_region, confidence: r.plate_confidence } : undefined,
      rule: r.rule_type
        ? { type: r.rule_type, name: r.rule_name, count: r.rule_count, dwellSeconds: r.rule_dwell_seconds }
        : undefined,
      lat: r.lat,
      lon: r.lon,
      h3Cell: r.h3_cell,
      ingestedAt: r.ingested_at,
    },
  };
}

const SEVERITY_ORDER: Severity[] = ["minor", "moderate", "severe", "extreme"];

/** Incidents in these statuses are never reopened: new evidence opens a new incident. */
export const CLOSED_STATUSES: readonly string[] = ["resolved", "false_alarm"];

/** Classes covered by the partial index detections_alarm_idx (migration 0005). */
const ALARM_CLASSES = ["fire", "smoke", "crowd", "water"];
