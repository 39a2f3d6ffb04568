/**
 * Plate watch lists run by staff (README "Watch lists"). An investigator proposes an entry (a plate, or a pattern
 * with `*` and `?`) with a reason, a case reference and an expiry; it matches only once a supervisor other than the
 * proposer approves it, and only until it expires. Moving the expiry needs a second person too. The plate is
 * personal data: entries and hits reach investigators and supervisors only, and every look is audited.
 */
import { z } from "zod";
import { queryInteger, timeSchema } from "./common.js";
import { caseCodeSchema, decisionReasonSchema } from "./staff-fields.js";
import type { Role } from "./vocabulary.js";

/** Who may see the watch list and its hits (every look audited). */
export const WATCH_LIST_ROLES = ["investigator", "supervisor"] as const satisfies readonly Role[];
/** Who may propose an entry. */
export const WATCH_LIST_PROPOSER_ROLES = ["investigator"] as const satisfies readonly Role[];
/** Who may approve or reject an entry or an extension (never their own). */
export const WATCH_LIST_APPROVER_ROLES = ["supervisor"] as const satisfies readonly Role[];

/** The longest an entry may run, from now (a proposal or an extension). */
export const MAX_WATCH_LIST_DAYS = 365;
/** A pattern must keep at least this many letters or digits: "*" or "M*" would watch the whole city. */
export const MIN_PATTERN_LITERALS = 3;

export const WATCH_LIST_STATUSES = ["pending", "active", "rejected", "removed"] as const;
export type WatchListStatus = (typeof WATCH_LIST_STATUSES)[number];
export const WATCH_LIST_MATCH_KINDS = ["exact", "pattern"] as const;
export type WatchListMatchKind = (typeof WATCH_LIST_MATCH_KINDS)[number];

const futureTime = z
  .string({ error: "is required (an ISO-8601 date-time)" })
  .pipe(
    z.iso.datetime({
      offset: true,
      error: "must be an ISO-8601 date-time with a UTC offset, e.g. 2026-12-31T23:59:00+08:00",
    }),
  )
  .superRefine((value, ctx) => {
    const at = Date.parse(value);
    if (at <= Date.now()) ctx.addIssue({ code: "custom", message: "must be in the future" });
    else if (at > Date.now() + MAX_WATCH_LIST_DAYS * 86_400_000)
      ctx.addIssue({ code: "custom", message: `must be at most ${MAX_WATCH_LIST_DAYS} days from now` });
  });

/**
 * The plate as cameras read it, upper-cased: letters, digits, "-" and spaces. A pattern may use `*` (any run of
 * characters) and `?` (exactly one), and must keep {@link MIN_PATTERN_LITERALS} letters or digits.
 */
export const watchListProposalSchema = z
  .strictObject({
    plate: z
      .string({ error: "is required (a string)" })
      .trim()
      .transform((value) => value.toUpperCase()),
    matchKind: z.enum(WATCH_LIST_MATCH_KINDS, { error: 'must be "exact" or "pattern"' }).default("exact"),
    /** Why the plate is wanted: 10..500 characters. */
    reason: decisionReasonSchema,
    /** The police case, e.g. "PJ-2026-004512". */
    caseReference: caseCodeSchema,
    /** When the entry stops matching: in the future, at most MAX_WATCH_LIST_DAYS ahead. */
    expiresAt: futureTime,
  })
  .superRefine((value, ctx) => {
    const problem = plateProblem(value.plate, value.matchKind);
    if (problem) ctx.addIssue({ code: "custom", path: ["plate"], message: problem });
  })
  .meta({ id: "WatchListProposal" });
export type WatchListProposal = z.input<typeof watchListProposalSchema>;

