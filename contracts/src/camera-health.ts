import { z } from "zod";
import { queryInteger, timeSchema } from "./common.js";
import { CAMERA_STATES } from "./vocabulary.js";

/**
 * The camera list (GET /api/v1/camera-health): filters, one page at a time in id order. Unknown parameters are
 * refused, so a misspelt filter is a 400 naming it rather than a silently unfiltered list.
 */
export const cameraListQuerySchema = z
  .object({
    district: z.string().min(1).max(64).optional(),
    phase: queryInteger(1, 5, "must be an integer in 1..5").optional(),
    state: z.enum(CAMERA_STATES).optional(),
    site: z.string().min(1).max(64).optional(),
    /** Page size. */
    limit: queryInteger(1, 500, "must be an integer in 1..500").default(100),
    /** The last id of the previous page (`nextAfter`). */
    after: z.string().min(1).max(64).optional(),
    /**
     * Decommissioned cameras are left out unless "true" (all cameras) or "only" (just the decommissioned ones).
     */
    decommissioned: z.enum(["false", "true", "only"], { error: 'must be "false", "true" or "only"' }).default("false"),
  })
  .strict();
/** The parameters as a client sends them (all optional). */
export type CameraListQuery = Partial<z.output<typeof cameraListQuerySchema>>;

export const cameraHealthRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    district: z.string(),
    phase: z.number().int(),
    siteId: z.string(),
    /** What the map shows: "silent" while the hub has not heard the camera, else its last report. */
    state: z.enum(CAMERA_STATES),
    /** The newest status report or detection; null if never heard. */
    lastHeardAt: timeSchema.nullable(),
    /**
     * Share (0..1) of the window's completed 5-minute intervals, since registration if later, whose last status
     * report was online or degraded; an interval without a report counts as unavailable. Null when the camera has
     * been registered for less than one interval. From the continuous aggregate camera_status_5m.
     */
    availability24h: z.number().nullable(),
    availability7d: z.number().nullable(),
    /** Open or acknowledged incidents with evidence from this camera, or about it (camera faults). */
    currentIncidents: z.number().int(),
    /** When a supervisor decommissioned it (it is then off the map); null while in service. */
    decommissionedAt: timeSchema.nullable(),
  })
  .meta({ id: "CameraHealthRow" });
export type CameraHealthRow = z.infer<typeof cameraHealthRowSchema>;

export const cameraListSchema = z
  .object({
    cameras: z.array(cameraHealthRowSchema),
    /** Cameras matching the filters, over all pages. */
    total: z.number().int(),
    /** `after` for the next page; null on the last. */
    nextAfter: z.string().nullable(),
  })
  .meta({ id: "CameraList" });
export type CameraList = z.infer<typeof cameraListSchema>;

const isoDateTime = () =>
  z.iso.datetime({
    offset: true,
    error: "must be an ISO-8601 date-time with a UTC offset, e.g. 2025-08-01T18:00:00+08:00",
  });

/** The longest maintenance window: anything longer is a decommissioning, not maintenance. */
export const MAX_MAINTENANCE_DAYS = 31;

/**
 * A maintenance window for one camera (`cameraId`) or a whole district (`district`), exactly one of them. From
 * `startsAt` (default: now) until `endsAt`. While it is in force the correlator opens no camera_fault incident for
 * the cameras it covers, and they show "in maintenance".
 */
export const maintenanceWindowRequestSchema = z
  .object({
    cameraId: z.string().min(1).max(64).optional(),
    district: z.string().min(1).max(64).optional(),
    startsAt: isoDateTime().optional(),
    endsAt: isoDateTime(),
    reason: z.string().trim().min(1, "is required").max(500),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (Boolean(value.cameraId) === Boolean(value.district))
      ctx.addIssue({ code: "custom", path: ["cameraId"], message: "give either cameraId or district, not both" });
    const starts = value.startsAt ? Date.parse(value.startsAt) : Date.now();
    const ends = Date.parse(value.endsAt);
    if (ends <= starts) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt" });
    else if (ends - starts > MAX_MAINTENANCE_DAYS * 86_400_000)
      ctx.addIssue({
        code: "custom",
        path: ["endsAt"],
        message: `must be at most ${MAX_MAINTENANCE_DAYS} days after startsAt`,
      });
  });
export type MaintenanceWindowRequest = z.input<typeof maintenanceWindowRequestSchema>;

export const maintenanceWindowViewSchema = z
  .object({
    id: z.string(),
    cameraId: z.string().nullable(),
    district: z.string().nullable(),
    startsAt: timeSchema,
    endsAt: timeSchema,
    reason: z.string(),
    createdBy: z.string(),
    createdAt: timeSchema,
    /** Set when a supervisor ended it before `endsAt`. */
    endedBy: z.string().nullable(),
    endedAt: timeSchema.nullable(),
  })
  .meta({ id: "MaintenanceWindow" });
export type MaintenanceWindowView = z.infer<typeof maintenanceWindowViewSchema>;

/** GET /api/v1/maintenance-windows: windows in force or still to come, of a camera or a district if given. */
export const maintenanceWindowsQuerySchema = z
  .object({ cameraId: z.string().min(1).max(64).optional(), district: z.string().min(1).max(64).optional() })
  .strict();

/** Who may create and end maintenance windows. */
export const MAINTENANCE_ROLES = ["supervisor", "administrator"] as const;

/** Who may decommission a camera. */
export const DECOMMISSION_ROLES = ["supervisor", "administrator"] as const;

/** POST /api/v1/cameras/{id}/decommission: retires the camera for good; its history stays. */
export const decommissionRequestSchema = z
  .object({ reason: z.string().trim().min(1, "is required").max(500) })
  .strict();
export type DecommissionRequest = z.input<typeof decommissionRequestSchema>;

export const decommissionViewSchema = z
  .object({
    cameraId: z.string(),
    decommissionedAt: timeSchema,
    decommissionedBy: z.string(),
    reason: z.string(),
  })
  .meta({ id: "CameraDecommission" });
export type DecommissionView = z.infer<typeof decommissionViewSchema>;
