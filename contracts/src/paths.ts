/** Paths of the REST API, relative to the gateway's origin. */
export const API = {
  login: "/api/v1/auth/login",
  me: "/api/v1/auth/me",
  /** POST RefreshRequest → LoginResponse (a new access token and a new refresh token). */
  refresh: "/api/v1/auth/refresh",
  /** POST: ends the session of the bearer token (every socket of it is disconnected). */
  logout: "/api/v1/auth/logout",
  /** GET → UserAccountView[] (supervisor, administrator). */
  users: "/api/v1/users",
  /** PUT UserRolesRequest (administrator): ends the user's sessions. */
  userRoles: (username: string) => `/api/v1/users/${encodeURIComponent(username)}/roles`,
  /** POST UserStatusRequest (supervisor, administrator): ends the user's sessions. */
  userDisable: (username: string) => `/api/v1/users/${encodeURIComponent(username)}/disable`,
  /** POST UserStatusRequest (administrator). */
  userEnable: (username: string) => `/api/v1/users/${encodeURIComponent(username)}/enable`,
  snapshot: "/api/v1/snapshot",
  cameras: "/api/v1/cameras",
  camera: (id: string) => `/api/v1/cameras/${encodeURIComponent(id)}`,
  /** POST DecommissionRequest → CameraDecommission (supervisor; audited). */
  decommissionCamera: (id: string) => `/api/v1/cameras/${encodeURIComponent(id)}/decommission`,
  /** GET ?district=&phase=&state=&site=&decommissioned=&limit=&after= → CameraList: the camera list with availability. */
  cameraHealth: "/api/v1/camera-health",
  /** GET ?cameraId=&district= → MaintenanceWindow[]; POST MaintenanceWindowRequest → MaintenanceWindow (supervisor). */
  maintenanceWindows: "/api/v1/maintenance-windows",
  /** POST → MaintenanceWindow: ends it now (supervisor). */
  endMaintenanceWindow: (id: string) => `/api/v1/maintenance-windows/${encodeURIComponent(id)}/end`,
  incidents: "/api/v1/incidents",
  incident: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}`,
  acknowledge: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/acknowledge`,
  resolve: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/resolve`,
  /** GET → IncidentWorkflow: assignment, procedure and the timeline (notes audited). */
  incidentWorkflow: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/workflow`,
  /** POST IncidentTransitionRequest (operator) → IncidentActionResponse. */
  incidentTransitions: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/transitions`,
  /** PUT IncidentAssignmentRequest (operator). */
  incidentAssignment: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/assignment`,
  /** POST IncidentNoteRequest (operator): append-only, audited. */
  incidentNotes: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/notes`,
  /** PUT IncidentStepRequest (operator): ticks a procedure step. */
  incidentStep: (id: string, stepId: string) =>
    `/api/v1/incidents/${encodeURIComponent(id)}/procedure/${encodeURIComponent(stepId)}`,
  /** POST IncidentMergeRequest (operator): merges the other incident into this one. */
  incidentMerge: (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/merge`,
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
  /** GET → LegalHold[] (holds in force); POST PlaceLegalHoldRequest → LegalHold. */
  legalHolds: "/api/v1/legal-holds",
  /** POST LegalHoldReleaseRequest → LegalHoldRelease: a supervisor asks for a case's hold to end. */
  legalHoldReleases: "/api/v1/legal-holds/release-requests",
  /** POST → LegalHoldRelease: a second supervisor approves; the hold ends. */
  approveLegalHoldRelease: (id: string) => `/api/v1/legal-holds/release-requests/${encodeURIComponent(id)}/approve`,
  /** POST VideoClipRequest → VideoClip (VIDEO_ROLES; audited). */
  videoClips: "/api/v1/video/clips",
  /** GET ?cameraId=&at=&clipId= → an image (VIDEO_ROLES; audited). */
  videoStill: "/api/v1/video/stills",
  /** GET ?incidentId= | ?caseReference=&purpose= → the detection's still (VIDEO_ROLES; audited). */
  detectionSnapshot: (cameraId: string, eventId: string) =>
    `/api/v1/cameras/${encodeURIComponent(cameraId)}/detections/${encodeURIComponent(eventId)}/snapshot`,
  landOutline: "/basemap/macau-land.geojson",
  /** GET ?from&to&bbox|polygon&kind&severity&state&text&limit&cursor → IncidentHistoryPage (closed incidents). */
  incidentHistory: "/api/v1/incidents/history",
  /** GET → RulesView: the correlation rules with their false alarms (supervisor, administrator). */
  rules: "/api/v1/rules",
  /** GET ?status= → WatchListEntry[] (investigator, supervisor; audited); POST WatchListProposal (investigator). */
  watchList: "/api/v1/watch-list",
  /** GET ?entryId=&limit= → WatchListHit[] (investigator, supervisor; audited). */
  watchListHits: "/api/v1/watch-list/hits",
  /** POST → WatchListEntry (supervisor, not the proposer). */
  watchListApprove: (id: string) => `/api/v1/watch-list/${encodeURIComponent(id)}/approve`,
  /** POST WatchListReasonRequest → WatchListEntry (supervisor, not the proposer). */
  watchListReject: (id: string) => `/api/v1/watch-list/${encodeURIComponent(id)}/reject`,
  /** POST WatchListExtensionRequest → WatchListEntry with its pending extension. */
  watchListExtension: (id: string) => `/api/v1/watch-list/${encodeURIComponent(id)}/extension`,
  /** POST → WatchListEntry (supervisor, not the requester). */
  watchListExtensionApprove: (id: string) => `/api/v1/watch-list/${encodeURIComponent(id)}/extension/approve`,
  /** POST WatchListReasonRequest → WatchListEntry (supervisor, not the requester). */
  watchListExtensionReject: (id: string) => `/api/v1/watch-list/${encodeURIComponent(id)}/extension/reject`,
  /** POST WatchListReasonRequest → WatchListEntry (investigator, supervisor). */
  watchListRemove: (id: string) => `/api/v1/watch-list/${encodeURIComponent(id)}/remove`,
  /** GET → RuleHistory; POST ProposeRuleVersionRequest → RuleVersion (pending) (RULE_EDITOR_ROLES; audited). */
  ruleVersions: (id: string) => `/api/v1/rules/${encodeURIComponent(id)}/versions`,
  /** POST RuleDecisionRequest → RuleVersion: a second person approves; every correlator runs it within seconds. */
  approveRuleVersion: (id: string, version: number) =>
    `/api/v1/rules/${encodeURIComponent(id)}/versions/${version}/approve`,
  rejectRuleVersion: (id: string, version: number) =>
    `/api/v1/rules/${encodeURIComponent(id)}/versions/${version}/reject`,
  /** POST RuleDryRunRequest → RuleDryRun: the version over the stored events of the last hours, nothing written. */
  dryRunRuleVersion: (id: string, version: number) =>
    `/api/v1/rules/${encodeURIComponent(id)}/versions/${version}/dry-run`,
  /** GET → SensorSummary[]: the sensors with their health (SENSOR_ROLES). */
  sensors: "/api/v1/sensors",
  /** GET → SensorDetail: latest reading per datastream and the last 24 hours (SENSOR_ROLES). */
  sensor: (id: string) => `/api/v1/sensors/${encodeURIComponent(id)}`,
} as const;

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
  /** GET ?status=drafted|refused|ignored → PartnerImportView[] (newest first): warnings read from partner feeds. */
  partnerImports: "/api/v1/alerting/partner-imports",
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
