/**
 * The HTTP routes of the hub as one table: method, path (OpenAPI form, "{id}"), who may call it, and the schemas of
 * what goes in and comes out. The OpenAPI document is generated from it (./openapi.ts); a test checks that every
 * path of {@link API}, {@link ALERTING_API} and {@link PUBLIC_ALERTS} is in it.
 */

import { z } from "zod";
import { alertContentSchema } from "./alert-content.js";
import {
  alertSummarySchema,
  alertTemplateSchema,
  channelDeliverySummarySchema,
  createMessageRequestSchema,
  decisionRequestSchema,
  editMessageRequestSchema,
  messagesQuerySchema,
  messageViewSchema,
  prefillQuerySchema,
} from "./alerts.js";
import {
  clientConfigSchema,
  loginRequestSchema,
  loginResponseSchema,
  refreshRequestSchema,
  userAccountViewSchema,
  userRolesRequestSchema,
  userStatusRequestSchema,
  userViewSchema,
} from "./auth.js";
import {
  cameraListQuerySchema,
  cameraListSchema,
  DECOMMISSION_ROLES,
  decommissionRequestSchema,
  decommissionViewSchema,
  MAINTENANCE_ROLES,
  maintenanceWindowRequestSchema,
  maintenanceWindowsQuerySchema,
  maintenanceWindowViewSchema,
} from "./camera-health.js";
import { cameraDetailSchema, cameraViewSchema } from "./cameras.js";
import { districtSchema } from "./cap.js";
import {
  auditEntryViewSchema,
  auditQuerySchema,
  caseRecordQuerySchema,
  caseSearchRequestSchema,
  caseSearchResultSchema,
  exportJobSchema,
  exportRequestSchema,
} from "./cases.js";
import {
  proposeRuleVersionRequestSchema,
  RULE_EDITOR_ROLES,
  ruleDecisionRequestSchema,
  ruleDryRunRequestSchema,
  ruleDryRunSchema,
  ruleHistorySchema,
  ruleVersionViewSchema,
} from "./correlation-rules.js";
import { incidentHistoryPageSchema, incidentHistoryQuerySchema, rulesViewSchema } from "./history.js";
import {
  incidentAssignmentRequestSchema,
  incidentMergeRequestSchema,
  incidentNoteRequestSchema,
  incidentStepRequestSchema,
  incidentTransitionRequestSchema,
  incidentWorkflowSchema,
} from "./incident-workflow.js";
import {
  incidentActionRequestSchema,
  incidentActionResponseSchema,
  incidentDetailSchema,
  incidentViewSchema,
} from "./incidents.js";
import {
  legalHoldReleaseRequestSchema,
  legalHoldReleaseViewSchema,
  legalHoldViewSchema,
  placeLegalHoldRequestSchema,
} from "./legal-holds.js";
import { alertViewSchema, snapshotQuerySchema, snapshotSchema } from "./live.js";
import { partnerImportsQuerySchema, partnerImportViewSchema } from "./partner-feeds.js";
import { publicAlertViewSchema } from "./public-alerts.js";
import {
  SENSOR_ROLES,
  SENSORTHINGS_ROOT,
  sensorDetailSchema,
  sensorSummarySchema,
  sensorThingsCollectionSchema,
  sensorThingsEntitySchema,
  sensorThingsQuerySchema,
} from "./sensors.js";
import {
  detectionSnapshotQuerySchema,
  videoClipRequestSchema,
  videoClipSchema,
  videoStillQuerySchema,
} from "./video.js";
import { type Role, VIDEO_ROLES } from "./vocabulary.js";
import { WATCH_LIST_ROUTES } from "./watch-list-routes.js";

export interface RouteResponse {
  status: number;
  description: string;
  /** A JSON body; or, for other media types, `contentType` alone. */
  schema?: z.ZodType;
  contentType?: string;
}

export interface Route {
  method: "get" | "post" | "put";
  path: string;
  summary: string;
  /** "public": no sign-in; otherwise a bearer token, and one of `roles` when given (none: any signed-in user). */
  access: "public" | "signed-in";
  roles?: readonly Role[];
  query?: z.ZodObject;
  body?: z.ZodType;
  response: RouteResponse;
}

