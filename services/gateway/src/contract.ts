/**
 * The gateway's public contract: REST payloads and the Socket.IO event map, shared by the gateway and the web
 * dashboard (`import type` from "@hub/gateway/contract"). Change a payload here and both sides fail to compile
 * until they agree. Pure declarations and constants only: no imports, nothing that needs Node.
 *
 * Times are ISO-8601 strings (UTC). Every piece of state that changes carries a `version` that only grows, so a
 * client that sees the same thing twice (snapshot and live event, or a redelivery) keeps the newer one.
 */

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

export const LANGUAGES = ["zh-Hant", "pt", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export type LocalizedText = Record<Language, string>;

// ---- Sign-in ---------------------------------------------------------------------------------------------------

export interface LoginRequest {
  username: string;
  password: string;
}

export interface UserView {
  username: string;
  displayName: string;
  roles: Role[];
}

export interface LoginResponse {
  /** Bearer token (JWT) for REST (`authorization: Bearer …`) and the Socket.IO handshake (`auth: { token }`). */
  token: string;
  expiresAt: string;
  user: UserView;
}

/** RFC 9457 problem details: every 4xx/5xx body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The offending field, e.g. "body.password", when there is one. */
  field?: string;
}

// ---- Cameras -----------------------------------------------------------------------------------------------------

export const CAMERA_STATES = ["online", "degraded", "offline", "unknown"] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

export interface CameraView {
  id: string;
  name: string;
  district: string;
  phase: number;
  lat: number;
  lon: number;
  bearingDeg: number;
  fovAngleDeg: number;
  rangeM: number;
  state: CameraState;
  /** When the camera last reported its status; null if never. */
  lastStatusAt: string | null;
  /** Milliseconds of `lastStatusAt` (0 if never): a newer status has a higher version. */
  version: number;
}

export interface CameraStatusChange {
  cameraId: string;
  state: CameraState;
  /** Why it is degraded or offline, when the camera said (e.g. "signal_loss", "scene_change"). */
  reason: string | null;
  observedAt: string;
  version: number;
}

export interface DetectionCount {
  /** Start of the minute. */
  bucket: string;
  objectClass: string;
  count: number;
}

export interface CameraDetail {
  camera: CameraView;
  /** Newest first, at most 50. */
  statusHistory: CameraStatusChange[];
  /** Per minute and class over the last hour, from the continuous aggregate. */
  detectionCounts: DetectionCount[];
}

/** One detection as the live map shows it. No plate text: plates are personal data, shown only in case lookups. */
export interface DetectionBrief {
  eventId: string;
  cameraId: string;
  objectClass: string;
  ruleType: string | null;
  confidence: number;
  observedAt: string;
  /** When the ingest service acknowledged it. */
  ingestedAt: string;
}

// ---- Incidents ---------------------------------------------------------------------------------------------------

