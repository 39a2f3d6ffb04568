import { answerWithProblems, type Logger, parseInput } from "@hub/common";
import {
  API,
  type AuditQuery,
  auditQuerySchema,
  buildOpenApiDocument,
  type ClientConfig,
  type IncidentActionResponse,
  type IncidentView,
  loginRequestSchema,
  PUBLIC_ALERTS,
  refreshRequestSchema,
} from "@hub/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AlertsGateway } from "../gateways/alerts.gateway.js";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { RulesRepository } from "../repositories/rules.repository.js";
import { AuthService, type Principal } from "../services/auth.service.js";
import type { CameraDecommissionService } from "../services/camera-decommission.service.js";
import type { CameraHealthService } from "../services/camera-health.service.js";
import type { CameraMaintenanceService } from "../services/camera-maintenance.service.js";
import type { CaseService } from "../services/case.service.js";
import type { DashboardService } from "../services/dashboard.service.js";
import type { ExportService } from "../services/export.service.js";
import type { HistoryService } from "../services/history.service.js";
import type { IncidentWorkflowService } from "../services/incident-workflow.service.js";
import type { LegalHoldService } from "../services/legal-hold.service.js";
import type { PublicAlerts } from "../services/public-alerts.service.js";
import type { RuleVersionsService } from "../services/rule-versions.service.js";
import type { SensorsService } from "../services/sensors.service.js";
import type { SensorThingsService } from "../services/sensorthings.service.js";
import type { SessionService } from "../services/sessions.service.js";
import type { UserAdminService } from "../services/user-admin.service.js";
import type { VideoService } from "../services/video.service.js";
import type { WatchListService } from "../services/watch-list.service.js";
import { registerCameraHealthApi } from "./camera-health.controller.js";
import { registerRulesApi } from "./rules.controller.js";
import { registerSensorApi } from "./sensors.controller.js";
import { registerWatchListApi } from "./watch-list.controller.js";

declare module "fastify" {
  interface FastifyRequest {
    user?: Principal;
    sessionId?: string;
  }
}

