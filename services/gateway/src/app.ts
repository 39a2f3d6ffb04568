import {
  bootstrapService,
  type Logger,
  type RunningService,
  type ServiceDependencies,
  type ServiceWiring,
  topics,
} from "@hub/common";
import type { ClientConfig } from "@hub/contracts";
import Fastify from "fastify";
import { Server } from "socket.io";
import type { GatewayConfig } from "./config.js";
import { registerApi } from "./controllers/http.controller.js";
import { registerSockets } from "./controllers/socket.controller.js";
import { registerStatic } from "./controllers/static.controller.js";
import { AlertsGateway } from "./gateways/alerts.gateway.js";
import { CorrelatorGateway } from "./gateways/correlator.gateway.js";
import { createGatewayMetrics } from "./metrics.js";
import { AuditRepository } from "./repositories/audit.repository.js";
import { CasesRepository } from "./repositories/cases.repository.js";
import { LiveFeedRepository } from "./repositories/live-feed.repository.js";
import { loadSigningKey } from "./repositories/signing-key.repository.js";
import { UsersRepository } from "./repositories/users.repository.js";
import { ViewsRepository } from "./repositories/views.repository.js";
import { AuthService, devUsers } from "./services/auth.service.js";
import { CaseService } from "./services/case.service.js";
import { DashboardService } from "./services/dashboard.service.js";
import {
  alertViewOf,
  cameraStatusOf,
  detectionOf,
  incidentOf,
  publicAlertOf,
  sensorReadingOf,
  UndecodableRecord,
} from "./services/decode.js";
import { ExportService } from "./services/export.service.js";
import { type HubServer, LiveHub } from "./services/live.service.js";
import { PublicAlerts } from "./services/public-alerts.service.js";

export type GatewayApp = RunningService<{ port: number }>;

const REGISTRY_REFRESH_MS = 60_000;

export function startGateway(config: GatewayConfig, logger: Logger): Promise<GatewayApp> {
  return bootstrapService({
    name: "gateway",
    config,
    logger,
    ops: { host: config.GATEWAY_HOST, port: config.GATEWAY_OPS_PORT },
    wire: (dependencies) => wireGateway(config, dependencies),
  });
}

