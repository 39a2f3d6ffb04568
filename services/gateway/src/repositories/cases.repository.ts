import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import type {
  CaseCamera,
  CaseDetection,
  CaseIncident,
  CasePlate,
  CaseSearchRequest,
  ClipReference,
} from "@hub/contracts";
import { plateLike } from "../services/case-criteria.js";

/** Which detections a lookup matches: the covering cameras over the window, narrowed by the filters. */
export interface DetectionFilter {
  cameraIds: string[];
  from: Date;
  to: Date;
  objectClasses?: string[] | undefined;
  ruleTypes?: string[] | undefined;
  plate?: string | undefined;
}

/**
 * Position after the last detection of a page: (observed_at, event_id, camera_id), the sort order. Event ids are
 * unique per site, not city-wide, so two sites' detections may share a time and an id; the camera (which belongs to
 * one site) tells them apart, so no page boundary falls between them and skips one.
 */
export interface DetectionCursor {
  observedAt: string;
  eventId: string;
  cameraId: string;
}

export interface StoredLookup {
  id: string;
  caseReference: string;
  criteria: CaseSearchRequest;
  createdBy: string;
  createdAt: string;
  /** Found at search time; undefined until saved. */
  summary: { total: number; plates: CasePlate[] } | undefined;
  cameras: CaseCamera[];
  clips: ClipReference[];
  /** Without their plates: those are read for each page (see `incidentPlates`). */
  incidents: Omit<CaseIncident, "plates">[];
}

/**
 * The WHERE clause of a filter, its parameters numbered from `first`. `camera` is what the camera id is compared
 * with instead of the filter's list: a column of an outer query (the page's per-camera subquery).
 */
function where(filter: DetectionFilter, first: number, camera?: string): { sql: string; params: unknown[] } {
  const params: unknown[] = camera ? [filter.from, filter.to] : [filter.cameraIds, filter.from, filter.to];
  const clauses = camera
    ? [`camera_id = ${camera}`, `observed_at BETWEEN $${first} AND $${first + 1}`]
    : [`camera_id = ANY($${first})`, `observed_at BETWEEN $${first + 1} AND $${first + 2}`];
  if (filter.objectClasses) {
    params.push(filter.objectClasses);
    clauses.push(`object_class = ANY($${first + params.length - 1})`);
  }
  if (filter.ruleTypes) {
    params.push(filter.ruleTypes);
    clauses.push(`rule_type = ANY($${first + params.length - 1})`);
  }
  if (filter.plate) {
    params.push(plateLike(filter.plate));
    clauses.push(`upper(plate_text) LIKE $${first + params.length - 1}`);
  }
  return { sql: clauses.join(" AND "), params };
}

function detectionOf(row: Record<string, unknown>): CaseDetection {
  return {
    eventId: row.event_id as string,
    cameraId: row.camera_id as string,
    observedAt: (row.observed_at as Date).toISOString(),
    objectClass: row.object_class as string,
    confidence: row.confidence as number,
    plateText: row.plate_text as string | null,
    ruleType: row.rule_type as string | null,
    trackId: row.track_id as string | null,
    snapshot: row.snapshot === true,
  };
}

/** The case-lookup queries: detections of covering cameras, by keyset pages; their plates; stored lookups. */
export class CasesRepository {
  /**
   * `cursorPool`: connections for long reads (exports), apart from the pool that serves requests, so a running
   * export never holds a connection a page view or a sign-in needs.
   */
  constructor(
    private readonly pool: Pool,
    private readonly cursorPool: Pool = pool,
  ) {}

  /**
   * All matching detections (at most `limit`), oldest first, in batches of `batch`, read through a server-side
   * cursor: the gateway holds one batch at a time, whatever the total. The cursor is WITH HOLD, so no transaction
   * stays open while the export is written: the server materializes the result once when it is declared and
   * hands it out batch by batch (a long open transaction would hold back vacuum on PostgreSQL, and would shut every
   * other session out of the embedded one-transaction-at-a-time database for the whole export).
   */
  async *detectionBatches(filter: DetectionFilter, limit: number, batch: number): AsyncGenerator<CaseDetection[]> {
    const client = await this.cursorPool.connect();
    const cursor = `export_${randomUUID().replaceAll("-", "")}`;
    let declared = false;
    let broken: Error | undefined;
    try {
      const { sql, params } = where(filter, 1);
      params.push(limit);
      await client.query(
        `DECLARE ${cursor} NO SCROLL CURSOR WITH HOLD FOR
           SELECT event_id, camera_id, observed_at, object_class, confidence, plate_text, rule_type, track_id,
                  snapshot_uri IS NOT NULL AS snapshot
             FROM detections WHERE ${sql} ORDER BY observed_at, event_id, camera_id LIMIT $${params.length}`,
        params,
      );
      declared = true;
      for (;;) {
        const result = await client.query(`FETCH FORWARD ${Math.trunc(batch)} FROM ${cursor}`);
        if (result.rows.length > 0) yield result.rows.map(detectionOf);
        if (result.rows.length < batch) break;
      }
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      if (declared) await client.query(`CLOSE ${cursor}`).catch(() => undefined);
      client.release(broken);
    }
  }

