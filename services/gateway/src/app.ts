import {
  bootstrapService,
  createPool,
  httpsServerOptions,
  type Logger,
  type RunningService,
  readAuditHead,
  type ServiceDependencies,
  type ServiceWiring,
  signAuditCheckpoint,
  topics,
} from "@hub/common";
import type { ClientConfig } from "@hub/contracts";
import Fastify from "fastify";
import { Server } from "socket.io";
import type { GatewayConfig } from "./config.js";
import { clientAddress, proxyTrust } from "./controllers/client-address.js";
import { registerApi } from "./controllers/http.controller.js";
import { registerSockets, startSessionSweep } from "./controllers/socket.controller.js";
import { registerStatic } from "./controllers/static.controller.js";
import { AlertsGateway } from "./gateways/alerts.gateway.js";
import { CorrelatorGateway } from "./gateways/correlator.gateway.js";
import { RecorderGateway } from "./gateways/recorder.gateway.js";
import { createGatewayMetrics } from "./metrics.js";
import { AuditRepository } from "./repositories/audit.repository.js";
import {
  CheckpointFile,
  type CheckpointSink,
  CheckpointTopic,
  loadCheckpointKey,
} from "./repositories/audit-checkpoint.repository.js";
import { CameraDecommissionRepository } from "./repositories/camera-decommission.repository.js";
import { CameraHealthRepository } from "./repositories/camera-health.repository.js";
import { CameraMaintenanceRepository } from "./repositories/camera-maintenance.repository.js";
import { CasesRepository } from "./repositories/cases.repository.js";
import { ExportChunksRepository } from "./repositories/export-chunks.repository.js";
import { ExportJobsRepository } from "./repositories/export-jobs.repository.js";
import { HistoryRepository } from "./repositories/history.repository.js";
import { IncidentWorkflowRepository } from "./repositories/incident-workflow.repository.js";
import { LegalHoldsRepository } from "./repositories/legal-holds.repository.js";
import { LiveFeedRepository } from "./repositories/live-feed.repository.js";
import { loadProcedures } from "./repositories/procedures-file.repository.js";
import { RuleVersionsRepository } from "./repositories/rule-versions.repository.js";
import { RulesRepository } from "./repositories/rules.repository.js";
import { SensorsRepository } from "./repositories/sensors.repository.js";
import { SessionsRepository } from "./repositories/sessions.repository.js";
import { SignInAttemptsRepository } from "./repositories/sign-in-attempts.repository.js";
import { SignInAuditRepository } from "./repositories/sign-in-audit.repository.js";
import { loadSigningKey } from "./repositories/signing-key.repository.js";
import { UsersRepository } from "./repositories/users.repository.js";
import { VideoRepository } from "./repositories/video.repository.js";
import { ViewsRepository } from "./repositories/views.repository.js";
import { WatchListRepository } from "./repositories/watch-list.repository.js";
import { AuditCheckpointer } from "./services/audit-checkpoint.service.js";
import { AuthService, devUsers } from "./services/auth.service.js";
import { CameraDecommissionService } from "./services/camera-decommission.service.js";
import { CameraHealthService } from "./services/camera-health.service.js";
import { CameraMaintenanceService } from "./services/camera-maintenance.service.js";
import { CaseService } from "./services/case.service.js";
import { CredentialsService } from "./services/credentials.service.js";
import { DashboardService } from "./services/dashboard.service.js";
import {
  alertViewOf,
  cameraHealthOf,
  cameraStatusOf,
  detectionOf,
  incidentOf,
  publicAlertOf,
  sensorReadingOf,
  UndecodableRecord,
} from "./services/decode.js";
import { EXPORT_STALE_S, ExportService } from "./services/export.service.js";
import { HistoryService } from "./services/history.service.js";
import { IncidentWorkflowService } from "./services/incident-workflow.service.js";
import { LegalHoldService } from "./services/legal-hold.service.js";
import { type HubServer, LiveHub } from "./services/live.service.js";
import { AuditedWatchLog } from "./services/live-audit.js";
import { OWASP_SCRYPT, PasswordHasher } from "./services/passwords.js";
import { PublicAlerts } from "./services/public-alerts.service.js";
import { RuleVersionsService } from "./services/rule-versions.service.js";
import { SensorsService } from "./services/sensors.service.js";
import { SensorThingsService } from "./services/sensorthings.service.js";
import { SessionService } from "./services/sessions.service.js";
import { SignInThrottle } from "./services/sign-in-throttle.js";
import { UserAdminService } from "./services/user-admin.service.js";
import { VideoService } from "./services/video.service.js";
import { WatchListService } from "./services/watch-list.service.js";

export type GatewayApp = RunningService<{ port: number }>;