/** The gateway's own parts: sign-in, the REST API and dashboard, Socket.IO and the live feed from Kafka. */
async function wireGateway(
  config: GatewayConfig,
  { pool, kafka, logger }: ServiceDependencies,
): Promise<ServiceWiring<{ port: number }>> {
  const metrics = createGatewayMetrics();
  const users = new UsersRepository(pool);
  const audit = new AuditRepository(pool);
  const auth = new AuthService({
    users,
    audit,
    secret: config.GATEWAY_JWT_SECRET,
    ttlS: config.GATEWAY_TOKEN_TTL_S,
    logger: logger.child({ ns: "auth" }),
  });
  const development = config.HUB_MODE !== "production";
  if (development) {
    await auth.seedDevelopmentUsers(config.DEV_USER_PASSWORD);
    logger.warn({ users: devUsers.map((user) => user.username) }, "development users seeded (not in production mode)");
  } else {
    const disabled = await users.disable(devUsers.map((user) => user.username));
    if (disabled > 0) logger.warn({ disabled }, "development users disabled (production mode)");
  }

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: true });
  const io: HubServer = new Server(app.server, {
    path: "/socket.io",
    serveClient: false,
    transports: ["websocket", "polling"],
    pingInterval: 10_000,
    pingTimeout: 10_000,
    maxHttpBufferSize: 16 * 1024,
    ...(config.GATEWAY_CORS_ORIGINS ? { cors: { origin: config.GATEWAY_CORS_ORIGINS.split(",") } } : {}),
  });
  let refreshSoon: NodeJS.Timeout | undefined;
  const live = new LiveHub(io, {
    emitIntervalMs: config.GATEWAY_EMIT_INTERVAL_MS,
    observer: metrics.live,
    // A camera registered since the last refresh: reload the registry shortly (at most once a second).
    onUnknownCamera: () => {
      refreshSoon ??= setTimeout(() => {
        dashboard
          .refreshRegistry()
          .catch((err: unknown) => logger.warn({ err }, "registry refresh failed"))
          .finally(() => {
            refreshSoon = undefined;
          });
      }, 1000);
    },
  });
  const views = new ViewsRepository(pool);
  const correlator = new CorrelatorGateway({
    address: config.CORRELATOR_GRPC_ADDRESS,
    token: config.CORRELATOR_API_TOKEN,
    tls: {
      caFile: config.CORRELATOR_TLS_CA_FILE,
      certFile: config.CORRELATOR_TLS_CLIENT_CERT_FILE,
      keyFile: config.CORRELATOR_TLS_CLIENT_KEY_FILE,
    },
  });
  const dashboard = new DashboardService({ views, live, correlator, audit, logger: logger.child({ ns: "dashboard" }) });
  await dashboard.refreshRegistry();
  live.loadIncidents(await views.openIncidents());
  const registryTimer = setInterval(() => {
    dashboard.refreshRegistry().catch((err: unknown) => logger.warn({ err }, "registry refresh failed"));
  }, REGISTRY_REFRESH_MS);
  registryTimer.unref();

  const clientConfig: ClientConfig = {
    mapStyleUrl: config.GATEWAY_MAP_STYLE_URL ?? null,
    mapAttribution: config.GATEWAY_MAP_ATTRIBUTION,
    developmentUsers:
      config.HUB_MODE === "development"
        ? devUsers.map((user) => ({ username: user.username, password: config.DEV_USER_PASSWORD, roles: user.roles }))
        : [],
    center: [113.5564, 22.1591],
    zoom: 12,
  };
  const cases = new CasesRepository(pool);
  const caseService = new CaseService({ cases, correlator, audit, maxWindowHours: config.GATEWAY_CASE_MAX_WINDOW_H });
  const signing = loadSigningKey(config.GATEWAY_EXPORT_KEY_FILE, logger);
  const exports = new ExportService({
    cases: caseService,
    repository: cases,
    audit,
    signingKey: signing.privateKey,
    publicKeyPem: signing.publicKeyPem,
    logger: logger.child({ ns: "export" }),
  });
  const publicAlerts = new PublicAlerts(io, { maxClients: config.GATEWAY_MAX_CLIENTS });
  registerApi(app, {
    auth,
    dashboard,
    cases: caseService,
    exports,
    audit,
    alerts: new AlertsGateway({ baseUrl: config.ALERTS_URL, token: config.ALERTS_API_TOKEN }),
    publicAlerts,
    clientConfig,
    logger: logger.child({ ns: "http" }),
  });
  await registerStatic(app, {
    webDir: config.GATEWAY_WEB_DIR,
    landGeojson: config.GATEWAY_LAND_GEOJSON,
    logger,
  });
  registerSockets(io, { auth, live, dashboard, maxClients: config.GATEWAY_MAX_CLIENTS, logger });
  io.engine.on("connection", () => metrics.clients.set(io.engine.clientsCount));
  io.on("connection", (socket) => socket.on("disconnect", () => metrics.clients.set(io.engine.clientsCount)));

  const sensorNames = await views.sensorIndex();
  const handlers: Record<string, (value: Buffer | null) => void> = {
    [topics.detections.name]: (value) => live.detection(detectionOf(value)),
    [topics.cameraStatus.name]: (value) => live.cameraStatus(cameraStatusOf(value)),
    [topics.sensorReadings.name]: (value) => live.sensorReading(sensorReadingOf(value, sensorNames)),
    [topics.incidents.name]: (value) => live.incident(incidentOf(value)),
    [topics.alerts.name]: (value) => {
      const alert = publicAlertOf(value);
      live.alert(alertViewOf(alert));
      publicAlerts.change(alert);
    },
  };
  const feed = await LiveFeedRepository.start(kafka, {
    groupId: `hub-gateway-${config.GATEWAY_INSTANCE_ID}`,
    logger: logger.child({ ns: "feed" }),
    handle: (topic, message) => {
      try {
        handlers[topic]?.(message.value);
        metrics.consumed.inc({ topic, outcome: "shown" });
      } catch (error) {
        if (!(error instanceof UndecodableRecord)) throw error;
        // The correlator dead-letters the same record; here it is only counted.
        metrics.consumed.inc({ topic, outcome: "undecodable" });
      }
    },
  });
  live.start();

  await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.GATEWAY_PORT;
  logger.info({ port, epoch: live.epoch, instance: config.GATEWAY_INSTANCE_ID }, "gateway listening");
  return {
    exposed: { port },
    metrics: metrics.registry,
    async stop() {
      clearInterval(registryTimer);
      clearTimeout(refreshSoon);
      live.stop();
      publicAlerts.stop();
      // Clients reconnect elsewhere (or here, after a restart) and resync from a snapshot.
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close();
      await feed.stop();
      correlator.close();
    },
  };
}