  /**
   * One keyset page. Each covering camera's first `limit` detections after the cursor are taken apart (a LATERAL
   * subquery that walks the camera's own index, (camera_id, observed_at), or its compressed segments, in time order
   * and stops), then merged: a page reads at most about cameras × limit rows, where `camera_id = ANY(…)` over the
   * window would read and sort every matching row of a busy window, or walk the time index through all cameras' rows.
   * The subquery orders by time alone (the order of the index and of the compressed segments, so nothing is sorted
   * before the limit) and keeps the rows tied with its last one, so the merged page is still exact in the full
   * (observed_at, event_id, camera_id) order.
   *
   * Without other filters, the page's last time is found first from the index alone (no row is fetched): the
   * `limit`-th earliest time over the cameras' first `limit` times strictly after the cursor's time. Those rows all
   * come after the cursor, so the page ends at or before it, and only the rows up to it are fetched: about `limit`
   * rows instead of cameras × limit.
   */
  async detections(filter: DetectionFilter, limit: number, after?: DetectionCursor): Promise<CaseDetection[]> {
    const { sql, params } = where(filter, 1, "c.id");
    const filtered = filter.objectClasses || filter.ruleTypes || filter.plate;
    let keyset = "";
    let afterTime = "";
    if (after) {
      params.push(after.observedAt, after.eventId, after.cameraId);
      keyset = ` AND (observed_at, event_id, camera_id) > ($${params.length - 2}::timestamptz, $${params.length - 1}, $${params.length})`;
      afterTime = ` AND observed_at > $${params.length - 2}::timestamptz`;
    }
    params.push(limit);
    const limitParam = params.length;
    params.push([...new Set(filter.cameraIds)]);
    const cameras = params.length;
    let until = "";
    let cutoff = "";
    if (!filtered) {
      params.push(limit - 1);
      // $1 and $2 are the window (see `where`).
      cutoff = `WITH cutoff AS MATERIALIZED (
         SELECT coalesce((
           SELECT t.observed_at FROM unnest($${cameras}::text[]) AS c(id) CROSS JOIN LATERAL (
             SELECT observed_at FROM detections WHERE ${sql}${afterTime} ORDER BY observed_at LIMIT $${limitParam}) t
            ORDER BY t.observed_at OFFSET $${params.length} LIMIT 1), $2::timestamptz) AS at) `;
      until = " AND observed_at <= (SELECT at FROM cutoff)";
    }
    const result = await this.pool.query(
      `${cutoff}SELECT d.* FROM unnest($${cameras}::text[]) AS c(id) CROSS JOIN LATERAL (
         SELECT event_id, camera_id, observed_at, object_class, confidence, plate_text, rule_type, track_id,
                snapshot_uri IS NOT NULL AS snapshot
           FROM detections WHERE ${sql}${until}${keyset}
          ORDER BY observed_at FETCH FIRST $${limitParam} ROWS WITH TIES) d
        ORDER BY observed_at, event_id, camera_id LIMIT $${limitParam}`,
      params,
    );
    return result.rows.map(detectionOf);
  }

  async count(filter: DetectionFilter): Promise<number> {
    const { sql, params } = where(filter, 1);
    const result = await this.pool.query(`SELECT count(*)::int AS n FROM detections WHERE ${sql}`, params);
    return result.rows[0].n;
  }

  async plates(filter: DetectionFilter): Promise<CasePlate[]> {
    const { sql, params } = where(filter, 1);
    const result = await this.pool.query(
      `SELECT plate_text, count(*)::int AS n, min(observed_at) AS first_seen, max(observed_at) AS last_seen,
              array_agg(DISTINCT camera_id ORDER BY camera_id) AS camera_ids
         FROM detections WHERE ${sql} AND plate_text IS NOT NULL
        GROUP BY plate_text ORDER BY min(observed_at), plate_text LIMIT 1000`,
      params,
    );
    return result.rows.map((row) => ({
      plateText: row.plate_text,
      count: row.n,
      firstSeen: row.first_seen.toISOString(),
      lastSeen: row.last_seen.toISOString(),
      cameraIds: row.camera_ids,
    }));
  }

