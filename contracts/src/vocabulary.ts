/**
 * The closed lists of the contracts (roles, languages, states, CAP vocabulary, districts) and their types. Plain
 * constants, no zod: the web imports them without the schemas (package.json "sideEffects": false).
 */

/** "city" or one district (the cameras' `district`, e.g. "Sé"). */
export type AreaName = string;

/** The dashboard's and the alerts' languages: Traditional Chinese, Portuguese and English (Macao's three). */
export const LANGUAGES = ["zh-Hant", "pt", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export const ROLES = [
  "operator",
  "investigator",
  "supervisor",
  "alert_drafter",
  "alert_approver",
  "administrator",
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may stream individual detections (`SubscribeRequest.detections`). */
export const DETECTION_ROLES: readonly Role[] = ["operator", "investigator", "administrator"];

/** Roles that may see video (clips, stills, detection snapshots): those that see detections. Every look is audited. */
export const VIDEO_ROLES: readonly Role[] = DETECTION_ROLES;

export const CAMERA_STATES = ["online", "degraded", "offline", "silent", "maintenance", "unknown"] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

export const SEVERITIES = ["minor", "moderate", "severe", "extreme"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The incident workflow: open ("new" on the dashboard) → acknowledged → dispatched → on_scene → resolved, or
 * false_alarm (with a reason). Which moves are allowed is the correlator's `INCIDENT_TRANSITIONS`.
 */
export const INCIDENT_STATUSES = ["open", "acknowledged", "dispatched", "on_scene", "resolved", "false_alarm"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Closed for good: new events open a new incident instead of reopening one of these. */
export const CLOSED_INCIDENT_STATUSES = ["resolved", "false_alarm"] as const satisfies readonly IncidentStatus[];

/**
 * Where an incident may go from each status (the correlator enforces it; the dashboard offers only these). A closed
 * incident goes nowhere: new events open a new one.
 */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  open: ["acknowledged", "dispatched", "resolved", "false_alarm"],
  acknowledged: ["dispatched", "on_scene", "resolved", "false_alarm"],
  dispatched: ["on_scene", "resolved", "false_alarm"],
  on_scene: ["resolved", "false_alarm"],
  resolved: [],
  false_alarm: [],
};

export function isClosedIncidentStatus(status: IncidentStatus): boolean {
  return (CLOSED_INCIDENT_STATUSES as readonly IncidentStatus[]).includes(status);
}

export const MAP_SENSOR_KINDS = ["water_level", "rainfall"] as const;
export type MapSensorKind = (typeof MAP_SENSOR_KINDS)[number];

export const CITY: AreaName = "city";

export const OBJECT_CLASSES = [
  "person",
  "vehicle",
  "bicycle",
  "motorcycle",
  "license_plate",
  "face",
  "fire",
  "smoke",
  "crowd",
  "animal",
  "bag",
  "water",
] as const;
export type ObjectClass = (typeof OBJECT_CLASSES)[number];

export const RULE_TYPES = [
  "line_crossed",
  "field_intrusion",
  "loitering",
  "object_abandoned",
  "object_removed",
  "crowd_count",
  "stopped_vehicle",
  "wrong_way",
  "collision",
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const CAP_CATEGORIES = [
  "Geo",
  "Met",
  "Safety",
  "Security",
  "Rescue",
  "Fire",
  "Health",
  "Env",
  "Transport",
  "Infra",
  "CBRNE",
  "Other",
] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];

export const CAP_URGENCIES = ["Immediate", "Expected", "Future", "Past", "Unknown"] as const;
export type CapUrgency = (typeof CAP_URGENCIES)[number];

export const CAP_SEVERITIES = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"] as const;
export type CapSeverity = (typeof CAP_SEVERITIES)[number];

export const CAP_CERTAINTIES = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"] as const;
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

export const CAP_RESPONSE_TYPES = [
  "Shelter",
  "Evacuate",
  "Prepare",
  "Execute",
  "Avoid",
  "Monitor",
  "Assess",
  "AllClear",
  "None",
] as const;
export type CapResponseType = (typeof CAP_RESPONSE_TYPES)[number];

export const CAP_MESSAGE_TYPES = ["Alert", "Update", "Cancel"] as const;
export type CapMessageType = (typeof CAP_MESSAGE_TYPES)[number];

/** Macao's parishes and zones, used as CAP `<geocode>` values (valueName {@link DISTRICT_GEOCODE_NAME}). */
export const DISTRICT_CODES = [
  "MO-NSF",
  "MO-STA",
  "MO-SLZ",
  "MO-SE",
  "MO-SLR",
  "MO-TAI",
  "MO-COT",
  "MO-COL",
  "MO-INNER-HARBOUR",
] as const;
export type DistrictCode = (typeof DISTRICT_CODES)[number];

export const DISTRICT_GEOCODE_NAME = "MO-district";

export const MESSAGE_STATUSES = ["draft", "pending", "published", "rejected", "withdrawn"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const ALERT_STATES = ["draft", "active", "cancelled", "expired"] as const;
/** "draft": nothing published yet. */
export type AlertState = (typeof ALERT_STATES)[number];

export const CHANNEL_KINDS = ["webhook", "wechat", "cap-feed", "public-page"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const DELIVERY_STATES = ["pending", "sending", "sent", "failed", "dead"] as const;
/** "failed": the last attempt failed and another is scheduled; "dead": no more attempts. */
export type DeliveryState = (typeof DELIVERY_STATES)[number];
