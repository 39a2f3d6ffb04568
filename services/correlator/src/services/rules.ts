import { z } from "zod";
import type { EventRow } from "./records.js";

/**
 * Declarative correlation rules, read from a versioned JSON file (rules/rules.v1.json). A rule has a form:
 *   co_occurrence  every `require` group has a matching event within radiusM and windowS of each other;
 *   threshold      at least minCount matching events (from distinctSources devices, spanning minSpanS) nearby;
 *   single         one matching event is enough (camera faults, watch-list plates);
 *   absence        a camera has sent no status for silenceS (evaluated on a timer, not per event).
 */
const severity = z.enum(["minor", "moderate", "severe", "extreme"]);
export type Severity = z.infer<typeof severity>;

const SEVERITY_ORDER: Severity[] = ["minor", "moderate", "severe", "extreme"];
/** The graver of two severities: an incident's severity only ever escalates. */
export const maxSeverity = (a: Severity, b: Severity): Severity =>
  SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;

const matcher = z
  .object({
    source: z.enum(["detection", "sensor_reading", "camera_status"]),
    objectClasses: z.array(z.string()).optional(),
    ruleTypes: z.array(z.string()).optional(),
    minConfidence: z.number().min(0).max(1).optional(),
    /** For crowd counts: the rule event's count at least this. */
    minCount: z.number().int().min(0).optional(),
    kinds: z.array(z.string()).optional(),
    above: z.number().optional(),
    fault: z.boolean().optional(),
    watchListPlate: z.boolean().optional(),
  })
  .strict();
export type Matcher = z.infer<typeof matcher>;

const severityBy = z.object({
  kinds: z.array(z.string()),
  /** [value, severity]: the highest step at or below the largest value among the evidence wins. */
  steps: z.array(z.tuple([z.number(), severity])),
});

/** The languages a rule's title is written in (Macao's three; the dashboard's languages). */
export const TITLE_LANGUAGES = ["zh-Hant", "pt", "en"] as const;
export type TitleLanguage = (typeof TITLE_LANGUAGES)[number];
/** A text in each of {@link TITLE_LANGUAGES}. */
export type Titles = Record<TitleLanguage, string>;

// Bounded: an incident title is listed in case-assist records, whose size the gRPC message limit caps.
const titleText = z.string().trim().min(1, "must not be empty").max(200);
const titles = z
  .object({ "zh-Hant": titleText, pt: titleText, en: titleText }, { error: "must name the rule in zh-Hant, pt and en" })
  .strict();

const common = {
  id: z.string().regex(/^[a-z0-9-]{2,40}$/),
  kind: z.string().min(1).max(64),
  /** The incident's title in every language; an incident adds what it is about (a camera, a sensor). */
  titles,
  severity,
};
const rule = z.discriminatedUnion("form", [
  z.object({
    ...common,
    form: z.literal("co_occurrence"),
    radiusM: z.number().positive(),
    windowS: z.number().positive(),
    require: z.array(z.object({ any: z.array(matcher).min(1) })).min(2),
    severityBy: severityBy.optional(),
  }),
  z.object({
    ...common,
    form: z.literal("threshold"),
    radiusM: z.number().positive(),
    windowS: z.number().positive(),
    match: matcher,
    minCount: z.number().int().min(1),
    distinctSources: z.number().int().min(1).default(1),
    minSpanS: z.number().min(0).default(0),
    severityBy: severityBy.optional(),
  }),
  z.object({
    ...common,
    form: z.literal("single"),
    radiusM: z.number().positive(),
    windowS: z.number().positive(),
    match: matcher,
  }),
  z.object({ ...common, form: z.literal("absence"), silenceS: z.number().positive() }),
]);
export type Rule = z.infer<typeof rule>;
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
