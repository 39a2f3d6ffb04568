/**
 * Video evidence (README "Video evidence"): a clip of a camera around an evidence time, and the still of a detection.
 * Only VIDEO_ROLES; every access is audited as a look at personal data. The browser never learns a recorder's
 * address: stills and snapshots come through the gateway, a clip is described by its window and frames.
 */

import { z } from "zod";
import { caseReferenceSchema, purposeSchema } from "./cases.js";
import { timeSchema, UUID_PATTERN } from "./common.js";

const dateTime = z
  .string({ error: "must be an ISO-8601 date-time" })
  .regex(/^\d{4}-\d{2}-\d{2}T/, "must be an ISO-8601 date-time")
  .refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO-8601 date-time")
  .meta({ format: "date-time" });

const cameraId = z
  .string({ error: "is required (a camera id)" })
  .regex(/^[A-Za-z0-9._:-]{3,64}$/, "must be a camera id (3..64 characters of A-Z, a-z, 0-9, '.', '_', ':', '-')");

/** Why the video is looked at: an incident (operators), or a case with its purpose (investigators). */
const viewContext = {
  incidentId: z
    .string({ error: "must be an incident id (UUID)" })
    .regex(UUID_PATTERN, "must be an incident id (UUID)")
    .toLowerCase()
    .meta({ format: "uuid" })
    .optional(),
  caseReference: caseReferenceSchema.optional(),
  purpose: purposeSchema.optional(),
};

export const videoClipRequestSchema = z
  .strictObject(
    {
      cameraId,
      /** The evidence time; the clip runs from GATEWAY_CLIP_BEFORE_S before to GATEWAY_CLIP_AFTER_S after it. */
      at: dateTime,
      ...viewContext,
    },
    { error: "must be a JSON object" },
  )
  .meta({ id: "VideoClipRequest" });
export type VideoClipRequest = z.input<typeof videoClipRequestSchema>;

export const videoFrameSchema = z.object({
  at: timeSchema,
  /** A gateway path serving the still (audited; needs the bearer token). */
  href: z.string(),
});
export type VideoFrame = z.infer<typeof videoFrameSchema>;

export const videoClipSchema = z
  .object({
    /** Names this opening in the audit trail (its stills carry it). */
    clipId: z.string(),
    cameraId: z.string(),
    from: timeSchema,
    to: timeSchema,
    /** "recorder": the site's recorder serves it; "onvif": replayed from the camera (ONVIF Profile G). */
    source: z.enum(["recorder", "onvif"]),
    /** frigate, milestone, zoneminder or generic; null for ONVIF. */
    recorderKind: z.string().nullable(),
    /** Still frames across the window, when the recorder serves stills. */
    frames: z.array(videoFrameSchema),
    /** SHA-256 (hex) of the clip, when the recorder states one (Repr-Digest); null otherwise. */
    sha256: z.string().nullable(),
  })
  .meta({ id: "VideoClip" });
export type VideoClip = z.infer<typeof videoClipSchema>;

export const videoStillQuerySchema = z.object({
  cameraId,
  at: dateTime,
  /** The clip this still belongs to (from VideoClip.clipId), for the audit trail. */
  clipId: z.string().regex(UUID_PATTERN, "must be a clip id (UUID)").optional(),
  ...viewContext,
});
export type VideoStillQuery = z.input<typeof videoStillQuerySchema>;

export const detectionSnapshotQuerySchema = z.object(viewContext);
export type DetectionSnapshotQuery = z.input<typeof detectionSnapshotQuerySchema>;
