import { z } from "zod";
import { SEVERITIES } from "./vocabulary.js";

/**
 * Correlation rules (issue 15): the shape of one rule, shared by the correlator (which runs it) and the gateway (which
 * refuses a bad proposal before it is stored), and the rule versions staff propose, approve and dry-run. A rule has a
 * form:
 *   co_occurrence  every `require` group has a matching event within radiusM and windowS of each other;
 *   threshold      at least minCount matching events (from distinctSources devices, spanning minSpanS) nearby;
 *   single         one matching event is enough (camera faults, watch-list plates);
 *   absence        a camera has sent no status for silenceS (evaluated on a timer, not per event).
 * `enabled: false` keeps a rule (and its history) but opens nothing.
 */
export const ruleSeveritySchema = z.enum(SEVERITIES);

export const ruleMatcherSchema = z
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

const severityBy = z.object({
  kinds: z.array(z.string()),
  /** [value, severity]: the highest step at or below the largest value among the evidence wins. */
  steps: z.array(z.tuple([z.number(), ruleSeveritySchema])),
});

// Bounded: an incident title is listed in case-assist records, whose size the gRPC message limit caps.
const titleText = z.string().trim().min(1, "must not be empty").max(200);
const ruleTitles = z
  .object({ "zh-Hant": titleText, pt: titleText, en: titleText }, { error: "must name the rule in zh-Hant, pt and en" })
  .strict();

export const RULE_ID_PATTERN = /^[a-z0-9-]{2,40}$/;
// Upper bounds keep a proposal from asking the correlator for a city-wide, week-long neighbourhood per event.
const radiusM = z.number().positive().max(50_000);
const windowS = z.number().positive().max(86_400);

const common = {
  id: z.string().regex(RULE_ID_PATTERN),
  kind: z.string().min(1).max(64),
  /** The incident's title in every language; an incident adds what it is about (a camera, a sensor). */
  titles: ruleTitles,
  severity: ruleSeveritySchema,
  /** A disabled rule opens no incident (absent: enabled). */
  enabled: z.boolean().default(true),
};
export const ruleDefinitionSchema = z.discriminatedUnion("form", [
  z.object({
    ...common,
    form: z.literal("co_occurrence"),
    radiusM,
    windowS,
    require: z.array(z.object({ any: z.array(ruleMatcherSchema).min(1) })).min(2),
    severityBy: severityBy.optional(),
  }),
  z.object({
    ...common,
    form: z.literal("threshold"),
    radiusM,
    windowS,
    match: ruleMatcherSchema,
    minCount: z.number().int().min(1).max(100_000),
    distinctSources: z.number().int().min(1).default(1),
    minSpanS: z.number().min(0).default(0),
    severityBy: severityBy.optional(),
  }),
  z.object({ ...common, form: z.literal("single"), radiusM, windowS, match: ruleMatcherSchema }),
  z.object({ ...common, form: z.literal("absence"), silenceS: z.number().positive().max(604_800) }),
]);
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;

export const RULE_VERSION_STATUSES = ["draft", "pending", "approved", "superseded", "rejected"] as const;
export type RuleVersionStatus = (typeof RULE_VERSION_STATUSES)[number];
/** Who may propose, approve, reject and dry-run rule versions (approval by a second person). */
export const RULE_EDITOR_ROLES = ["supervisor", "administrator"] as const;
/** The longest dry run, in hours of stored events. */
export const RULE_DRY_RUN_MAX_HOURS = 72;

const time = z.string();
export const ruleVersionViewSchema = z
  .object({
    ruleId: z.string(),
    version: z.number().int(),
    status: z.enum(RULE_VERSION_STATUSES),
    definition: z.record(z.string(), z.unknown()),
    changeNote: z.string(),
    proposedBy: z.string(),
    proposedAt: time,
    decidedBy: z.string().nullable(),
    decidedAt: time.nullable(),
  })
  .meta({ id: "RuleVersion" });
export type RuleVersionView = z.infer<typeof ruleVersionViewSchema>;

export const ruleHistorySchema = z
  .object({
    ruleId: z.string(),
    /** The approved version the correlators run (null: none approved yet). */
    current: z.number().int().nullable(),
    /** Newest first, at most 100. */
    versions: z.array(ruleVersionViewSchema),
  })
  .meta({ id: "RuleHistory" });
export type RuleHistory = z.infer<typeof ruleHistorySchema>;

export const proposeRuleVersionRequestSchema = z
  .strictObject({
    /** The whole rule as it should be (its id must be the rule's); checked like the rules file. */
    definition: ruleDefinitionSchema,
    changeNote: z.string().trim().min(3).max(500),
  })
  .meta({ id: "ProposeRuleVersionRequest" });
export type ProposeRuleVersionRequest = z.input<typeof proposeRuleVersionRequestSchema>;

export const ruleDecisionRequestSchema = z
  .strictObject({ note: z.string().trim().max(500).optional() })
  .meta({ id: "RuleDecisionRequest" });

export const ruleDryRunRequestSchema = z
  .strictObject({ hours: z.number().int().min(1).max(RULE_DRY_RUN_MAX_HOURS) })
  .meta({ id: "RuleDryRunRequest" });

export const dryRunIncidentSchema = z.object({
  correlationKey: z.string(),
  severity: ruleSeveritySchema,
  firstEventAt: time,
  lastEventAt: time,
  evidence: z.number().int(),
  /** The rule version that opened it (the version under trial for would-open). */
  ruleVersion: z.number().int().nullable(),
});
export type DryRunIncident = z.infer<typeof dryRunIncidentSchema>;

export const ruleDryRunSchema = z
  .object({
    ruleId: z.string(),
    version: z.number().int(),
    from: time,
    to: time,
    /** Stored events read; `truncated` when the bound was reached (the result covers the oldest events only). */
    eventsRead: z.number().int(),
    truncated: z.boolean(),
    /** What the version would have opened over the stored events of the window (nothing written). */
    wouldOpen: z.array(dryRunIncidentSchema),
    /** The incidents of the rule the correlators actually opened in the window. */
    opened: z.array(dryRunIncidentSchema),
  })
  .meta({ id: "RuleDryRun" });
export type RuleDryRun = z.infer<typeof ruleDryRunSchema>;
