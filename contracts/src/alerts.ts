/**
 * The alerts service's authoring API (proxied by the gateway under `/api/v1/alerting`): templates, messages and
 * their steps, deliveries, and the requests a drafter or approver sends.
 */

import { z } from "zod";
import { alertContentFields, alertContentSchema } from "./alert-content.js";
import { localizedTextSchema, queryInteger, timeSchema, UUID_PATTERN } from "./common.js";
import { partnerSourceSchema } from "./partner-feeds.js";
import {
  ALERT_STATES,
  CAP_MESSAGE_TYPES,
  CAP_SEVERITIES,
  CHANNEL_KINDS,
  DELIVERY_STATES,
  MESSAGE_STATUSES,
} from "./vocabulary.js";

export const alertTemplateSchema = z
  .object({
    id: z.string(),
    /** Grouping for the picker, e.g. "tropical-cyclone", "storm-surge", "rainstorm". */
    group: z.string(),
    name: localizedTextSchema,
    /** Content to start from; `expires` is computed from `expiresInHours` when the draft is made. */
    content: alertContentFields.omit({ expires: true, templateId: true, incidentId: true }),
    expiresInHours: z.number(),
  })
  .meta({ id: "AlertTemplate" });
export type AlertTemplate = z.infer<typeof alertTemplateSchema>;

export const messageStepSchema = z.object({
  action: z.enum(["drafted", "edited", "submitted", "approved", "rejected", "withdrawn"]),
  by: z.string(),
  at: timeSchema,
  note: z.string().nullable(),
});
export type MessageStep = z.infer<typeof messageStepSchema>;

export const deliveryViewSchema = z.object({
  channel: z.string(),
  subscriber: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: timeSchema.nullable(),
  sentAt: timeSchema.nullable(),
  receipt: z.string().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const channelDeliverySummarySchema = z
  .object({
    /** e.g. "webhook:civil-protection-app", "wechat", "cap-feed", "public-page". */
    channel: z.string(),
    kind: z.enum(CHANNEL_KINDS),
    counts: z.record(z.enum(DELIVERY_STATES), z.number().int()),
    /** Up to 20 deliveries not (yet) sent, worst first. */
    problems: z.array(deliveryViewSchema),
  })
  .meta({ id: "ChannelDeliverySummary" });
export type ChannelDeliverySummary = z.infer<typeof channelDeliverySummarySchema>;

export const messageViewSchema = z
  .object({
    id: z.string(),
    alertId: z.string(),
    /** The alert's version this message makes when published (1, 2, …). */
    version: z.number().int(),
    msgType: z.enum(CAP_MESSAGE_TYPES),
    status: z.enum(MESSAGE_STATUSES),
    /** CAP identifier, fixed at drafting. */
    identifier: z.string(),
    /** CAP references of the earlier message ("sender,identifier,sent"), for Update and Cancel. */
    references: z.string().nullable(),
    content: alertContentSchema,
    draftedBy: z.string(),
    /** Set when published. */
    sent: timeSchema.nullable(),
    approvedBy: z.string().nullable(),
    steps: z.array(messageStepSchema),
    /** Grows with every change to the message (optimistic concurrency for edits and decisions). */
    revision: z.number().int(),
    /** Set when the draft was made from a partner agency's warning: its source, to check the draft against. */
    partner: partnerSourceSchema.nullable().optional(),
  })
  .meta({ id: "MessageView" });
export type MessageView = z.infer<typeof messageViewSchema>;

export const alertSummarySchema = z
  .object({
    id: z.string(),
    state: z.enum(ALERT_STATES),
    /** Published versions so far. */
    version: z.number().int(),
    event: localizedTextSchema,
    headline: localizedTextSchema,
    severity: z.enum(CAP_SEVERITIES),
    sent: timeSchema.nullable(),
    expires: timeSchema.nullable(),
    /** The newest published message, and a message in progress (draft or pending), if any. */
    currentMessageId: z.string().nullable(),
    pendingMessageId: z.string().nullable(),
    updatedAt: timeSchema,
  })
  .meta({ id: "AlertSummary" });
export type AlertSummary = z.infer<typeof alertSummarySchema>;

// ---- Requests ----------------------------------------------------------------------------------------------------

export const messageTypeSchema = z.enum(CAP_MESSAGE_TYPES, { error: "must be Alert, Update or Cancel" });
export const alertIdSchema = z
  .string({ error: "must be the uuid of a published alert" })
  .regex(UUID_PATTERN, "must be the uuid of a published alert")
  .meta({ format: "uuid" });
export const revisionSchema = z
  .number({ error: "must be the revision you saw" })
  .int("must be the revision you saw")
  .meta({ description: "The message's revision the caller saw; another one is refused with 409" });
export const noteSchema = z
  .string({ error: "must be text of at most 1000 characters" })
  .max(1000, "must be text of at most 1000 characters")
  .nullish();

export const createMessageRequestSchema = z
  .discriminatedUnion(
    "msgType",
    [
      z.object({ msgType: z.literal("Alert"), content: alertContentSchema }),
      /** A new version of a published, active alert. */
      z.object({ msgType: z.literal("Update"), alertId: alertIdSchema, content: alertContentSchema }),
      /** Retracts the alert on every channel; `content` (optional) carries the cancellation text. */
      z.object({ msgType: z.literal("Cancel"), alertId: alertIdSchema, content: alertContentSchema.optional() }),
    ],
    { error: "must be Alert, Update or Cancel" },
  )
  .meta({ id: "CreateMessageRequest" });
export type CreateMessageRequest = z.infer<typeof createMessageRequestSchema>;

export const editMessageRequestSchema = z
  .object({ revision: revisionSchema, content: alertContentSchema })
  .meta({ id: "EditMessageRequest" });
export type EditMessageRequest = z.infer<typeof editMessageRequestSchema>;

export const decisionRequestSchema = z
  .object({
    revision: revisionSchema,
    /** Required for reject and withdraw. */
    note: noteSchema,
  })
  .meta({ id: "DecisionRequest" });
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/** GET content to start a draft from: a template, an incident, or both. */
export const prefillQuerySchema = z.object({
  templateId: z.string().optional(),
  incidentId: z.string().regex(UUID_PATTERN, "must be a uuid").meta({ format: "uuid" }).optional(),
});
export type PrefillQuery = z.infer<typeof prefillQuerySchema>;

/** GET messages, newest first. */
export const messagesQuerySchema = z.object({
  status: z.enum(MESSAGE_STATUSES, { error: `must be one of ${MESSAGE_STATUSES.join(", ")}` }).optional(),
  limit: queryInteger(1, 500, "must be 1..500").optional(),
});
