import { type RuleDefinition, ruleDefinitionSchema, type ruleMatcherSchema, ruleSeveritySchema } from "@hub/contracts";
import { z } from "zod";
import type { EventRow } from "./records.js";

/**
 * Declarative correlation rules: version 1 of each comes from a versioned JSON file (rules/rules.v1.json), later
 * versions from staff through the gateway (correlation_rule_versions, migration 0032). The shape of one rule (its
 * forms, `enabled`) is in @hub/contracts (correlation-rules.ts), so that the gateway refuses what the correlator would.
 */
const severity = ruleSeveritySchema;
export type Severity = z.infer<typeof severity>;

const SEVERITY_ORDER: Severity[] = ["minor", "moderate", "severe", "extreme"];
/** The graver of two severities: an incident's severity only ever escalates. */
export const maxSeverity = (a: Severity, b: Severity): Severity =>
  SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;

export type Matcher = z.infer<typeof ruleMatcherSchema>;

/** The languages a rule's title is written in (Macao's three; the dashboard's languages). */
export const TITLE_LANGUAGES = ["zh-Hant", "pt", "en"] as const;
export type TitleLanguage = (typeof TITLE_LANGUAGES)[number];
/** A text in each of {@link TITLE_LANGUAGES}. */
export type Titles = Record<TitleLanguage, string>;

const rule = ruleDefinitionSchema;
export type Rule = RuleDefinition;
export type EventRule = Exclude<Rule, { form: "absence" }>;

export const rulesFileSchema = z.object({
  version: z.number().int().positive(),
  description: z.string().optional(),
  latenessS: z.number().positive(),
  rules: z.array(rule).min(1),
});
export type RuleSet = z.infer<typeof rulesFileSchema>;

/** Checks a rules document (already parsed JSON); `source` names it in the error. */
export function parseRules(document: unknown, source: string): RuleSet {
  const parsed = rulesFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new Error(
      `invalid rules file ${source}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const ids = new Set<string>();
  for (const candidate of parsed.data.rules) {
    if (ids.has(candidate.id)) throw new Error(`invalid rules file ${source}: duplicate rule id ${candidate.id}`);
    ids.add(candidate.id);
  }
  return parsed.data;
}

/**
 * Names a plate read at a time in the watch list of a batch: whether a plate is watched depends on when it was seen
 * (an entry matches only events before its expiry).
 */
export function watchListKey(plate: string, at: Date): string {
  return `${plate}\u0000${at.getTime()}`;
}

/** Does `event` match `m`? `watchList` answers whether a plate read at a time is on the watch list (watchListKey). */
export function matches(m: Matcher, event: EventRow, watchList: { has(key: string): boolean }): boolean {
  if (m.source !== event.kind) return false;
  if (event.kind === "detection") {
    const row = event.row;
    if (m.objectClasses && !m.objectClasses.includes(row.objectClass)) return false;
    if (m.ruleTypes && !(row.rule && m.ruleTypes.includes(row.rule.type))) return false;
    if (m.minConfidence !== undefined && row.confidence < m.minConfidence) return false;
    if (m.minCount !== undefined && !(row.rule && row.rule.count >= m.minCount)) return false;
    if (m.watchListPlate && !(row.plate && watchList.has(watchListKey(row.plate.text, row.observedAt)))) return false;
    return true;
  }
  if (event.kind === "sensor_reading") {
    const row = event.row;
    if (m.kinds && !m.kinds.includes(row.kind)) return false;
    if (m.above !== undefined && !(row.value > m.above)) return false;
    return true;
  }
  const row = event.row;
  if (m.fault && !(row.signalLoss || row.sceneChange || row.state === "offline")) return false;
  return true;
}

/** Every matcher a rule uses, to find the rules an event may trigger. */
export function matchersOf(candidate: EventRule): Matcher[] {
  if (candidate.form === "co_occurrence") return candidate.require.flatMap((group) => group.any);
  return [candidate.match];
}
