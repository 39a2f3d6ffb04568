import { randomUUID } from "node:crypto";
import { h3Cell, type Pool } from "@hub/common";

export interface StoredIncident {
  id: string;
  kind: string;
  title: string;
  version: number;
  evidenceIds: string[];
}

/**
 * An incident as the correlator stores one, written straight into the database (with `evidence` detections of a
 * camera), for tests of what people do with incidents rather than of how rules open them. Unique ids per call.
 */
export async function insertIncident(
  pool: Pool,
  overrides: {
    kind?: string;
    status?: string;
    severity?: string;
    title?: string;
    place?: { lat: number; lon: number };
    evidence?: number;
    at?: Date;
  } = {},
): Promise<StoredIncident> {
  const id = randomUUID();
  const kind = overrides.kind ?? "fire";
  const place = overrides.place ?? { lat: 22.19 + Math.random() * 0.01, lon: 113.54 + Math.random() * 0.01 };
  const at = overrides.at ?? new Date(Date.now() - 60_000);
  const title = overrides.title ?? `Test ${kind} ${id.slice(0, 6)}`;
  await pool.query(
    `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, status, title, lat, lon, h3_cell,
       first_event_at, last_event_at)
     VALUES ($1, 'test-rule', 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
    [
      id,
      `test-${id}`,
      kind,
      overrides.severity ?? "severe",
      overrides.status ?? "open",
      title,
      place.lat,
      place.lon,
      h3Cell(place.lat, place.lon),
      at,
    ],
  );
  const evidenceIds: string[] = [];
  for (let index = 0; index < (overrides.evidence ?? 1); index += 1) {
    const eventId = `ev-${id.slice(0, 8)}-${index}`;
    const observedAt = new Date(at.getTime() + index * 1000);
    evidenceIds.push(eventId);
    await pool.query(
      `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event)
       VALUES ($1, $2, 'detection', $3, $4, $5)`,
      [
        id,
        eventId,
        observedAt,
        `cam-${id.slice(0, 6)}`,
        JSON.stringify({ eventId, objectClass: kind === "fire" ? "fire" : "person", confidence: 0.9 }),
      ],
    );
  }
  return { id, kind, title, version: 1, evidenceIds };
}