export const SEVERITIES = ["minor", "moderate", "severe", "extreme"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const INCIDENT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentView {
  id: string;
  ruleId: string;
  /** fire, flood, crowd, traffic, camera_fault, watch_list */
  kind: string;
  severity: Severity;
  status: IncidentStatus;
  title: string;
  lat: number;
  lon: number;
  firstEventAt: string;
  lastEventAt: string;
  openedAt: string;
  updatedAt: string;
  evidenceCount: number;
  version: number;
}

export interface EvidenceView {
  eventId: string;
  eventKind: "detection" | "sensor_reading" | "camera_status";
  observedAt: string;
  /** The camera or sensor. */
  sourceId: string;
  /** One line for the timeline, e.g. "fire 0.91" or "water_level 0.62 m". No plate text. */
  summary: string;
  late: boolean;
}

export interface CoverageCamera {
  cameraId: string;
  name: string;
  lat: number;
  lon: number;
  /** Share of the window the camera was online, 0..1. */
  onlineShare: number;
}

export interface IncidentDetail {
  incident: IncidentView;
  evidence: EvidenceView[];
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** The cameras that covered the incident's place and time (its case-assist record), when one exists. */
  caseAssist: { recordId: string; cameras: CoverageCamera[] } | null;
}

export interface IncidentActionRequest {
  /** The version the operator saw; a stale one is refused with 409. */
  expectedVersion?: number;
}

export interface IncidentActionResponse {
  incident: IncidentView;
}

// ---- Sensors -----------------------------------------------------------------------------------------------------

export const MAP_SENSOR_KINDS = ["water_level", "rainfall"] as const;
export type MapSensorKind = (typeof MAP_SENSOR_KINDS)[number];

export interface SensorReadingView {
  sensorId: string;
  name: string;
  lat: number;
  lon: number;
  kind: MapSensorKind;
  value: number;
  unit: string;
  observedAt: string;
  /** Milliseconds of `observedAt`. */
  version: number;
}

// ---- Civil-protection alerts -------------------------------------------------------------------------------------

export interface AlertArea {
  description: LocalizedText;
  /** Rings of [lon, lat] pairs (GeoJSON order), closed. */
  polygons: [number, number][][];
}

export interface AlertView {
  id: string;
  /** CAP event, e.g. "Typhoon Signal No. 8". */
  event: LocalizedText;
  headline: LocalizedText;
  category: string;
  severity: Severity;
  urgency: string;
  certainty: string;
  sent: string;
  expires: string | null;
  /** "active" alerts are on the map; "cancelled" and "expired" ones are removed from it. */
  state: "active" | "cancelled" | "expired";
  areas: AlertArea[];
  version: number;
}

// ---- Live counters -----------------------------------------------------------------------------------------------

export interface Counters {
  at: string;
  /** All events (detections, status, readings) per second over the last few seconds, city-wide. */
  eventsPerSecond: number;
  detectionsPerSecond: number;
  /** Online or degraded (still sending video). */
  camerasOnline: number;
  camerasTotal: number;
  openIncidents: number;
}

// ---- Snapshot and live stream ------------------------------------------------------------------------------------

/** "city" or one district (the cameras' `district`, e.g. "Sé"). */
export type AreaName = string;
export const CITY: AreaName = "city";

export interface Snapshot {
  area: AreaName;
  takenAt: string;
  cameras: CameraView[];
  /** Open and acknowledged. */
  incidents: IncidentView[];
  alerts: AlertView[];
  sensors: SensorReadingView[];
  counters: Counters;
}

/**
 * Every state event is wrapped: `epoch` names the gateway process, `seq` counts the events of the area's room in it.
 * A client that sees a different epoch, or a seq that is not the last one plus one, has missed something and must
 * take a fresh snapshot.
 */
export interface Envelope<T> {
  epoch: string;
  seq: number;
  data: T;
}

export interface SubscribeRequest {
  area: AreaName;
  /** Also stream detections: of these cameras, or of all ("*", for the live counters wall and benchmarks). */
  detections?: string[] | "*";
}

export type SubscribeResponse =
  /** `seq` is the last one the room has sent: the first event after the subscription carries seq + 1. */
  { ok: true; area: AreaName; epoch: string; seq: number } | { ok: false; error: Problem };

export interface ServerToClientEvents {
  /** Camera status changes, coalesced: the newest per camera since the last emit. */
  "cameras:status": (message: Envelope<CameraStatusChange[]>) => void;
  "incident:changed": (message: Envelope<IncidentView>) => void;
  "alert:changed": (message: Envelope<AlertView>) => void;
  /** Newest water level and rainfall readings, coalesced per sensor. */
  "sensors:readings": (message: Envelope<SensorReadingView[]>) => void;
  "counters:tick": (message: Envelope<Counters>) => void;
  /** Detections of the cameras subscribed to, in small batches (not state: no envelope, a gap is harmless). */
  "detections:batch": (detections: DetectionBrief[]) => void;
}

export interface ClientToServerEvents {
  "view:subscribe": (request: SubscribeRequest, ack: (response: SubscribeResponse) => void) => void;
}

// ---- Police case lookup ------------------------------------------------------------------------------------------
// Only investigators search; every search, view and export names a case reference and a purpose, and is written to
// the tamper-evident audit trail (supervisors read it; nobody can change it).

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

/** A circle (1..5000 m), or a closed polygon ring of [lon, lat] pairs (first = last, 4..201 points, no crossings). */
export type CaseArea = { circle: { lat: number; lon: number; radiusM: number } } | { polygon: [number, number][] };

export interface CaseSearchRequest {
  /** The police case, e.g. "PJ-2026-004512": 3..64 characters of A-Z, a-z, 0-9, ".", "/", "-", "_", starting with
   * a letter or digit. */
  caseReference: string;
  /** Why this look is needed: 10..500 characters. */
  purpose: string;
  /** At most the gateway's maximum (GATEWAY_CASE_MAX_WINDOW_H, default 24 h); from < to. */
  window: { from: string; to: string };
  /** Required unless `incidentId` is given (then the incident's place, 150 m). */
  area?: CaseArea;
  /** Only these cameras (still subject to covering the area); ids of 1..64 characters of [A-Za-z0-9._:-]. */
  cameraIds?: string[];
  objectClasses?: ObjectClass[];
  ruleTypes?: RuleType[];
  /** Exact ("MK-12-34") or with wildcards: "*" any run of characters, "?" one character. Case-insensitive;
   * 1..16 characters of A-Z, 0-9, "-", "*", "?", at least 2 of them not wildcards. */
  plate?: string;
  incidentId?: string;
  /** Detections per page, 1..500 (default 100). */
  limit?: number;
}

export interface CaseCamera {
  id: string;
  name: string;
  district: string;
  lat: number;
  lon: number;
  bearingDeg: number;
  fovAngleDeg: number;
  rangeM: number;
  /** Share of the area inside the field of view, 0..1. */
  coveredFraction: number;
  /** Share of the window the camera was online, 0..1. */
  onlineShare: number;
}

export interface CaseDetection {
  eventId: string;
  cameraId: string;
  observedAt: string;
  objectClass: string;
  confidence: number;
  plateText: string | null;
  ruleType: string | null;
  trackId: string | null;
}

export interface CasePlate {
  plateText: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  cameraIds: string[];
}

export interface ClipReference {
  cameraId: string;
  from: string;
  to: string;
}

export interface CaseIncident {
  id: string;
  kind: string;
  severity: string;
  status: string;
  title: string;
  lat: number;
  lon: number;
  firstEventAt: string;
  lastEventAt: string;
}

/** One page of a case lookup. The record (its criteria and the covering cameras) is stored and can be reopened. */
export interface CaseSearchResult {
  recordId: string;
  caseReference: string;
  criteria: CaseSearchRequest;
  createdAt: string;
  createdBy: string;
  /** Covering the area and online during the window, best first. */
  cameras: CaseCamera[];
  /** Matching detections of those cameras, oldest first (then by event id); `total` counts all pages. */
  detections: { items: CaseDetection[]; total: number; nextCursor: string | null };
  /** Plates among all matching detections (not only this page), by first sighting. */
  plates: CasePlate[];
  clips: ClipReference[];
  incidents: CaseIncident[];
}

export interface ExportRequest {
  purpose: string;
}

export interface ExportJob {
  id: string;
  recordId: string;
  state: "running" | "ready" | "failed";
  /** 0..1 */
  progress: number;
  /** When ready: the zip's size and SHA-256 (hex). */
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  createdAt: string;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  caseReference: string | null;
  purpose: string | null;
  criteria: unknown;
  resultCount: number | null;
  sourceIp: string | null;
  hash: string;
}

/** Paths of the REST API, relative to the gateway's origin. */
export const API = {
  login: "/api/v1/auth/login",
  me: "/api/v1/auth/me",
  snapshot: "/api/v1/snapshot",
  cameras: "/api/v1/cameras",
  camera: (id: string) => `/api/v1/cameras/${encodeURIComponent(id)}`,
  incidents: "/api/v1/incidents",
  incident: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}`,
  acknowledge: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/acknowledge`,
  resolve: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/resolve`,
  alerts: "/api/v1/alerts",
  districts: "/api/v1/districts",
  config: "/api/v1/config",
  openapi: "/api/v1/openapi.json",
  caseSearch: "/api/v1/cases/search",
  /** GET ?purpose=…&cursor=…: a page of a stored lookup. */
  caseRecord: (id: string) => `/api/v1/cases/records/${encodeURIComponent(id)}`,
  /** POST ExportRequest → ExportJob */
  caseExports: (id: string) => `/api/v1/cases/records/${encodeURIComponent(id)}/exports`,
  exportJob: (id: string) => `/api/v1/exports/${encodeURIComponent(id)}`,
  exportDownload: (id: string) => `/api/v1/exports/${encodeURIComponent(id)}/download`,
  /** PEM of the key export manifests are signed with. */
  exportKey: "/api/v1/exports/public-key",
  /** GET ?limit=&before= (supervisor, administrator). */
  audit: "/api/v1/audit",
  landOutline: "/basemap/macau-land.geojson",
} as const;

/** Public, unauthenticated: what the dashboard needs before sign-in. */
export interface ClientConfig {
  /** A production style URL, when configured; otherwise the dashboard draws its offline base map. */
  mapStyleUrl: string | null;
  mapAttribution: string;
  /** Development mode shows the seeded sign-ins on the login form. */
  developmentUsers: { username: string; password: string; roles: Role[] }[];
  /** [lon, lat] (GeoJSON order). */
  center: [number, number];
  zoom: number;
}
