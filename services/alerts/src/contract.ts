/**
 * The alerts service's public contract: the authoring API's payloads (proxied by the gateway under
 * `/api/v1/alerting`), shared by the alerts service, the gateway and the web dashboard
 * (`import type` from "@hub/alerts/contract"). Pure declarations and constants only: nothing that needs Node.
 *
 * Vocabulary follows CAP 1.2 (OASIS, 2010): an *alert* is the thing citizens know ("Signal No. 8 is hoisted"); each
 * change to it is a *message* (CAP msgType Alert, Update or Cancel) with its own identifier, and an Update or Cancel
 * names the earlier message in `references`. A message is drafted, submitted, then approved by a second person; only
 * then is it published and delivered.
 */

export const LANGUAGES = ["zh-Hant", "pt", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export type LocalizedText = Record<Language, string>;

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

export interface District {
  code: DistrictCode;
  name: LocalizedText;
  /** Approximate outline, [lon, lat] pairs (GeoJSON order), closed: for the map and the CAP polygon. */
  polygon: [number, number][];
}

export interface AlertCircle {
  /** [lon, lat] (GeoJSON order). */
  center: [number, number];
  radiusKm: number;
}

export interface AlertAreaInput {
  description: LocalizedText;
  /** Closed rings of [lon, lat] pairs (GeoJSON order), at least 4 points, first = last. */
  polygons: [number, number][][];
  circles: AlertCircle[];
  /** District geocodes; the CAP area also carries each district's outline as a polygon. */
  districts: DistrictCode[];
}

/** What a drafter writes: the CAP `<info>` of every language, and the areas. */
export interface AlertContent {
  /** The template this started from, if any (informational). */
  templateId: string | null;
  /** The incident this alert is about, if any: its evidence is referenced in the CAP `<note>`. */
  incidentId: string | null;
  categories: CapCategory[];
  responseTypes: CapResponseType[];
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  /** CAP event, e.g. "Tropical Cyclone Signal No. 8 (NE)". */
  event: LocalizedText;
  headline: LocalizedText;
  description: LocalizedText;
  instruction: LocalizedText;
  /** CAP eventCode pairs, e.g. { valueName: "MO-SMG-signal", value: "8NE" }. */
  eventCodes: { valueName: string; value: string }[];
  /** ISO-8601; null = effective when sent. */
  onset: string | null;
  /** ISO-8601, required: every alert leaves the public views by itself at this time unless updated. */
  expires: string;
  areas: AlertAreaInput[];
}

export interface AlertTemplate {
  id: string;
  /** Grouping for the picker, e.g. "tropical-cyclone", "storm-surge", "rainstorm". */
  group: string;
  name: LocalizedText;
  /** Content to start from; `expires` is computed from `expiresInHours` when the draft is made. */
  content: Omit<AlertContent, "expires" | "templateId" | "incidentId">;
  expiresInHours: number;
}

export const MESSAGE_STATUSES = ["draft", "pending", "published", "rejected", "withdrawn"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const ALERT_STATES = ["draft", "active", "cancelled", "expired"] as const;
/** "draft": nothing published yet. */
export type AlertState = (typeof ALERT_STATES)[number];

export interface MessageStep {
  action: "drafted" | "edited" | "submitted" | "approved" | "rejected" | "withdrawn";
  by: string;
  at: string;
  note: string | null;
}

export const CHANNEL_KINDS = ["webhook", "wechat", "cap-feed", "public-page"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const DELIVERY_STATES = ["pending", "sending", "sent", "failed", "dead"] as const;
/** "failed": the last attempt failed and another is scheduled; "dead": no more attempts. */
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface ChannelDeliverySummary {
  /** e.g. "webhook:civil-protection-app", "wechat", "cap-feed", "public-page". */
  channel: string;
  kind: ChannelKind;
  counts: Record<DeliveryState, number>;
  /** Up to 20 deliveries not (yet) sent, worst first. */
  problems: DeliveryView[];
}

export interface DeliveryView {
  channel: string;
  subscriber: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  receipt: string | null;
}

export interface MessageView {
  id: string;
  alertId: string;
  /** The alert's version this message makes when published (1, 2, …). */
  version: number;
  msgType: CapMessageType;
  status: MessageStatus;
  /** CAP identifier, fixed at drafting. */
  identifier: string;
  /** CAP references of the earlier message ("sender,identifier,sent"), for Update and Cancel. */
  references: string | null;
  content: AlertContent;
  draftedBy: string;
  /** Set when published. */
  sent: string | null;
  approvedBy: string | null;
  steps: MessageStep[];
  /** Grows with every change to the message (optimistic concurrency for edits and decisions). */
  revision: number;
}

export interface AlertSummary {
  id: string;
  state: AlertState;
  /** Published versions so far. */
  version: number;
  event: LocalizedText;
  headline: LocalizedText;
  severity: CapSeverity;
  sent: string | null;
  expires: string | null;
  /** The newest published message, and a message in progress (draft or pending), if any. */
  currentMessageId: string | null;
  pendingMessageId: string | null;
  updatedAt: string;
}

// ---- Requests ----------------------------------------------------------------------------------------------------

export type CreateMessageRequest =
  | { msgType: "Alert"; content: AlertContent }
  /** A new version of a published, active alert. */
  | { msgType: "Update"; alertId: string; content: AlertContent }
  /** Retracts the alert on every channel; `content` (optional) carries the cancellation text. */
  | { msgType: "Cancel"; alertId: string; content?: AlertContent };

export interface EditMessageRequest {
  revision: number;
  content: AlertContent;
}

export interface DecisionRequest {
  revision: number;
  /** Required for reject and withdraw. */
  note?: string;
}

export interface PrefillQuery {
  templateId?: string;
  incidentId?: string;
}

/** Paths of the authoring API, relative to the gateway's origin (the gateway authenticates and forwards). */
export const ALERTING_API = {
  templates: "/api/v1/alerting/templates",
  districts: "/api/v1/alerting/districts",
  /** GET ?templateId=&incidentId= → AlertContent */
  prefill: "/api/v1/alerting/prefill",
  /** GET ?status=pending|… → MessageView[]; POST CreateMessageRequest → MessageView */
  messages: "/api/v1/alerting/messages",
  message: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}`,
  submit: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}/submit`,
  approve: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}/approve`,
  reject: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}/reject`,
  withdraw: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}/withdraw`,
  /** The CAP XML: the published document, or a preview of a draft. */
  messageCap: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}/cap.xml`,
  deliveries: (id: string) => `/api/v1/alerting/messages/${encodeURIComponent(id)}/deliveries`,
  /** GET → AlertSummary[] (newest first) */
  alerts: "/api/v1/alerting/alerts",
} as const;

