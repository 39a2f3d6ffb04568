import { randomUUID } from "node:crypto";
import { h3Cell, type Pool, withTransaction } from "@hub/common";
import { IncidentRepository } from "@hub/correlator";

export interface ClosedIncidentOptions {
  ruleId?: string;
  kind?: string;
  severity?: "minor" | "moderate" | "severe" | "extreme";
  titles?: { "zh-Hant": string; pt: string; en: string };
  lat: number;
  lon: number;
  firstEventAt: Date;
  /** "open": left open (not history). */
  status?: "resolved" | "false_alarm" | "open";
}

/**
 * A closed incident, opened with the correlator's own repository (as correlation would store it) and then closed.
 * The state is set directly, so that these tests need no correlator process; incident-workflow.test.ts covers the
 * transitions themselves.
 */
export async function closedIncident(pool: Pool, options: ClosedIncidentOptions): Promise<string> {
  const repository = new IncidentRepository();
  const kind = options.kind ?? "fire";
  const { row } = await withTransaction(pool, (client) =>
    repository.create(
      client,
      {
        ruleId: options.ruleId ?? kind,
        ruleVersion: 1,
        correlationKey: `history-test-${randomUUID()}`,
        kind,
        severity: options.severity ?? "severe",
        titles: options.titles ?? { "zh-Hant": "火警", pt: "Incêndio", en: "Fire" },
        lat: options.lat,
        lon: options.lon,
        h3Cell: h3Cell(options.lat, options.lon),
      },
      options.firstEventAt,
      new Date(options.firstEventAt.getTime() + 60_000),
    ),
  );
  if (options.status === "open") return row.id;
  await pool.query(
    "UPDATE incidents SET status = $2, resolved_by = 'test', resolved_at = now(), version = version + 1 WHERE id = $1",
    [row.id, options.status ?? "resolved"],
  );
  return row.id;
}