/** Why `plate` cannot be an entry of this kind, or null. Shared by the API and the dashboard's form. */
export function plateProblem(plate: string, kind: WatchListMatchKind): string | null {
  if (kind === "exact") {
    return /^[A-Z0-9][A-Z0-9 -]{0,14}[A-Z0-9]$/.test(plate)
      ? null
      : "must be 2..16 characters of A-Z, 0-9, '-' and space";
  }
  if (!/^[A-Z0-9 ?*-]{3,16}$/.test(plate)) return "must be 3..16 characters of A-Z, 0-9, '-', space, '*' and '?'";
  if (!/[*?]/.test(plate)) return "a pattern needs a '*' or '?' (otherwise choose exact)";
  if (plate.replace(/[^A-Z0-9]/g, "").length < MIN_PATTERN_LITERALS)
    return `too broad: a pattern must keep at least ${MIN_PATTERN_LITERALS} letters or digits`;
  return null;
}

export const watchListExtensionRequestSchema = z
  .strictObject({
    /** The new expiry: later than the current one, at most MAX_WATCH_LIST_DAYS from now. */
    expiresAt: futureTime,
    reason: decisionReasonSchema,
  })
  .meta({ id: "WatchListExtensionRequest" });
export type WatchListExtensionRequest = z.input<typeof watchListExtensionRequestSchema>;

/** Rejecting or removing: why, 10..500 characters. */
export const watchListReasonRequestSchema = z
  .strictObject({ reason: decisionReasonSchema })
  .meta({ id: "WatchListReasonRequest" });
export type WatchListReasonRequest = z.input<typeof watchListReasonRequestSchema>;

export const watchListExtensionViewSchema = z
  .object({
    id: z.string(),
    expiresAt: timeSchema,
    reason: z.string(),
    requestedBy: z.string(),
    requestedAt: timeSchema,
  })
  .meta({ id: "WatchListExtension" });
export type WatchListExtensionView = z.infer<typeof watchListExtensionViewSchema>;

export const watchListEntryViewSchema = z
  .object({
    id: z.string(),
    /** What incidents call the entry instead of the plate. */
    reference: z.string(),
    matchKind: z.enum(WATCH_LIST_MATCH_KINDS),
    /** The plate, or the pattern (personal data). */
    plate: z.string(),
    reason: z.string(),
    caseReference: z.string(),
    status: z.enum(WATCH_LIST_STATUSES),
    expiresAt: timeSchema,
    /** Active and not expired: sightings match it now. */
    matching: z.boolean(),
    addedBy: z.string(),
    addedAt: timeSchema,
    /** Who approved or rejected it, and when. */
    decidedBy: z.string().nullable(),
    decidedAt: timeSchema.nullable(),
    decisionReason: z.string().nullable(),
    removedBy: z.string().nullable(),
    removedAt: timeSchema.nullable(),
    removalReason: z.string().nullable(),
    /** An extension waiting for a second person, if any. */
    pendingExtension: watchListExtensionViewSchema.nullable(),
  })
  .meta({ id: "WatchListEntry" });
export type WatchListEntryView = z.infer<typeof watchListEntryViewSchema>;

export const watchListQuerySchema = z.strictObject({
  status: z.enum(WATCH_LIST_STATUSES, { error: 'must be "pending", "active", "rejected" or "removed"' }).optional(),
});

export const watchListHitViewSchema = z
  .object({
    entryId: z.string(),
    reference: z.string(),
    /** The plate the camera read (for a pattern entry, the one that matched). */
    plate: z.string(),
    cameraId: z.string(),
    observedAt: timeSchema,
    /** The watch-list incident it went to, if one. */
    incidentId: z.string().nullable(),
    caseReference: z.string(),
    reason: z.string(),
  })
  .meta({ id: "WatchListHit" });
export type WatchListHitView = z.infer<typeof watchListHitViewSchema>;

export const watchListHitsQuerySchema = z.strictObject({
  entryId: z
    .string()
    .regex(/^[0-9a-f-]{36}$/i, "must be an entry id (a UUID)")
    .optional(),
  limit: queryInteger(1, 200, "must be an integer in 1..200").default(50),
});