  async saveLookup(lookup: { id: string; caseReference: string; criteria: CaseSearchRequest; createdBy: string }) {
    await this.pool.query(
      "INSERT INTO case_lookups (id, case_reference, criteria, created_by) VALUES ($1, $2, $3, $4)",
      [lookup.id, lookup.caseReference, JSON.stringify(lookup.criteria), lookup.createdBy],
    );
  }

  /** A stored lookup with the covering cameras, clips and incidents of its case-assist record. */
  /** The total and plates found at search time, kept for the later pages. */
  async saveSummary(id: string, total: number, plates: CasePlate[]): Promise<void> {
    await this.pool.query("UPDATE case_lookups SET total = $2, plates = $3 WHERE id = $1", [
      id,
      total,
      JSON.stringify(plates),
    ]);
  }

  async lookup(id: string): Promise<StoredLookup | undefined> {
    const result = await this.pool.query(
      `SELECT l.id, l.case_reference, l.criteria, l.created_by, l.created_at, l.total, l.plates, r.result
         FROM case_lookups l JOIN case_assist_records r ON r.id = l.id WHERE l.id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const stored = row.result as {
      cameras: {
        id: string;
        name: string;
        district: string;
        position: { lat: number; lon: number };
        bearingDeg: number;
        angleDeg: number;
        rangeM: number;
        coveredFraction: number;
        onlineShare: number;
      }[];
      clips: ClipReference[];
      incidents: (Omit<CaseIncident, "lat" | "lon" | "plates"> & { position: { lat: number; lon: number } })[];
    };
    return {
      id: row.id,
      caseReference: row.case_reference,
      criteria: row.criteria,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      summary: row.total === null ? undefined : { total: row.total, plates: row.plates ?? [] },
      cameras: stored.cameras
        .filter((camera) => camera.onlineShare > 0)
        .map((camera) => ({
          id: camera.id,
          name: camera.name,
          district: camera.district,
          lat: camera.position.lat,
          lon: camera.position.lon,
          bearingDeg: camera.bearingDeg,
          fovAngleDeg: camera.angleDeg,
          rangeM: camera.rangeM,
          coveredFraction: camera.coveredFraction,
          onlineShare: camera.onlineShare,
        })),
      clips: stored.clips,
      incidents: stored.incidents.map(({ position, ...incident }) => ({
        id: incident.id,
        kind: incident.kind,
        severity: incident.severity,
        status: incident.status,
        title: incident.title,
        firstEventAt: incident.firstEventAt,
        lastEventAt: incident.lastEventAt,
        lat: position.lat,
        lon: position.lon,
      })),
    };
  }

  /**
   * The incident a lookup was made for, as a case result lists it: its title and place as they stand now (for when
   * the lookup's window or area did not include it).
   */
  async caseIncident(id: string): Promise<Omit<CaseIncident, "plates"> | undefined> {
    const result = await this.pool.query(
      `SELECT id, kind, severity, status, title, lat, lon, first_event_at, last_event_at FROM incidents WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      kind: row.kind,
      severity: row.severity,
      status: row.status,
      title: row.title,
      lat: row.lat,
      lon: row.lon,
      firstEventAt: row.first_event_at.toISOString(),
      lastEventAt: row.last_event_at.toISOString(),
    };
  }

  /** The plates read in each incident's evidence (personal data: for case lookups only), by first sighting. */
  async incidentPlates(ids: string[]): Promise<Map<string, string[]>> {
    const plates = new Map<string, string[]>();
    if (ids.length === 0) return plates;
    const result = await this.pool.query<{ incident_id: string; plates: string[] }>(
      `SELECT incident_id, array_agg(plate ORDER BY first_seen, plate) AS plates FROM (
         SELECT incident_id, event #>> '{plate,text}' AS plate, min(observed_at) AS first_seen FROM incident_evidence
          WHERE incident_id = ANY($1::uuid[]) AND event_kind = 'detection' AND event #>> '{plate,text}' <> ''
          GROUP BY incident_id, event #>> '{plate,text}') p
        GROUP BY incident_id`,
      [ids],
    );
    for (const row of result.rows) plates.set(row.incident_id, row.plates);
    return plates;
  }

  async incidentPlace(id: string): Promise<{ lat: number; lon: number } | undefined> {
    const result = await this.pool.query("SELECT lat, lon FROM incidents WHERE id = $1", [id]);
    return result.rows[0];
  }
}
