import { z } from "zod";
import { localizedTextSchema, timeSchema, UUID_PATTERN } from "./common.js";
import { INCIDENT_STATUSES } from "./vocabulary.js";

/** The version the operator saw; a stale one is refused with 409. */
const expectedVersion = z
  .number({ error: "must be a positive integer" })
  .int("must be a positive integer")
  .min(1, "must be a positive integer")
  .optional();

/** Free text of at most `max` characters, trimmed; empty or null clears the field. */
const clearable = (max: number) =>
  z
    .string({ error: "must be a string or null" })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullable()
    .transform((value) => value || null);

export const incidentTransitionRequestSchema = z
  .object({
    to: z.enum(
      INCIDENT_STATUSES.filter((status) => status !== "open"),
      { error: "must be acknowledged, dispatched, on_scene, resolved or false_alarm" },
    ),
    /** Why; required for false_alarm. */
    reason: z.string({ error: "must be a string" }).trim().max(1000, "must be at most 1000 characters").optional(),
    expectedVersion,
  })
  .superRefine((value, ctx) => {
    if (value.to === "false_alarm" && !value.reason) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "is required for a false alarm: why it is one" });
    }
  })
  .meta({ id: "IncidentTransitionRequest" });
export type IncidentTransitionRequest = z.input<typeof incidentTransitionRequestSchema>;

export const incidentAssignmentRequestSchema = z
  .object({
    /** An operator's username (must exist), or null. */
    operator: clearable(128),
    /** A unit, free text (e.g. "PSP patrol 12"), or null. */
    unit: clearable(128),
    /** The case or job number in the dispatch (CAD) system, or null. */
    cadReference: clearable(128),
    expectedVersion,
  })
  .meta({ id: "IncidentAssignmentRequest" });
export type IncidentAssignmentRequest = z.input<typeof incidentAssignmentRequestSchema>;

export const incidentNoteRequestSchema = z
  .object({
    text: z
      .string({ error: "must be a string" })
      .trim()
      .min(1, "must not be empty")
      .max(4000, "must be at most 4000 characters"),
  })
  .meta({ id: "IncidentNoteRequest" });
export type IncidentNoteRequest = z.input<typeof incidentNoteRequestSchema>;

export const incidentStepRequestSchema = z
  .object({ done: z.boolean({ error: "must be true or false" }) })
  .meta({ id: "IncidentStepRequest" });
export type IncidentStepRequest = z.input<typeof incidentStepRequestSchema>;

export const incidentMergeRequestSchema = z
  .object({
    /** The incident merged into this one: its evidence is copied here and it is closed. */
    otherId: z.string({ error: "must be an incident id" }).regex(UUID_PATTERN, "must be an incident id (UUID)"),
    expectedVersion,
  })
  .meta({ id: "IncidentMergeRequest" });
export type IncidentMergeRequest = z.input<typeof incidentMergeRequestSchema>;

/** One step of the incident kind's standard operating procedure, and who ticked it when. */
export const procedureStepViewSchema = z.object({
  id: z.string(),
  title: localizedTextSchema,
  done: z.boolean(),
  by: z.string().nullable(),
  at: timeSchema.nullable(),
});
export type ProcedureStepView = z.infer<typeof procedureStepViewSchema>;

const entry = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  z.object({ type: z.literal(type), at: timeSchema, ...shape });

/** The incident's history in one list, oldest first. */
export const timelineEntrySchema = z.discriminatedUnion("type", [
  entry("evidence", {
    eventId: z.string(),
    eventKind: z.enum(["detection", "sensor_reading", "camera_status"]),
    sourceId: z.string(),
    summary: z.string(),
  }),
  entry("transition", {
    actor: z.string(),
    from: z.enum(INCIDENT_STATUSES),
    to: z.enum(INCIDENT_STATUSES),
    reason: z.string().nullable(),
  }),
  entry("assignment", {
    actor: z.string(),
    operator: z.string().nullable(),
    unit: z.string().nullable(),
    cadReference: z.string().nullable(),
  }),
  /** `text` is null for roles that may not read notes (they may hold personal data). */
  entry("note", { actor: z.string(), text: z.string().nullable() }),
  entry("step", { actor: z.string(), stepId: z.string(), done: z.boolean() }),
  entry("merge", { actor: z.string(), otherIncidentId: z.string(), reason: z.string().nullable() }),
  /** A civil-protection alert message drafted from the incident. */
  entry("alert", {
    actor: z.string(),
    alertId: z.string(),
    messageType: z.string(),
    messageStatus: z.string(),
  }),
]);
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const incidentWorkflowSchema = z
  .object({
    incidentId: z.string(),
    assignedOperator: z.string().nullable(),
    assignedUnit: z.string().nullable(),
    cadReference: z.string().nullable(),
    /** Set when this incident was merged into another one (and closed). */
    mergedInto: z.string().nullable(),
    /** The kind's standard operating procedure (empty when the kind has none). */
    procedure: z.array(procedureStepViewSchema),
    timeline: z.array(timelineEntrySchema),
    /** Whether the caller may read the notes' text. */
    notesVisible: z.boolean(),
  })
  .meta({ id: "IncidentWorkflow" });
export type IncidentWorkflow = z.infer<typeof incidentWorkflowSchema>;
