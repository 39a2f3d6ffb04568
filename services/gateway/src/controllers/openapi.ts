/**
 * OpenAPI 3.1 description of the gateway's REST API, served at /api/v1/openapi.json. The payload shapes are the
 * TypeScript interfaces of ../contract.ts (named the same here); the Socket.IO events are described there too.
 */
const bearer = [{ bearer: [] }];
const problem = { $ref: "#/components/responses/Problem" };
const json = (schema: string, description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 503: problem };

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: "object",
  properties,
  required,
});
const str = { type: "string" };
const num = { type: "number" };
const time = { type: "string", format: "date-time" };
const severity = { type: "string", enum: ["minor", "moderate", "severe", "extreme"] };

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Macao event hub — command-centre gateway",
    version: "1.0.0",
    description:
      "Snapshots for the live map and incident actions. Live changes come over Socket.IO (path /socket.io, " +
      "handshake auth { token }): subscribe with 'view:subscribe' { area }, then receive enveloped state events " +
      "{ epoch, seq, data } — see services/gateway/src/contract.ts. Errors are RFC 9457 problem documents.",
  },
  servers: [{ url: "/" }],
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    responses: {
      Problem: {
        description: "Error",
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      },
    },
    schemas: {
      Problem: object({ type: str, title: str, status: { type: "integer" }, detail: str, field: str }, [
        "type",
        "title",
        "status",
        "detail",
      ]),
      LoginRequest: object({ username: str, password: str }),
      UserView: object({ username: str, displayName: str, roles: { type: "array", items: str } }),
      LoginResponse: object({ token: str, expiresAt: time, user: { $ref: "#/components/schemas/UserView" } }),
      CameraView: object({
        id: str,
        name: str,
        district: str,
        phase: { type: "integer" },
        lat: num,
        lon: num,
        bearingDeg: num,
        fovAngleDeg: num,
        rangeM: num,
        state: { type: "string", enum: ["online", "degraded", "offline", "unknown"] },
        lastStatusAt: { type: ["string", "null"], format: "date-time" },
        version: num,
      }),
      IncidentView: object({
        id: str,
        ruleId: str,
        kind: str,
        severity,
        status: { type: "string", enum: ["open", "acknowledged", "resolved"] },
        title: str,
        lat: num,
        lon: num,
        firstEventAt: time,
        lastEventAt: time,
        openedAt: time,
        updatedAt: time,
        evidenceCount: { type: "integer" },
        version: { type: "integer" },
      }),
      IncidentDetail: {
        type: "object",
        description: "IncidentView with evidence timeline, who acted, and the cameras of its case-assist record",
      },
      CameraDetail: { type: "object", description: "CameraView with status history and detection counts" },
      AlertView: object({ id: str, severity, state: str, version: { type: "integer" } }, ["id", "state", "version"]),
      Snapshot: object({
        area: str,
        takenAt: time,
        cameras: { type: "array", items: { $ref: "#/components/schemas/CameraView" } },
        incidents: { type: "array", items: { $ref: "#/components/schemas/IncidentView" } },
        alerts: { type: "array", items: { $ref: "#/components/schemas/AlertView" } },
        sensors: { type: "array", items: { type: "object" } },
        counters: { type: "object" },
      }),
      IncidentActionRequest: object({ expectedVersion: { type: "integer", minimum: 1 } }, []),
      CaseArea: {
        oneOf: [
          object({ circle: object({ lat: num, lon: num, radiusM: { type: "number", minimum: 1, maximum: 5000 } }) }),
          object({
            polygon: {
              type: "array",
              description: "Closed ring of [lon, lat]: the last point repeats the first; 4..201 points; no crossings",
              minItems: 4,
              maxItems: 201,
              items: { type: "array", items: num, minItems: 2, maxItems: 2 },
            },
          }),
        ],
      },
      CaseSearchRequest: object(
        {
          caseReference: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9./_-]{2,63}$" },
          purpose: { type: "string", minLength: 10, maxLength: 500 },
          window: object({ from: time, to: time }),
          area: { $ref: "#/components/schemas/CaseArea" },
          cameraIds: { type: "array", items: str, maxItems: 500 },
          objectClasses: { type: "array", items: str },
          ruleTypes: { type: "array", items: str },
          plate: { type: "string", pattern: "^[A-Za-z0-9*?-]{1,16}$", description: "* any run, ? one character" },
          incidentId: { type: "string", format: "uuid" },
          limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
        },
        ["caseReference", "purpose", "window"],
      ),
      CaseSearchResult: {
        type: "object",
        description:
          "recordId, criteria, cameras (covering the area and online, with coveredFraction and onlineShare), " +
          "detections { items, total, nextCursor }, plates, clips, incidents — see CaseSearchResult in contract.ts",
      },
      ExportJob: object({
        id: str,
        recordId: str,
        state: { type: "string", enum: ["running", "ready", "failed"] },
        progress: num,
        bytes: { type: ["integer", "null"] },
        sha256: { type: ["string", "null"] },
        error: { type: ["string", "null"] },
        createdAt: time,
      }),
    },
  },
  paths: {
    "/api/v1/config": {
      get: { summary: "Public dashboard settings", responses: { 200: { description: "ClientConfig" } } },
    },
    "/api/v1/auth/login": {
      post: {
        summary: "Sign in",
        requestBody: json("LoginRequest", "Credentials"),
        responses: { 200: json("LoginResponse", "Signed in"), 400: problem, 401: problem, 429: problem },
      },
    },
    "/api/v1/auth/me": {
      get: { security: bearer, responses: { 200: json("UserView", "The signed-in user"), 401: problem } },
    },
    "/api/v1/snapshot": {
      get: {
        summary: "Everything the live map shows, for an area",
        security: bearer,
        parameters: [{ name: "area", in: "query", schema: { type: "string", default: "city" } }],
        responses: { 200: json("Snapshot", "Snapshot"), ...errors },
      },
    },
    "/api/v1/districts": {
      get: { security: bearer, responses: { 200: { description: "District names" }, 401: problem } },
    },
    "/api/v1/cameras": { get: { security: bearer, responses: { 200: { description: "CameraView[]" }, 401: problem } } },
    "/api/v1/cameras/{id}": {
      get: { security: bearer, parameters: [idParam], responses: { 200: json("CameraDetail", "Camera"), ...errors } },
    },
    "/api/v1/incidents": {
      get: { security: bearer, responses: { 200: { description: "IncidentView[]" }, 401: problem } },
    },
    "/api/v1/incidents/{id}": {
      get: {
        security: bearer,
        parameters: [idParam],
        responses: { 200: json("IncidentDetail", "Incident"), ...errors },
      },
    },
    "/api/v1/incidents/{id}/acknowledge": {
      post: {
        summary: "open → acknowledged (operator role)",
        security: bearer,
        parameters: [idParam],
        requestBody: json("IncidentActionRequest", "Optimistic concurrency"),
        responses: { 200: { description: "{ incident: IncidentView }" }, ...errors },
      },
    },
    "/api/v1/incidents/{id}/resolve": {
      post: {
        summary: "open or acknowledged → resolved (operator role)",
        security: bearer,
        parameters: [idParam],
        requestBody: json("IncidentActionRequest", "Optimistic concurrency"),
        responses: { 200: { description: "{ incident: IncidentView }" }, ...errors },
      },
    },
    "/api/v1/cases/search": {
      post: {
        summary: "Police case lookup (investigator role; case reference and purpose required; audited)",
        security: bearer,
        requestBody: json("CaseSearchRequest", "Criteria"),
        responses: { 200: json("CaseSearchResult", "First page; the lookup is stored"), ...errors },
      },
    },
    "/api/v1/cases/records/{id}": {
      get: {
        summary: "A page of a stored lookup (audited)",
        security: bearer,
        parameters: [
          idParam,
          { name: "purpose", in: "query", required: true, schema: { type: "string", minLength: 10 } },
          { name: "cursor", in: "query", schema: str },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
        ],
        responses: { 200: json("CaseSearchResult", "Page"), ...errors },
      },
    },
    "/api/v1/cases/records/{id}/exports": {
      post: {
        summary: "Start a signed evidence export (audited)",
        security: bearer,
        parameters: [idParam],
        requestBody: { content: { "application/json": { schema: object({ purpose: str }) } } },
        responses: { 202: json("ExportJob", "Started"), ...errors },
      },
    },
    "/api/v1/exports/{id}": {
      get: { security: bearer, parameters: [idParam], responses: { 200: json("ExportJob", "Progress"), ...errors } },
    },
    "/api/v1/exports/{id}/download": {
      get: {
        security: bearer,
        parameters: [idParam],
        responses: {
          200: { description: "application/zip: record.json, CSVs, manifest.json, manifest.sig" },
          ...errors,
        },
      },
    },
    "/api/v1/exports/public-key": {
      get: {
        summary: "The Ed25519 key export manifests are signed with (PEM)",
        responses: { 200: { description: "PEM" } },
      },
    },
    "/api/v1/audit": {
      get: {
        summary: "The audit trail, newest first (supervisor or administrator)",
        security: bearer,
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
          { name: "before", in: "query", schema: { type: "integer" } },
          { name: "caseReference", in: "query", schema: str },
        ],
        responses: { 200: { description: "AuditEntryView[]" }, ...errors },
      },
    },
    "/api/v1/alerts": { get: { security: bearer, responses: { 200: { description: "AlertView[]" }, 401: problem } } },

    // Civil-protection alerting, forwarded to the alerts service with the signed-in user. Payload shapes are the
    // interfaces of @hub/alerts/contract (services/alerts/src/contract.ts), named the same here.
    "/api/v1/alerting/templates": {
      get: {
        summary: "Alert templates",
        security: bearer,
        responses: { 200: { description: "AlertTemplate[]" }, ...errors },
      },
    },
    "/api/v1/alerting/districts": {
      get: {
        summary: "Districts an area can name (CAP geocode MO-district), with outlines",
        security: bearer,
        responses: { 200: { description: "District[]" }, ...errors },
      },
    },
    "/api/v1/alerting/prefill": {
      get: {
        summary: "Content to start a draft from: a template, an incident, or both (alert_drafter role)",
        security: bearer,
        parameters: [
          { name: "templateId", in: "query", schema: str },
          { name: "incidentId", in: "query", schema: { type: "string", format: "uuid" } },
        ],
        responses: { 200: { description: "AlertContent" }, ...errors },
      },
    },
    "/api/v1/alerting/messages": {
      get: {
        summary: "CAP messages, newest first (drafters, approvers, supervisors)",
        security: bearer,
        parameters: [
          {
            name: "status",
            in: "query",
            schema: { type: "string", enum: ["draft", "pending", "published", "rejected", "withdrawn"] },
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
        ],
        responses: { 200: { description: "MessageView[]" }, ...errors },
      },
      post: {
        summary: "Draft an Alert, or an Update or Cancel of an alert (alert_drafter role)",
        security: bearer,
        requestBody: { content: { "application/json": { schema: { description: "CreateMessageRequest" } } } },
        responses: { 201: { description: "MessageView" }, ...errors },
      },
    },
    "/api/v1/alerting/messages/{id}": {
      get: { security: bearer, parameters: [idParam], responses: { 200: { description: "MessageView" }, ...errors } },
      put: {
        summary: "Edit a draft (its drafter; { revision, content })",
        security: bearer,
        parameters: [idParam],
        responses: { 200: { description: "MessageView" }, ...errors },
      },
    },
    ...Object.fromEntries(
      (
        [
          ["submit", "draft → pending (its drafter)"],
          ["approve", "pending → published (alert_approver role, not the drafter): CAP issued, deliveries queued"],
          ["reject", "pending → rejected (alert_approver role, not the drafter; note required)"],
          ["withdraw", "draft or pending → withdrawn (its drafter or an approver)"],
        ] as const
      ).map(([action, summary]) => [
        `/api/v1/alerting/messages/{id}/${action}`,
        {
          post: {
            summary,
            security: bearer,
            parameters: [idParam],
            requestBody: {
              content: {
                "application/json": {
                  schema: object({ revision: { type: "integer" }, note: str }, ["revision"]),
                },
              },
            },
            responses: { 200: { description: "MessageView" }, ...errors },
          },
        },
      ]),
    ),
    "/api/v1/alerting/messages/{id}/cap.xml": {
      get: {
        summary: "The CAP 1.2 document: as published, or a preview of a draft",
        security: bearer,
        parameters: [idParam],
        responses: { 200: { description: "application/cap+xml" }, ...errors },
      },
    },
    "/api/v1/alerting/messages/{id}/deliveries": {
      get: {
        summary: "Delivery state per channel, with the problems (failed, dead) per subscriber",
        security: bearer,
        parameters: [idParam],
        responses: { 200: { description: "ChannelDeliverySummary[]" }, ...errors },
      },
    },
    "/api/v1/alerting/alerts": {
      get: {
        summary: "Alerts and their state",
        security: bearer,
        responses: { 200: { description: "AlertSummary[]" }, ...errors },
      },
    },

    // Public, no sign-in.
    "/api/v1/public/alerts": {
      get: {
        summary: "Alerts in force (PublicAlertView[]); live on the Socket.IO namespace /public",
        responses: { 200: { description: "PublicAlertView[]" } },
      },
    },
    "/cap/feed.atom": {
      get: { summary: "Atom feed of the alerts in force", responses: { 200: { description: "application/atom+xml" } } },
    },
    "/cap/messages/{identifier}.xml": {
      get: {
        summary: "A published CAP 1.2 document",
        parameters: [{ name: "identifier", in: "path", required: true, schema: str }],
        responses: { 200: { description: "application/cap+xml" }, 404: problem },
      },
    },
  },
} as const;
