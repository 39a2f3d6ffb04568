/**
 * Warnings from partner agencies (issue 15): the alerts service polls their signed CAP feeds; each new or updated
 * signal becomes a draft for a drafter to check, and each feed or alert it could not trust is a refused import with
 * its reason. Nothing a partner sends is ever published without the two-person approval.
 */

import { z } from "zod";
import { localizedTextSchema, queryInteger, timeSchema } from "./common.js";

/** The drafter of a draft made from a partner's warning ("partner:<feed id>"): any drafter may take it over. */
export const PARTNER_DRAFTER_PREFIX = "partner:";

export const PARTNER_IMPORT_STATUSES = ["drafted", "refused", "ignored"] as const;
export type PartnerImportStatus = (typeof PARTNER_IMPORT_STATUSES)[number];

/** Where a partner draft came from: shown beside the draft so the drafter checks it against the source. */
export const partnerSourceSchema = z
  .object({
    feedId: z.string(),
    /** The partner's name in each language (from the configuration). */
    partnerName: localizedTextSchema,
    /** The partner's CAP identifier, sender and sent time. */
    identifier: z.string(),
    sender: z.string(),
    sent: timeSchema,
    msgType: z.enum(["Alert", "Update", "Cancel"]),
    /** The partner's CAP `<references>`, for an Update or Cancel. */
    references: z.string().nullable(),
    /** Where the CAP document was read (the feed's link, or the feed itself when embedded). */
    link: z.string(),
    event: z.string(),
    /** The partner's own text, kept as it was sent, one entry per `<info>` (language as the partner tagged it). */
    texts: z.array(
      z.object({
        language: z.string(),
        headline: z.string().nullable(),
        description: z.string().nullable(),
        instruction: z.string().nullable(),
      }),
    ),
    /** The partner identifier of the earlier signal this one updates or cancels, when it was imported before. */
    earlierIdentifier: z.string().nullable(),
    /** Our draft made from that earlier signal. */
    earlierMessageId: z.string().nullable(),
  })
  .meta({ id: "PartnerSource" });
export type PartnerSource = z.infer<typeof partnerSourceSchema>;

export const partnerImportViewSchema = z
  .object({
    id: z.string(),
    feedId: z.string(),
    partnerName: localizedTextSchema,
    status: z.enum(PARTNER_IMPORT_STATUSES),
    /** Why it was refused or ignored (null when drafted). */
    reason: z.string().nullable(),
    /** The partner's identifier and sent time, when the document got that far. */
    identifier: z.string().nullable(),
    sent: timeSchema.nullable(),
    link: z.string().nullable(),
    /** The draft made from it (drafted only). */
    messageId: z.string().nullable(),
    templateId: z.string().nullable(),
    receivedAt: timeSchema,
  })
  .meta({ id: "PartnerImportView" });
export type PartnerImportView = z.infer<typeof partnerImportViewSchema>;

export const partnerImportsQuerySchema = z.object({
  status: z.enum(PARTNER_IMPORT_STATUSES, { error: "must be drafted, refused or ignored" }).optional(),
  limit: queryInteger(1, 200, "must be 1..200").optional(),
});
