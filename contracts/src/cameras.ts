import { z } from "zod";
import { timeSchema } from "./common.js";
import { CAMERA_STATES } from "./vocabulary.js";

export const cameraViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    district: z.string(),
    phase: z.number().int(),
    lat: z.number(),
    lon: z.number(),
    bearingDeg: z.number(),
    fovAngleDeg: z.number(),
    rangeM: z.number(),
    state: z.enum(CAMERA_STATES),
    /** When the camera last reported its status; null if never. */
    lastStatusAt: timeSchema.nullable(),
    /** Milliseconds of `lastStatusAt` (0 if never): a newer status has a higher version. */
    version: z.number(),
  })
  .meta({ id: "CameraView" });
export type CameraView = z.infer<typeof cameraViewSchema>;

export const cameraStatusChangeSchema = z
  .object({
    cameraId: z.string(),
    state: z.enum(CAMERA_STATES),
    /** Why it is degraded or offline, when the camera said (e.g. "signal_loss", "scene_change"). */
    reason: z.string().nullable(),
    observedAt: timeSchema,
    version: z.number(),
    /**
     * True for the hub's own verdict (silent after CORRELATOR_CAMERA_SILENT_AFTER_S, or heard again) rather than a
     * report of the camera's: `observedAt` is when the hub decided, and the camera's `lastStatusAt` does not move.
     */
    byHub: z.boolean().optional(),
  })
  .meta({ id: "CameraStatusChange" });
export type CameraStatusChange = z.infer<typeof cameraStatusChangeSchema>;

export const detectionCountSchema = z.object({
  /** Start of the minute. */
  bucket: timeSchema,
  objectClass: z.string(),
  count: z.number().int(),
});
export type DetectionCount = z.infer<typeof detectionCountSchema>;

export const cameraDetailSchema = z
  .object({
    camera: cameraViewSchema,
    /** Newest first, at most 50. */
    statusHistory: z.array(cameraStatusChangeSchema),
    /** Per minute and class over the last hour, from the continuous aggregate. */
    detectionCounts: z.array(detectionCountSchema),
  })
  .meta({ id: "CameraDetail" });
export type CameraDetail = z.infer<typeof cameraDetailSchema>;

/** One detection as the live map shows it. No plate text: plates are personal data, shown only in case lookups. */
export const detectionBriefSchema = z
  .object({
    eventId: z.string(),
    cameraId: z.string(),
    objectClass: z.string(),
    ruleType: z.string().nullable(),
    confidence: z.number(),
    observedAt: timeSchema,
    /** When the ingest service acknowledged it. */
    ingestedAt: timeSchema,
  })
  .meta({ id: "DetectionBrief" });
export type DetectionBrief = z.infer<typeof detectionBriefSchema>;

/**
 * One detection with what identifies a person or vehicle: the plate, the classifier's attributes (clothing, face
 * attributes, vehicle colour) and the tracker's id. Only for an investigator's subscription with a case reference
 * and purpose (`SubscribeRequest.personalData`), which is audited from subscribe to unsubscribe.
 */
export const personalDetectionSchema = detectionBriefSchema
  .extend({
    trackId: z.string().nullable(),
    attributes: z.record(z.string(), z.string()),
    plate: z.object({ text: z.string(), region: z.string(), confidence: z.number() }).nullable(),
  })
  .meta({ id: "PersonalDetection" });
export type PersonalDetection = z.infer<typeof personalDetectionSchema>;