/** The REST API (paths in the contract's `API`), all JSON; errors are RFC 9457 problem documents. */
export function registerApi(
  app: FastifyInstance,
  deps: {
    auth: AuthService;
    sessions: SessionService;
    userAdmin: UserAdminService;
    dashboard: DashboardService;
    incidentWorkflow: IncidentWorkflowService;
    history: HistoryService;
    rules: RulesRepository;
    ruleVersions: RuleVersionsService;
    cases: CaseService;
    video: VideoService;
    legalHolds: LegalHoldService;
    exports: ExportService;
    audit: AuditRepository;
    alerts: AlertsGateway;
    publicAlerts: PublicAlerts;
    clientConfig: ClientConfig;
    cameraHealth: CameraHealthService;
    maintenance: CameraMaintenanceService;
    decommission: CameraDecommissionService;
    watchList: WatchListService;
    sensors: SensorsService;
    sensorThings: SensorThingsService;
    logger: Logger;
  },
): void {
  const { auth, sessions, userAdmin, dashboard, cases, exports } = deps;
  answerWithProblems(app, deps.logger);

  const signedIn = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
    const { principal, sessionId } = await sessions.authenticate(token);
    request.user = principal;
    request.sessionId = sessionId;
  };
  const user = (request: FastifyRequest): Principal => request.user as Principal;
  registerCameraHealthApi(app, {
    signedIn,
    cameraHealth: deps.cameraHealth,
    maintenance: deps.maintenance,
    decommission: deps.decommission,
  });
  registerWatchListApi(app, { signedIn, watchList: deps.watchList });
  registerRulesApi(app, { signedIn, ruleVersions: deps.ruleVersions });
  registerSensorApi(app, { signedIn, sensors: deps.sensors, sensorThings: deps.sensorThings });
  const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");

  app.get(API.config, async () => deps.clientConfig);
  const openApiDocument = buildOpenApiDocument();
  app.get(API.openapi, async () => openApiDocument);
  app.post(API.login, async (request, reply) => {
    noStore(reply);
    return auth.login(parseInput(loginRequestSchema, request.body ?? {}, "body"), request.ip);
  });
  app.post(API.refresh, async (request, reply) => {
    noStore(reply);
    const { refreshToken } = parseInput(refreshRequestSchema, request.body ?? {}, "body");
    return sessions.refresh(refreshToken, request.ip);
  });
  app.post(API.logout, { onRequest: signedIn }, async (request, reply) => {
    await sessions.signOut(user(request), request.sessionId as string, request.ip);
    return reply.code(204).send();
  });
  app.get(API.me, { onRequest: signedIn }, async (request) => {
    const { username, displayName, roles } = user(request);
    return { username, displayName, roles };
  });
  // Account administration (audited; disabling or a role change ends the account's sessions everywhere).
  app.get(API.users, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return userAdmin.list(user(request));
  });
  const username = (request: FastifyRequest) => (request.params as { username: string }).username;
  app.put("/api/v1/users/:username/roles", { onRequest: signedIn }, async (request) =>
    userAdmin.setRoles(user(request), username(request), request.body, request.ip),
  );
  app.post("/api/v1/users/:username/disable", { onRequest: signedIn }, async (request) =>
    userAdmin.disable(user(request), username(request), request.body, request.ip),
  );
  app.post("/api/v1/users/:username/enable", { onRequest: signedIn }, async (request) =>
    userAdmin.enable(user(request), username(request), request.body, request.ip),
  );
  app.get(API.snapshot, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return dashboard.snapshot((request.query as { area?: unknown }).area);
  });
  app.get(API.districts, { onRequest: signedIn }, async () => [...dashboard.knownDistricts()].sort());
  app.get(API.cameras, { onRequest: signedIn }, async () => dashboard.cameras());
  app.get(`${API.cameras}/:id`, { onRequest: signedIn }, async (request) =>
    dashboard.camera(user(request), (request.params as { id: string }).id),
  );
  app.get(API.incidents, { onRequest: signedIn }, async () => dashboard.openIncidents());
  // Closed incidents, for whoever sees incidents (a static path: the router prefers it to `:id`).
  app.get(API.incidentHistory, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return deps.history.search(request.query);
  });
  // The correlation rules, read-only, with their false alarms: for those who oversee the operation.
  app.get(API.rules, { onRequest: signedIn }, async (request, reply) => {
    AuthService.require(user(request), "supervisor", "administrator");
    noStore(reply);
    return deps.rules.list();
  });
  app.get(`${API.incidents}/:id`, { onRequest: signedIn }, async (request) =>
    dashboard.incident(user(request), (request.params as { id: string }).id),
  );
  for (const action of ["acknowledge", "resolve"] as const) {
    app.post(
      `${API.incidents}/:id/${action}`,
      { onRequest: signedIn },
      async (request): Promise<IncidentActionResponse> => ({
        incident: await dashboard.act(user(request), action, (request.params as { id: string }).id, request.body ?? {}),
      }),
    );
  }
  const workflow = deps.incidentWorkflow;
  const incidentId = (request: FastifyRequest) => (request.params as { id: string }).id;
  const changed = async (incident: Promise<IncidentView>): Promise<IncidentActionResponse> => ({
    incident: await incident,
  });
  app.get(`${API.incidents}/:id/workflow`, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return workflow.workflow(user(request), incidentId(request));
  });
  app.post(`${API.incidents}/:id/transitions`, { onRequest: signedIn }, (request) =>
    changed(workflow.transition(user(request), incidentId(request), request.body)),
  );
  app.put(`${API.incidents}/:id/assignment`, { onRequest: signedIn }, (request) =>
    changed(workflow.assign(user(request), incidentId(request), request.body)),
  );
  app.post(`${API.incidents}/:id/notes`, { onRequest: signedIn }, (request) =>
    changed(workflow.addNote(user(request), incidentId(request), request.body)),
  );
  app.put(`${API.incidents}/:id/procedure/:stepId`, { onRequest: signedIn }, (request) =>
    changed(
      workflow.setStep(user(request), incidentId(request), (request.params as { stepId: string }).stepId, request.body),
    ),
  );
  app.post(`${API.incidents}/:id/merge`, { onRequest: signedIn }, (request) =>
    changed(workflow.merge(user(request), incidentId(request), request.body)),
  );
  app.get(API.alerts, { onRequest: signedIn }, async () => dashboard.alerts());

  // Civil-protection alert authoring: forwarded to the alerts service with the user's identity; it enforces the
  // roles and the two-person rule, and records every step.
  const forward = async (request: FastifyRequest, reply: FastifyReply, signed: boolean) => {
    const forwarded = await deps.alerts.forward({
      method: request.method,
      path: request.url,
      body: request.body,
      user: signed ? user(request) : null,
      ip: request.ip,
    });
    reply.code(forwarded.status).type(forwarded.contentType);
    reply.header("cache-control", forwarded.cacheControl ?? "no-store");
    return reply.send(forwarded.body);
  };
  app.route({
    method: ["GET", "POST", "PUT"],
    url: "/api/v1/alerting/*",
    onRequest: signedIn,
    handler: (request, reply) => forward(request, reply, true),
  });
  // Public: the CAP feed and documents (served by the alerts service), and the active alerts as JSON.
  app.get("/cap/*", (request, reply) => forward(request, reply, false));
  app.get(PUBLIC_ALERTS.json, async (_request, reply) => {
    reply.header("cache-control", "no-cache").header("access-control-allow-origin", "*");
    return deps.publicAlerts.active();
  });

  // Video evidence (VIDEO_ROLES; every access audited). Images come from the site's recorder through the gateway,
  // sandboxed (an SVG still cannot run anything even when opened on its own) and never cached.
  app.post(API.videoClips, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return deps.video.openClip(user(request), request.body, request.ip);
  });
  const sendImage = (reply: FastifyReply, image: { contentType: string; body: Buffer }) =>
    reply
      .type(image.contentType)
      .header("cache-control", "no-store")
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .send(image.body);
  app.get(API.videoStill, { onRequest: signedIn }, async (request, reply) =>
    sendImage(reply, await deps.video.still(user(request), request.query, request.ip)),
  );
  app.get("/api/v1/cameras/:id/detections/:eventId/snapshot", { onRequest: signedIn }, async (request, reply) => {
    const { id, eventId } = request.params as { id: string; eventId: string };
    return sendImage(reply, await deps.video.snapshot(user(request), id, eventId, request.query, request.ip));
  });

  // Police case lookup (investigator role; every call audited).
  app.post(API.caseSearch, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return cases.search(user(request), request.body, request.ip);
  });
  app.get("/api/v1/cases/records/:id", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return cases.view(user(request), (request.params as { id: string }).id, request.query as never, request.ip);
  });
  // Too many running exports: 429 with Retry-After (ExportsBusyError carries it; answerWithProblems sets it).
  app.post("/api/v1/cases/records/:id/exports", { onRequest: signedIn }, async (request, reply) => {
    const job = await exports.start(user(request), (request.params as { id: string }).id, request.body, request.ip);
    return reply.code(202).send(job);
  });
  app.get(API.exportKey, async (_request, reply) => reply.type("application/x-pem-file").send(exports.publicKey()));
  app.get("/api/v1/exports/:id", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return exports.status(user(request), (request.params as { id: string }).id, request.ip);
  });
  app.get("/api/v1/exports/:id/download", { onRequest: signedIn }, async (request, reply) => {
    const { stream, bytes, name } = await exports.download(
      user(request),
      (request.params as { id: string }).id,
      request.ip,
    );
    return reply
      .header("content-type", "application/zip")
      .header("content-length", String(bytes))
      .header("content-disposition", `attachment; filename="${name}"`)
      .header("cache-control", "no-store")
      .send(stream);
  });
  // Legal holds: placed by an investigator or supervisor, released only by two supervisors (every step audited).
  app.get(API.legalHolds, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return deps.legalHolds.list(user(request));
  });
  app.post(API.legalHolds, { onRequest: signedIn }, async (request, reply) =>
    reply.code(201).send(await deps.legalHolds.place(user(request), request.body, request.ip)),
  );
  app.post(API.legalHoldReleases, { onRequest: signedIn }, async (request, reply) =>
    reply.code(201).send(await deps.legalHolds.requestRelease(user(request), request.body, request.ip)),
  );
  app.post("/api/v1/legal-holds/release-requests/:id/approve", { onRequest: signedIn }, async (request) =>
    deps.legalHolds.approveRelease(user(request), (request.params as { id: string }).id, request.ip),
  );
  // The audit trail: supervisors and administrators read it; nobody changes it (reading it is recorded too).
  app.get(API.audit, { onRequest: signedIn }, async (request, reply) => {
    AuthService.require(user(request), "supervisor", "administrator");
    const query = request.query as AuditQuery;
    const { limit, before, caseReference } = parseInput(auditQuerySchema, query, "query");
    noStore(reply);
    const entries = await deps.audit.list({
      limit,
      ...(before ? { before } : {}),
      ...(caseReference ? { caseReference } : {}),
    });
    await deps.audit.record({
      actor: user(request).username,
      action: "audit.view",
      criteria: query,
      resultCount: entries.length,
      sourceIp: request.ip,
    });
    return entries;
  });
}
