import type { Pool } from "@hub/common";
import type { IncidentLookup } from "../services/workflow.ports.js";

export interface IncidentBrief {
  id: string;
  kind: string;
  severity: "minor" | "moderate" | "severe" | "extreme";
  title: string;
  lat: number;
  lon: number;
  firstEventAt: Date;
  lastEventAt: Date;
  evidenceCount: number;
}

/** Reads the correlator's incidents (same database) to prefill an alert drafted from one. */
export class IncidentsRepository implements IncidentLookup {
  constructor(private readonly pool: Pool) {}

  async find(id: string): Promise<IncidentBrief | undefined> {
    const { rows } = await this.pool.query<{
      id: string;
      kind: string;
      severity: IncidentBrief["severity"];
      title: string;
      lat: number;
      lon: number;
      first_event_at: Date;
      last_event_at: Date;
      evidence: string;
    }>(
      `SELECT i.id, i.kind, i.severity, i.title, i.lat, i.lon, i.first_event_at, i.last_event_at,
              (SELECT count(*) FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence
       FROM incidents i WHERE i.id = $1`,
      [id],
    );
    const row = rows[0];
    return (
      row && {
        id: row.id,
        kind: row.kind,
        severity: row.severity,
        title: row.title,
        lat: row.lat,
        lon: row.lon,
        firstEventAt: row.first_event_at,
        lastEventAt: row.last_event_at,
        evidenceCount: Number(row.evidence),
      }
    );
  }
}