const REGISTRY_REFRESH_MS = 60_000;
/** Ended sessions are kept this long (who was signed in when, for an investigation), then deleted hourly. */
const SESSION_KEEP_DAYS = 30;
const SESSION_PRUNE_MS = 3600_000;
const PRUNE_SIGN_IN_MS = 5 * 60_000;

/** Runs `task` every `ms` in the background (the timer keeps no process alive); a failure is logged, the next run retries. */
function every(ms: number, task: () => Promise<unknown>, logger: Logger, failure: string): NodeJS.Timeout {
  const timer = setInterval(() => {
    task().catch((err: unknown) => logger.warn({ err }, failure));
  }, ms);
  timer.unref();
  return timer;
}

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
  const signInAttempts = new SignInAttemptsRepository(pool);
  const signInRefusals = new SignInAuditRepository(pool, {
    flushMs: 1000,
    maxEntries: 1000,
    logger: logger.child({ ns: "auth" }),
  });
  const credentials = new CredentialsService({
    users,
    hasher: new PasswordHasher({
      params: { ...OWASP_SCRYPT, log2N: config.GATEWAY_PASSWORD_SCRYPT_LOG2N },
      concurrency: config.GATEWAY_PASSWORD_HASH_CONCURRENCY,
      maxWaiting: 32 * config.GATEWAY_PASSWORD_HASH_CONCURRENCY,
      onHash: (params) => metrics.passwordHashes.inc({ log2n: String(params.log2N) }),
    }),
    throttle: new SignInThrottle(signInAttempts, {
      freePerAddress: config.GATEWAY_SIGN_IN_FREE_PER_ADDRESS,
      freePerUserAddress: config.GATEWAY_SIGN_IN_FREE_PER_USER_ADDRESS,
      userUnderAttackAfter: config.GATEWAY_SIGN_IN_USER_UNDER_ATTACK_AFTER,
      baseDelayMs: config.GATEWAY_SIGN_IN_BASE_DELAY_S * 1000,
      maxDelayMs: config.GATEWAY_SIGN_IN_MAX_DELAY_S * 1000,
      windowMs: config.GATEWAY_SIGN_IN_WINDOW_S * 1000,
    }),
    refusals: signInRefusals,
    observer: { signIn: (outcome) => metrics.signIns.inc({ outcome }) },
    logger: logger.child({ ns: "auth" }),
  });
  // Forgotten failure counters are deleted by whichever instance comes first; deleting twice is harmless.
  const pruneTimer = every(
    PRUNE_SIGN_IN_MS,
    () => signInAttempts.prune(config.GATEWAY_SIGN_IN_WINDOW_S),
    logger,
    "pruning sign-in counters failed",
  );
  const sessionStore = new SessionsRepository(pool);
  const sessions = new SessionService({
    store: sessionStore,
    audit,
    settings: {
      secret: config.GATEWAY_JWT_SECRET,
      accessTtlS: config.GATEWAY_ACCESS_TOKEN_TTL_S,
      sessionTtlS: config.GATEWAY_TOKEN_TTL_S,
      checkCacheMs: config.GATEWAY_SESSION_CHECK_CACHE_MS,
    },
    logger: logger.child({ ns: "sessions" }),
  });
  const auth = new AuthService({ users, credentials, audit, sessions, logger: logger.child({ ns: "auth" }) });
  const development = config.HUB_MODE !== "production";
  if (development) {
    await auth.seedDevelopmentUsers(config.DEV_USER_PASSWORD);
    logger.warn({ users: devUsers.map((user) => user.username) }, "development users seeded (not in production mode)");
  } else {
    const disabled = await users.disable(devUsers.map((user) => user.username));
    if (disabled > 0) logger.warn({ disabled }, "development users disabled (production mode)");
  }

  // X-Forwarded-For only from the configured proxies: the address ends up in the audit trail.
  const proxies = proxyTrust(config.GATEWAY_TRUSTED_PROXIES);
  const tls = httpsServerOptions({ certFile: config.GATEWAY_TLS_CERT_FILE, keyFile: config.GATEWAY_TLS_KEY_FILE });
  const app = Fastify({
    https: tls,
    logger: false,
    bodyLimit: 64 * 1024,
    trustProxy: proxies.none ? false : (address: string) => proxies.trusts(address),
  });
  const io: HubServer = new Server(app.server, {
    path: "/socket.io",
    serveClient: false,
    transports: ["websocket", "polling"],
    pingInterval: 10_000,
    pingTimeout: 10_000,
    maxHttpBufferSize: 16 * 1024,
    // A transport that has joined no namespace (neither signed in nor public) is closed soon: it counts toward no limit.
    connectTimeout: 10_000,
    ...(config.GATEWAY_CORS_ORIGINS ? { cors: { origin: config.GATEWAY_CORS_ORIGINS.split(",") } } : {}),
  });
  let refreshSoon: NodeJS.Timeout | undefined;
  const live = new LiveHub(io, {
    emitIntervalMs: config.GATEWAY_EMIT_INTERVAL_MS,
    watchLog: new AuditedWatchLog(audit),
    onWatchLogError: (err, watch) =>
      logger.error({ err, user: watch.user.username, cameras: watch.cameras }, "end of a detection watch not audited"),
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
  const incidentWorkflow = new IncidentWorkflowService({
    correlator,
    workflow: new IncidentWorkflowRepository(pool),
    views,
    audit,
    live,
    procedures: loadProcedures(config.GATEWAY_PROCEDURES_FILE),
  });
  await dashboard.refreshRegistry();
  live.loadIncidents(await views.openIncidents());
  const registryTimer = every(
    REGISTRY_REFRESH_MS,
    () => dashboard.refreshRegistry(),
    logger,
    "registry refresh failed",
  );

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
  // Exports read through cursors on connections of their own, never those that serve requests.
  const exportPool = createPool(config.DATABASE_URL, config.GATEWAY_EXPORT_MAX_RUNNING, logger, config);
  const cases = new CasesRepository(pool, exportPool);
  const caseService = new CaseService({ cases, correlator, audit, maxWindowHours: config.GATEWAY_CASE_MAX_WINDOW_H });
  const recorders = new RecorderGateway({
    timeoutMs: config.GATEWAY_RECORDER_TIMEOUT_MS,
    maxBytes: config.GATEWAY_RECORDER_MAX_BYTES,
    logger: logger.child({ ns: "recorder" }),
  });
  const videoRepository = new VideoRepository(pool);
  const video = new VideoService({
    video: videoRepository,
    recorders,
    audit,
    settings: {
      clipBeforeS: config.GATEWAY_CLIP_BEFORE_S,
      clipAfterS: config.GATEWAY_CLIP_AFTER_S,
      clipFrames: config.GATEWAY_CLIP_FRAMES,
    },
  });
  const signing = loadSigningKey(config.GATEWAY_EXPORT_KEY_FILE, logger);
  const exports = new ExportService({
    cases: caseService,
    video,
    repository: cases,
    jobs: new ExportJobsRepository(pool, EXPORT_STALE_S),
    files: new ExportChunksRepository(pool),
    audit,
    signingKey: signing.privateKey,
    publicKeyPem: signing.publicKeyPem,
    instanceId: config.GATEWAY_INSTANCE_ID,
    limits: {
      perUser: config.GATEWAY_EXPORT_MAX_PER_USER,
      total: config.GATEWAY_EXPORT_MAX_RUNNING,
      maxRows: config.GATEWAY_EXPORT_MAX_ROWS,
      keepS: config.GATEWAY_EXPORT_KEEP_S,
    },
    logger: logger.child({ ns: "export" }),
  });
  exports.startSweeping(config.GATEWAY_EXPORT_SWEEP_S * 1000);
  const publicAlerts = new PublicAlerts(io, {
    maxClients: config.GATEWAY_MAX_PUBLIC_CLIENTS,
    maxPerAddress: config.GATEWAY_MAX_PUBLIC_CLIENTS_PER_ADDRESS,
    clientAddress: (peer, forwardedFor) => clientAddress(peer, forwardedFor, proxies),
  });
  const sensorsRepository = new SensorsRepository(pool);
  const alerts = new AlertsGateway({
    baseUrl: config.ALERTS_URL,
    token: config.ALERTS_API_TOKEN,
    tls: {
      caFile: config.ALERTS_TLS_CA_FILE,
      certFile: config.ALERTS_TLS_CLIENT_CERT_FILE,
      keyFile: config.ALERTS_TLS_CLIENT_KEY_FILE,
    },
  });
  registerApi(app, {
    sensors: new SensorsService({ sensors: sensorsRepository }),
    sensorThings: new SensorThingsService({ sensors: sensorsRepository }),
    cameraHealth: new CameraHealthService({ reader: new CameraHealthRepository(pool) }),
    maintenance: new CameraMaintenanceService({
      windows: new CameraMaintenanceRepository(pool),
      onChange: () => dashboard.refreshRegistry(),
    }),
    decommission: new CameraDecommissionService({
      cameras: new CameraDecommissionRepository(pool),
      onChange: () => dashboard.refreshRegistry(),
    }),
    watchList: new WatchListService(new WatchListRepository(pool)),
    auth,
    sessions,
    userAdmin: new UserAdminService({ accounts: users }),
    dashboard,
    incidentWorkflow,
    history: new HistoryService({ history: new HistoryRepository(pool) }),
    rules: new RulesRepository(pool),
    ruleVersions: new RuleVersionsService({
      versions: new RuleVersionsRepository(pool),
      dryRun: (ruleId, version, hours) => correlator.dryRunRule(ruleId, version, hours),
      audit,
    }),
    cases: caseService,
    video,
    legalHolds: new LegalHoldService(new LegalHoldsRepository(pool)),
    exports,
    audit,
    alerts,
    publicAlerts,
    clientConfig,
    logger: logger.child({ ns: "http" }),
  });
  await registerStatic(app, {
    webDir: config.GATEWAY_WEB_DIR,
    landGeojson: config.GATEWAY_LAND_GEOJSON,
    logger,
  });
  registerSockets(io, {
    sessions,
    live,
    dashboard,
    maxClients: config.GATEWAY_MAX_CLIENTS,
    clientAddress: (peer, forwardedFor) => clientAddress(peer, forwardedFor, proxies),
    logger,
  });
  const stopSessionSweep = startSessionSweep(io, {
    sessions,
    intervalMs: config.GATEWAY_SESSION_SWEEP_MS,
    logger: logger.child({ ns: "sessions" }),
    onDisconnected: (count) => metrics.sessionDisconnects.inc(count),
  });
  const sessionPruneTimer = every(
    SESSION_PRUNE_MS,
    () => sessionStore.prune(SESSION_KEEP_DAYS),
    logger,
    "pruning ended sessions failed",
  );
  io.engine.on("connection", () => metrics.clients.set(io.engine.clientsCount));
  io.on("connection", (socket) => socket.on("disconnect", () => metrics.clients.set(io.engine.clientsCount)));

  const sensorNames = await views.sensorIndex();
  const handlers: Record<string, (value: Buffer | null) => void> = {
    [topics.detections.name]: (value) => live.detection(detectionOf(value)),
    [topics.cameraStatus.name]: (value) => live.cameraStatus(cameraStatusOf(value)),
    [topics.cameraHealth.name]: (value) => live.cameraStatus(cameraHealthOf(value)),
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
  const checkpointer = await startCheckpoints(config, { pool, kafka, logger }, (destination, outcome) =>
    metrics.checkpoints.inc({ destination, outcome }),
  );

  await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.GATEWAY_PORT;
  logger.info(
    { port, tls: tls !== null, epoch: live.epoch, instance: config.GATEWAY_INSTANCE_ID },
    "gateway listening",
  );
  return {
    exposed: { port },
    metrics: metrics.registry,
    async stop() {
      clearInterval(registryTimer);
      clearInterval(pruneTimer);
      clearInterval(sessionPruneTimer);
      stopSessionSweep();
      clearTimeout(refreshSoon);
      live.stop();
      publicAlerts.stop();
      // Every open detection watch gets its end (and duration) in the audit trail while the database is there.
      await live.closeWatches();
      // Clients reconnect elsewhere (or here, after a restart) and resync from a snapshot.
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close();
      await exports.stop();
      await exportPool.end();
      // The last word: the head after every request has been answered.
      await checkpointer?.stop();
      await feed.stop();
      await signInRefusals.stop();
      correlator.close();
      alerts.close();
    },
  };
}

/**
 * Signed checkpoints of the audit chain's head (AUDIT_CHECKPOINT_*), to the Kafka topic and/or a file; none without
 * a key (production requires one, see config.ts).
 */
async function startCheckpoints(
  config: GatewayConfig,
  { pool, kafka, logger }: ServiceDependencies,
  observe: (destination: string, outcome: "published" | "failed") => void,
): Promise<{ stop(): Promise<void> } | undefined> {
  if (!config.AUDIT_CHECKPOINT_KEY_FILE) {
    logger.warn("audit checkpoints off: no AUDIT_CHECKPOINT_KEY_FILE (a database owner could rewrite the audit trail)");
    return undefined;
  }
  const key = await loadCheckpointKey(config.AUDIT_CHECKPOINT_KEY_FILE);
  const sinks: CheckpointSink[] = [];
  if (config.AUDIT_CHECKPOINT_FILE) sinks.push(new CheckpointFile(config.AUDIT_CHECKPOINT_FILE));
  if (config.AUDIT_CHECKPOINT_KAFKA) sinks.push(await CheckpointTopic.start(kafka));
  const checkpointer = new AuditCheckpointer({
    head: () => readAuditHead(pool),
    sign: (head) => signAuditCheckpoint(head, key),
    destinations: sinks,
    intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
    logger: logger.child({ ns: "audit-checkpoint" }),
    observe,
  });
  checkpointer.start();
  return {
    async stop() {
      await checkpointer.stop();
      for (const sink of sinks) await sink.stop?.();
    },
  };
}