const ALERT_READERS: readonly Role[] = ["alert_drafter", "alert_approver", "supervisor", "administrator"];
const ok = (schema: z.ZodType, description: string, status = 200): RouteResponse => ({ status, description, schema });
const media = (contentType: string, description: string): RouteResponse => ({ status: 200, description, contentType });

const decision = (action: string, summary: string, roles: readonly Role[]): Route => ({
  method: "post",
  path: `/api/v1/alerting/messages/{id}/${action}`,
  summary,
  access: "signed-in",
  roles,
  body: decisionRequestSchema,
  response: ok(messageViewSchema, "The message"),
});

/** The read-only SensorThings routes (README "Sensors"). */
const sensorThings = (path: string, summary: string, collection: boolean): Route => ({
  method: "get",
  path: `${SENSORTHINGS_ROOT}/${path}`,
  summary,
  access: "signed-in",
  roles: SENSOR_ROLES,
  ...(collection ? { query: sensorThingsQuerySchema } : {}),
  response: collection
    ? ok(sensorThingsCollectionSchema, "A page of entities")
    : ok(sensorThingsEntitySchema, "The entity"),
});

export const ROUTES: readonly Route[] = [
  {
    method: "get",
    path: "/api/v1/config",
    summary: "Public dashboard settings",
    access: "public",
    response: ok(clientConfigSchema, "Settings"),
  },
  {
    method: "post",
    path: "/api/v1/auth/login",
    summary: "Sign in",
    access: "public",
    body: loginRequestSchema,
    response: ok(loginResponseSchema, "Signed in"),
  },
  {
    method: "post",
    path: "/api/v1/auth/refresh",
    summary: "A new access token for a refresh token (single use: a replayed one ends the session)",
    access: "public",
    body: refreshRequestSchema,
    response: ok(loginResponseSchema, "Refreshed"),
  },
  {
    method: "post",
    path: "/api/v1/auth/logout",
    summary: "Sign out: ends the session of the bearer token and disconnects its sockets",
    access: "signed-in",
    response: { status: 204, description: "Signed out" },
  },
  {
    method: "get",
    path: "/api/v1/users",
    summary: "Dashboard accounts",
    access: "signed-in",
    roles: ["supervisor", "administrator"],
    response: ok(z.array(userAccountViewSchema), "Accounts"),
  },
  {
    method: "put",
    path: "/api/v1/users/{id}/roles",
    summary: "Change an account's roles (audited); its sessions end",
    access: "signed-in",
    roles: ["administrator"],
    body: userRolesRequestSchema,
    response: ok(userAccountViewSchema, "The account"),
  },
  {
    method: "post",
    path: "/api/v1/users/{id}/disable",
    summary: "Disable an account (audited); its sessions end and its sockets are disconnected",
    access: "signed-in",
    roles: ["supervisor", "administrator"],
    body: userStatusRequestSchema,
    response: ok(userAccountViewSchema, "The account"),
  },
  {
    method: "post",
    path: "/api/v1/users/{id}/enable",
    summary: "Enable a disabled account (audited)",
    access: "signed-in",
    roles: ["administrator"],
    body: userStatusRequestSchema,
    response: ok(userAccountViewSchema, "The account"),
  },
  {
    method: "get",
    path: "/api/v1/auth/me",
    summary: "The signed-in user",
    access: "signed-in",
    response: ok(userViewSchema, "The signed-in user"),
  },
  {
    method: "get",
    path: "/api/v1/snapshot",
    summary: "Everything the live map shows, for an area",
    access: "signed-in",
    query: snapshotQuerySchema,
    response: ok(snapshotSchema, "Snapshot"),
  },
  {
    method: "get",
    path: "/api/v1/districts",
    summary: "District names",
    access: "signed-in",
    response: ok(z.array(z.string()), "District names"),
  },
  {
    method: "get",
    path: "/api/v1/cameras",
    summary: "All cameras",
    access: "signed-in",
    response: ok(z.array(cameraViewSchema), "Cameras"),
  },
  {
    method: "get",
    path: "/api/v1/cameras/{id}",
    summary: "A camera with its status history and detection counts",
    access: "signed-in",
    response: ok(cameraDetailSchema, "Camera"),
  },
  {
    method: "post",
    path: "/api/v1/cameras/{id}/decommission",
    summary: "Decommission a camera: off the map and the default camera list, its history kept (audited)",
    access: "signed-in",
    roles: DECOMMISSION_ROLES,
    body: decommissionRequestSchema,
    response: ok(decommissionViewSchema, "The decommissioning"),
  },
  {
    method: "get",
    path: "/api/v1/camera-health",
    summary: "The camera list: state, last heard, availability over 24 hours and 7 days, current incidents",
    access: "signed-in",
    query: cameraListQuerySchema,
    response: ok(cameraListSchema, "A page of cameras"),
  },
  {
    method: "get",
    path: "/api/v1/maintenance-windows",
    summary: "Maintenance windows in force or to come",
    access: "signed-in",
    query: maintenanceWindowsQuerySchema,
    response: ok(z.array(maintenanceWindowViewSchema), "Windows"),
  },
  {
    method: "post",
    path: "/api/v1/maintenance-windows",
    summary: "Put a camera or a district under maintenance: no camera-fault incidents meanwhile (audited)",
    access: "signed-in",
    roles: MAINTENANCE_ROLES,
    body: maintenanceWindowRequestSchema,
    response: ok(maintenanceWindowViewSchema, "The window", 201),
  },
  {
    method: "post",
    path: "/api/v1/maintenance-windows/{id}/end",
    summary: "End a maintenance window now (audited)",
    access: "signed-in",
    roles: MAINTENANCE_ROLES,
    response: ok(maintenanceWindowViewSchema, "The window"),
  },
  {
    method: "get",
    path: "/api/v1/incidents",
    summary: "Open and acknowledged incidents",
    access: "signed-in",
    response: ok(z.array(incidentViewSchema), "Incidents"),
  },
  {
    method: "get",
    path: "/api/v1/incidents/history",
    summary: "Closed incidents (resolved, false alarm), newest first, filtered; a page at a time (keyset cursor)",
    access: "signed-in",
    query: incidentHistoryQuerySchema,
    response: ok(incidentHistoryPageSchema, "A page of closed incidents"),
  },
  {
    method: "get",
    path: "/api/v1/rules",
    summary: "The correlation rules, read-only, with the false alarms each raised in the last 7 and 30 days",
    access: "signed-in",
    roles: ["supervisor", "administrator"],
    response: ok(rulesViewSchema, "Rules"),
  },
  {
    method: "get",
    path: "/api/v1/rules/{id}/versions",
    summary: "A correlation rule's versions, newest first, and the approved one the correlators run",
    access: "signed-in",
    roles: RULE_EDITOR_ROLES,
    response: ok(ruleHistorySchema, "Rule history"),
  },
  {
    method: "post",
    path: "/api/v1/rules/{id}/versions",
    summary: "Proposes a new version of a rule (pending until another person approves it); audited",
    access: "signed-in",
    roles: RULE_EDITOR_ROLES,
    body: proposeRuleVersionRequestSchema,
    response: ok(ruleVersionViewSchema, "The proposed version", 201),
  },
  ...(["approve", "reject"] as const).map(
    (action): Route => ({
      method: "post",
      path: `/api/v1/rules/{id}/versions/{version}/${action}`,
      summary: `${action === "approve" ? "Approves" : "Rejects"} a pending rule version; never by its proposer; audited`,
      access: "signed-in",
      roles: RULE_EDITOR_ROLES,
      body: ruleDecisionRequestSchema,
      response: ok(ruleVersionViewSchema, "The version"),
    }),
  ),
  {
    method: "post",
    path: "/api/v1/rules/{id}/versions/{version}/dry-run",
    summary: "Runs a rule version over the stored events of the last hours (≤ 72) in memory, beside what was opened",
    access: "signed-in",
    roles: RULE_EDITOR_ROLES,
    body: ruleDryRunRequestSchema,
    response: ok(ruleDryRunSchema, "Would open vs opened"),
  },
  {
    method: "get",
    path: "/api/v1/incidents/{id}",
    summary: "An incident with its evidence timeline, who acted, and the cameras of its case-assist record",
    access: "signed-in",
    response: ok(incidentDetailSchema, "Incident"),
  },
  ...(["acknowledge", "resolve"] as const).map(
    (action): Route => ({
      method: "post",
      path: `/api/v1/incidents/{id}/${action}`,
      summary:
        action === "acknowledge" ? "open → acknowledged" : "open, acknowledged, dispatched or on scene → resolved",
      access: "signed-in",
      roles: ["operator"],
      body: incidentActionRequestSchema,
      response: ok(incidentActionResponseSchema, "The incident"),
    }),
  ),
  {
    method: "get",
    path: "/api/v1/incidents/{id}/workflow",
    summary:
      "An incident's assignment, procedure checklist and timeline (evidence, state changes, assignments, notes, alerts); note text only for operators, investigators and administrators (audited)",
    access: "signed-in",
    response: ok(incidentWorkflowSchema, "Workflow"),
  },
  ...(
    [
      [
        "post",
        "transitions",
        incidentTransitionRequestSchema,
        "A step of the workflow (409 when not allowed from the current status or stale)",
      ],
      ["put", "assignment", incidentAssignmentRequestSchema, "Assign an operator and/or a unit, and the CAD reference"],
      ["post", "notes", incidentNoteRequestSchema, "Append a note (audited)"],
      ["put", "procedure/{stepId}", incidentStepRequestSchema, "Tick or untick a procedure step"],
      ["post", "merge", incidentMergeRequestSchema, "Merge another incident into this one (the other is closed)"],
    ] as const
  ).map(
    ([method, tail, body, summary]): Route => ({
      method,
      path: `/api/v1/incidents/{id}/${tail}`,
      summary,
      access: "signed-in",
      roles: ["operator"],
      body,
      response: ok(incidentActionResponseSchema, "The incident"),
    }),
  ),
  {
    method: "get",
    path: "/api/v1/alerts",
    summary: "Alerts in force, as the live map shows them",
    access: "signed-in",
    response: ok(z.array(alertViewSchema), "Alerts"),
  },
  {
    method: "post",
    path: "/api/v1/video/clips",
    summary: "Open the clip of a camera around an evidence time (audited; the recorder's address is not disclosed)",
    access: "signed-in",
    roles: VIDEO_ROLES,
    body: videoClipRequestSchema,
    response: ok(videoClipSchema, "The clip's window, frames and hash"),
  },
  {
    method: "get",
    path: "/api/v1/video/stills",
    summary: "A still frame of a camera at a time, fetched from its site's recorder (audited)",
    access: "signed-in",
    roles: VIDEO_ROLES,
    query: videoStillQuerySchema,
    response: media("image/*", "The still"),
  },
  {
    method: "get",
    path: "/api/v1/cameras/{id}/detections/{eventId}/snapshot",
    summary: "The still of a detection, fetched from its site's recorder (audited)",
    access: "signed-in",
    roles: VIDEO_ROLES,
    query: detectionSnapshotQuerySchema,
    response: media("image/*", "The snapshot"),
  },
  {
    method: "post",
    path: "/api/v1/cases/search",
    summary: "Police case lookup (case reference and purpose required; audited)",
    access: "signed-in",
    roles: ["investigator"],
    body: caseSearchRequestSchema,
    response: ok(caseSearchResultSchema, "First page; the lookup is stored"),
  },
  {
    method: "get",
    path: "/api/v1/cases/records/{id}",
    summary: "A page of a stored lookup (audited)",
    access: "signed-in",
    roles: ["investigator"],
    query: caseRecordQuerySchema,
    response: ok(caseSearchResultSchema, "Page"),
  },
  {
    method: "post",
    path: "/api/v1/cases/records/{id}/exports",
    summary: "Start a signed evidence export (audited)",
    access: "signed-in",
    roles: ["investigator"],
    body: exportRequestSchema,
    response: ok(exportJobSchema, "Started", 202),
  },
  {
    method: "get",
    path: "/api/v1/exports/{id}",
    summary: "Progress of an export",
    access: "signed-in",
    roles: ["investigator"],
    response: ok(exportJobSchema, "Progress"),
  },
  {
    method: "get",
    path: "/api/v1/exports/{id}/download",
    summary: "The export's zip",
    access: "signed-in",
    roles: ["investigator"],
    response: media("application/zip", "record.json, CSVs, manifest.json, manifest.sig"),
  },
  {
    method: "get",
    path: "/api/v1/exports/public-key",
    summary: "The Ed25519 key export manifests are signed with (PEM)",
    access: "public",
    response: media("application/x-pem-file", "PEM"),
  },
  {
    method: "get",
    path: "/api/v1/audit",
    summary: "The audit trail, newest first",
    access: "signed-in",
    roles: ["supervisor", "administrator"],
    query: auditQuerySchema,
    response: ok(z.array(auditEntryViewSchema), "Entries"),
  },
  {
    method: "get",
    path: "/api/v1/legal-holds",
    summary: "Legal holds in force, with any release waiting for approval",
    access: "signed-in",
    roles: ["investigator", "supervisor", "administrator"],
    response: ok(z.array(legalHoldViewSchema), "Holds"),
  },
  {
    method: "post",
    path: "/api/v1/legal-holds",
    summary: "Place a case under legal hold: its case material outlives retention (audited)",
    access: "signed-in",
    roles: ["investigator", "supervisor"],
    body: placeLegalHoldRequestSchema,
    response: ok(legalHoldViewSchema, "The hold", 201),
  },
  {
    method: "post",
    path: "/api/v1/legal-holds/release-requests",
    summary: "Ask for a hold to end, with a reason; a second supervisor must approve (audited)",
    access: "signed-in",
    roles: ["supervisor"],
    body: legalHoldReleaseRequestSchema,
    response: ok(legalHoldReleaseViewSchema, "The pending release", 201),
  },
  {
    method: "post",
    path: "/api/v1/legal-holds/release-requests/{id}/approve",
    summary: "Approve another supervisor's release request; the hold ends (audited)",
    access: "signed-in",
    roles: ["supervisor"],
    response: ok(legalHoldReleaseViewSchema, "The approved release"),
  },

  // Civil-protection alerting, forwarded by the gateway to the alerts service with the signed-in user.
  {
    method: "get",
    path: "/api/v1/alerting/templates",
    summary: "Alert templates",
    access: "signed-in",
    roles: ALERT_READERS,
    response: ok(z.array(alertTemplateSchema), "Templates"),
  },
  {
    method: "get",
    path: "/api/v1/alerting/districts",
    summary: "Districts an area can name (CAP geocode MO-district), with outlines",
    access: "signed-in",
    roles: ALERT_READERS,
    response: ok(z.array(districtSchema), "Districts"),
  },
  {
    method: "get",
    path: "/api/v1/alerting/prefill",
    summary: "Content to start a draft from: a template, an incident, or both",
    access: "signed-in",
    roles: ["alert_drafter"],
    query: prefillQuerySchema,
    response: ok(alertContentSchema, "Content"),
  },
  {
    method: "get",
    path: "/api/v1/alerting/messages",
    summary: "CAP messages, newest first",
    access: "signed-in",
    roles: ALERT_READERS,
    query: messagesQuerySchema,
    response: ok(z.array(messageViewSchema), "Messages"),
  },
  {
    method: "post",
    path: "/api/v1/alerting/messages",
    summary: "Draft an Alert, or an Update or Cancel of an alert",
    access: "signed-in",
    roles: ["alert_drafter"],
    body: createMessageRequestSchema,
    response: ok(messageViewSchema, "The draft", 201),
  },
  {
    method: "get",
    path: "/api/v1/alerting/messages/{id}",
    summary: "A message",
    access: "signed-in",
    roles: ALERT_READERS,
    response: ok(messageViewSchema, "The message"),
  },
  {
    method: "put",
    path: "/api/v1/alerting/messages/{id}",
    summary: "Edit a draft (its drafter)",
    access: "signed-in",
    roles: ["alert_drafter"],
    body: editMessageRequestSchema,
    response: ok(messageViewSchema, "The message"),
  },
  decision("submit", "draft → pending (its drafter)", ["alert_drafter"]),
  decision("approve", "pending → published (not the drafter): CAP issued, deliveries queued", ["alert_approver"]),
  decision("reject", "pending → rejected (not the drafter; note required)", ["alert_approver"]),
  decision("withdraw", "draft or pending → withdrawn (its drafter or an approver)", [
    "alert_drafter",
    "alert_approver",
  ]),
  {
    method: "get",
    path: "/api/v1/alerting/messages/{id}/cap.xml",
    summary: "The CAP 1.2 document: as published, or a preview of a draft",
    access: "signed-in",
    roles: ALERT_READERS,
    response: media("application/cap+xml", "CAP 1.2"),
  },
  {
    method: "get",
    path: "/api/v1/alerting/messages/{id}/deliveries",
    summary: "Delivery state per channel, with the problems (failed, dead) per subscriber",
    access: "signed-in",
    roles: ALERT_READERS,
    response: ok(z.array(channelDeliverySummarySchema), "Per channel"),
  },
  {
    method: "get",
    path: "/api/v1/alerting/alerts",
    summary: "Alerts and their state",
    access: "signed-in",
    roles: ALERT_READERS,
    response: ok(z.array(alertSummarySchema), "Alerts"),
  },
  {
    method: "get",
    path: "/api/v1/alerting/partner-imports",
    summary: "Warnings read from partner agencies' CAP feeds: drafted, or refused with the reason",
    access: "signed-in",
    roles: ALERT_READERS,
    query: partnerImportsQuerySchema,
    response: ok(z.array(partnerImportViewSchema), "Partner imports, newest first"),
  },

  // Public, no sign-in.
  {
    method: "get",
    path: "/api/v1/public/alerts",
    summary: "Alerts in force; live on the Socket.IO namespace /public",
    access: "public",
    response: ok(z.array(publicAlertViewSchema), "Alerts in force"),
  },
  {
    method: "get",
    path: "/cap/feed.atom",
    summary: "Atom feed of the alerts in force",
    access: "public",
    response: media("application/atom+xml", "Atom feed"),
  },
  {
    method: "get",
    path: "/cap/messages/{identifier}.xml",
    summary: "A published CAP 1.2 document",
    access: "public",
    response: media("application/cap+xml", "CAP 1.2"),
  },
  ...WATCH_LIST_ROUTES,

  // Sensors (README "Sensors").
  {
    method: "get",
    path: "/api/v1/sensors",
    summary: "The sensors with their health (silent since, last heard)",
    access: "signed-in",
    roles: SENSOR_ROLES,
    response: ok(z.array(sensorSummarySchema), "Sensors"),
  },
  {
    method: "get",
    path: "/api/v1/sensors/{id}",
    summary: "A sensor: the latest reading of each datastream and its last 24 hours in 5-minute statistics",
    access: "signed-in",
    roles: SENSOR_ROLES,
    response: ok(sensorDetailSchema, "The sensor"),
  },
  sensorThings("Things", "SensorThings: the sensors as Things", true),
  sensorThings("Things({id})", "SensorThings: a Thing", false),
  sensorThings("Things({id})/Datastreams", "SensorThings: a Thing's Datastreams", true),
  sensorThings("Locations", "SensorThings: the sensors' Locations", true),
  sensorThings("Datastreams", "SensorThings: the Datastreams", true),
  sensorThings("Datastreams({id})", "SensorThings: a Datastream", false),
  sensorThings("Datastreams({id})/Observations", "SensorThings: a Datastream's Observations", true),
  sensorThings("Observations", "SensorThings: the Observations", true),
];
