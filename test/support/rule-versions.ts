import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import { ObjectClass, RuleEventType } from "@hub/proto";
import { newDetection } from "./factories.js";
import { eventually, type Place, produceEvents } from "./hub.js";

/** An incident of the scenario's rule, as a test compares it with a dry run. */
export interface OpenedIncident {
  correlation_key: string;
  severity: string;
  rule_definition_version: number | null;
  evidence: number;
}

/** Where a scenario's crowd counts stand among other files' (see ruleScenario). */
export interface ScenarioOptions {
  /** The crowd count its detections report and its rule needs at least; default random in [900000, 990000). */
  marker?: number;
  /** Western edge of its band of spots, 0.4° wide; default 112.6°E. Files that share a run take disjoint bands. */
  lon?: number;
}

/**
 * A correlation rule of the calling file's own (issue 15), inserted as the rules file would seed version 1, whose
 * matcher needs a crowd count no camera reports (its marker). Other files' correlators run it too (it is in the
 * shared database) but it opens nothing for them. The matcher is "count ≥ marker", so a scenario's detections also
 * meet every rule with a lower marker: a dry run, which replays all stored events of its window, opens incidents
 * from them that the live path never did (they were stored before that rule ran). A file comparing a dry run with
 * the live path keeps to incidents of its own events (their keys name their earliest event), or takes the highest
 * marker. Its events go to spots ~5.5 km apart, away from other files' places.
 */
export function ruleScenario(pool: Pool, options: ScenarioOptions = {}) {
  const ruleId = `rt-${randomUUID().slice(0, 8)}`;
  const marker = options.marker ?? 900_000 + Math.floor(Math.random() * 90_000);
  const west = options.lon ?? 112.6;
  const run = Math.random() * 0.4;
  let spot = 0;

  const definition = (changes: Record<string, unknown> = {}) => ({
    id: ruleId,
    kind: "crowd",
    titles: { "zh-Hant": "測試人群", pt: "Multidão de teste", en: "Test crowd" },
    form: "threshold",
    radiusM: 300,
    windowS: 600,
    match: { source: "detection", ruleTypes: ["crowd_count"], minCount: marker },
    minCount: 2,
    severity: "moderate",
    ...changes,
  });

  const place = (): Place => {
    spot += 1;
    return { lat: 20.3 + run + spot * 0.05, lon: west + run };
  };

  return {
    ruleId,
    definition,
    /** Version 1, approved, as the rules file seeds it. */
    async insert(): Promise<void> {
      await pool.query(
        `INSERT INTO correlation_rule_versions (rule_id, version, definition, status, change_note, proposed_by,
           decided_by, decided_at)
         VALUES ($1, 1, $2, 'approved', 'seeded by a test', '@rules-file', '@rules-file', now())`,
        [ruleId, JSON.stringify(definition())],
      );
    },
    /** `count` matching detections at a new spot, each from its own camera, stored; their event ids. */
    async crowdEvents(count: number): Promise<string[]> {
      const at = place();
      const detections = Array.from({ length: count }, (_, i) =>
        newDetection(`${ruleId}-cam-${spot}-${i}`, {
          objectClass: ObjectClass.OBJECT_CLASS_CROWD,
          box: undefined,
          plate: undefined,
          attributes: {},
          rule: {
            type: RuleEventType.RULE_EVENT_TYPE_CROWD_COUNT,
            ruleName: "occupancy",
            count: marker,
            dwellSeconds: 0,
            direction: 0,
          },
          observedAt: new Date(),
        }),
      );
      await produceEvents(detections.map((detection) => ({ detection, at })));
      const ids = detections.map((d) => d.eventId);
      const stored = await eventually(async () => {
        const result = await pool.query("SELECT 1 FROM detections WHERE event_id = ANY($1)", [ids]);
        return result.rowCount === ids.length;
      }, 60_000);
      if (!stored) throw new Error(`events ${ids.join(", ")} were not stored`);
      return ids;
    },
    /** The rule's incidents holding any of these events (correlation runs in the transaction that stores them). */
    async incidentsOf(eventIds: string[]): Promise<OpenedIncident[]> {
      const result = await pool.query<OpenedIncident>(
        `SELECT i.correlation_key, i.severity, i.rule_definition_version,
                (SELECT count(*)::int FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence
           FROM incidents i
          WHERE i.rule_id = $1 AND i.id IN (SELECT incident_id FROM incident_evidence WHERE event_id = ANY($2))`,
        [ruleId, eventIds],
      );
      return result.rows;
    },
  };
}
