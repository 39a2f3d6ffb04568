/**
 * Legal holds on police cases. While a case is held, its case-assist records and lookups (plate lists) outlive
 * their retention. A hold is released only by two supervisors: one requests the release with a reason, another
 * approves it; the database refuses any other way of clearing it, and every step is audited.
 */
import { z } from "zod";
import { caseCodeSchema, decisionReasonSchema } from "./staff-fields.js";

const time = z.string().meta({ format: "date-time" });

export const placeLegalHoldRequestSchema = z
  .strictObject({
    /** The police case, e.g. "PJ-2026-004512". */
    caseReference: caseCodeSchema,
    /** Why the case's material must be kept: 10..500 characters. */
    reason: decisionReasonSchema,
  })
  .meta({ id: "PlaceLegalHoldRequest" });
export type PlaceLegalHoldRequest = z.infer<typeof placeLegalHoldRequestSchema>;

export const legalHoldReleaseRequestSchema = z
  .strictObject({
    /** The held case. */
    caseReference: caseCodeSchema,
    /** Why the hold may end: 10..500 characters. */
    reason: decisionReasonSchema,
  })
  .meta({ id: "LegalHoldReleaseRequest" });
export type LegalHoldReleaseRequest = z.infer<typeof legalHoldReleaseRequestSchema>;

export const legalHoldReleaseViewSchema = z
  .object({
    id: z.string(),
    caseReference: z.string(),
    requestedBy: z.string(),
    reason: z.string(),
    requestedAt: time,
    /** A supervisor other than the requester; null while pending. */
    approvedBy: z.string().nullable(),
    approvedAt: time.nullable(),
  })
  .meta({ id: "LegalHoldRelease" });
export type LegalHoldReleaseView = z.infer<typeof legalHoldReleaseViewSchema>;

export const legalHoldViewSchema = z
  .object({
    id: z.string(),
    caseReference: z.string(),
    reason: z.string(),
    placedBy: z.string(),
    placedAt: time,
    /** Null while the hold is in force. */
    releasedAt: time.nullable(),
    releasedBy: z.string().nullable(),
    /** A release waiting for a second supervisor's approval. */
    pendingRelease: legalHoldReleaseViewSchema.nullable(),
  })
  .meta({ id: "LegalHold" });
export type LegalHoldView = z.infer<typeof legalHoldViewSchema>;