/** Public, unauthenticated. */
export const PUBLIC_ALERTS = {
  /** Atom feed of active alerts, each entry linking its CAP XML. */
  feed: "/cap/feed.atom",
  cap: (identifier: string) => `/cap/messages/${encodeURIComponent(identifier)}.xml`,
  /** The public alert page. */
  page: "/public/alerts",
  /** JSON: active alerts (PublicAlertView[]). */
  json: "/api/v1/public/alerts",
  /** Socket.IO namespace of the public page. */
  socketNamespace: "/public",
} as const;

/** What the public page and public JSON show of an active alert. */
export interface PublicAlertView {
  id: string;
  version: number;
  state: "active" | "cancelled" | "expired";
  msgType: CapMessageType;
  identifier: string;
  event: LocalizedText;
  headline: LocalizedText;
  description: LocalizedText;
  instruction: LocalizedText;
  category: string;
  severity: CapSeverity;
  urgency: CapUrgency;
  certainty: CapCertainty;
  sent: string;
  expires: string | null;
  /** Each area's description and outline (circles approximated as polygons), [lon, lat]. */
  areas: { description: LocalizedText; polygons: [number, number][][] }[];
  capUrl: string;
}

export interface PublicServerToClientEvents {
  /** On connect, and again after every reconnect: everything active now. */
  "alerts:snapshot": (alerts: PublicAlertView[]) => void;
  /** A change; a consumer keeps the highest `version` per id and drops alerts whose state is not "active". */
  "alert:changed": (alert: PublicAlertView) => void;
}
// biome-ignore lint/complexity/noBannedTypes: the public namespace takes no events from clients.
export type PublicClientToServerEvents = {};
