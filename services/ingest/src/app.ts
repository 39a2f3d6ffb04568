import { Server } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import {
  bootstrapService,
  DEV_CREDENTIAL_PREFIX,
  devDeviceToken,
  devSites,
  kafkaSecurity,
  type Logger,
  macaoLandPath,
  Region,
  type RunningService,
  type ServiceDependencies,
  type ServiceWiring,
  serverCredentials,
  tolerantDefinition,
  validateSiteRecorder,
} from "@hub/common";
import { CameraIngestServiceService, protoRoot, SensorIngestServiceService } from "@hub/proto";
import { HealthImplementation } from "grpc-health-check";
import type { IngestConfig } from "./config.js";
import { cameraIngestController } from "./controllers/camera-ingest.controller.js";
import type { IngestLimits } from "./controllers/grpc-handlers.js";
import { sensorIngestController } from "./controllers/sensor-ingest.controller.js";
import { createIngestMetrics } from "./metrics.js";
import { EventBusRepository } from "./repositories/event-bus.repository.js";
import { RegistryRepository } from "./repositories/registry.repository.js";
import { SiteRecordersRepository } from "./repositories/site-recorders.repository.js";
import { IngestService } from "./services/ingest.service.js";
import { RecentEvents } from "./services/recent-events.js";
import { SiteRateLimiter } from "./services/site-rate-limiter.js";

export type IngestApp = RunningService<{ grpcPort: number }>;

const SERVICE_NAMES = ["hub.v1.CameraIngestService", "hub.v1.SensorIngestService"];

/** Development credentials exist only in development mode; any left in the database are revoked otherwise. */
async function prepareCredentials(
  config: IngestConfig,
  registry: RegistryRepository,
  recorders: SiteRecordersRepository,
  logger: Logger,
) {
  if (config.HUB_MODE === "development") {
    for (const site of devSites) {
      await registry.addCredential({
        siteId: site.id,
        siteName: site.name,
        credentialId: `${DEV_CREDENTIAL_PREFIX}${site.id}`,
        token: devDeviceToken(site.id),
        description: "development credential (HUB_MODE=development)",
      });
    }
    logger.warn({ sites: devSites.map((site) => site.id) }, "development device credentials seeded");
    if (config.INGEST_DEV_RECORDER_URL) await seedDevRecorders(config.INGEST_DEV_RECORDER_URL, recorders, logger);
  } else {
    const revoked = await registry.revokeCredentialsWithPrefix(DEV_CREDENTIAL_PREFIX);
    if (revoked > 0) logger.warn({ revoked }, "revoked development credentials");
  }
}

/** The development sites record on the stand-in recorder (infra/src/dev-recorder.ts). */
async function seedDevRecorders(baseUrl: string, recorders: SiteRecordersRepository, logger: Logger): Promise<void> {
  const base = baseUrl.replace(/\/+$/, "");
  for (const site of devSites) {
    await recorders.upsert(
      site.id,
      validateSiteRecorder({
        kind: "generic",
        clipUrlTemplate: `${base}/clips/{camera}/{from}/{to}.json`,
        stillUrlTemplate: `${base}/stills/{camera}/{at}.svg`,
        timeFormat: "iso8601",
      }),
      "development",
    );
  }
  logger.warn({ recorder: base }, "development sites record on the stand-in recorder");
}

export function startIngest(config: IngestConfig, logger: Logger): Promise<IngestApp> {
  return bootstrapService({
    name: "ingest",
    config,
    logger,
    ops: { host: config.INGEST_HOST, port: config.INGEST_OPS_PORT },
    wire: (dependencies) => wireIngest(config, dependencies),
  });
}

/** The ingest service's own parts: the Kafka producers, the device registry, and the gRPC server. */
async function wireIngest(
  config: IngestConfig,
  { pool, kafka, logger }: ServiceDependencies,
): Promise<ServiceWiring<{ grpcPort: number }>> {
  const metrics = createIngestMetrics();
  const eventBus = await EventBusRepository.connect(
    kafka,
    {
      lanes: config.KAFKA_PRODUCER_LANES,
      lingerMs: config.KAFKA_LINGER_MS,
      maxBatchMessages: config.KAFKA_MAX_BATCH_MESSAGES,
      sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS,
      maxQueuedMessages: config.KAFKA_MAX_QUEUED_MESSAGES,
      logger: logger.child({ ns: "producer" }),
      onBatch: metrics.onKafkaBatch,
    },
    config.KAFKA_PRODUCER_CLIENT === "platformatic"
      ? { brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-ingest`, security: kafkaSecurity(config) }
      : undefined,
  );

  const registry = new RegistryRepository(pool, logger.child({ ns: "registry" }));
  await prepareCredentials(config, registry, new SiteRecordersRepository(pool), logger);
  await registry.refresh();
  const refreshTimer = setInterval(() => {
    registry.refresh().catch((err: unknown) => logger.warn({ err }, "registry refresh failed"));
  }, config.REGISTRY_REFRESH_MS);
  refreshTimer.unref();

  const recent = new RecentEvents(config.INGEST_DEDUP_WINDOW_MS, config.INGEST_DEDUP_MAX_ENTRIES);
  const region = Region.fromFile(config.HUB_REGION_FILE ?? macaoLandPath);
  const service = new IngestService({
    registry,
    eventBus,
    recent,
    observer: metrics.observer,
    limits: {
      region,
      regionMarginM: config.INGEST_REGION_MARGIN_M,
      maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW_MS,
      maxEventAgeMs: config.INGEST_MAX_EVENT_AGE_MS,
    },
  });
  const siteRate = new SiteRateLimiter({
    ratePerSecond: config.INGEST_SITE_RATE,
    burst: config.INGEST_SITE_BURST,
    maxBuckets: 100_000,
  });
  metrics.trackGauges({
    queued: () => eventBus.queued,
    dedupEntries: () => recent.size,
    cameras: () => registry.counts.cameras,
    sensors: () => registry.counts.sensors,
    rateLimitedSites: () => siteRate.size,
  });

  const server = new Server({
    "grpc.max_receive_message_length": config.INGEST_MAX_MESSAGE_BYTES,
    "grpc.keepalive_permit_without_calls": 1,
  });
  const context = {
    authenticate: (authorization: string | undefined) => service.authenticate(authorization),
    logger: logger.child({ ns: "grpc" }),
    onCall: metrics.onCall,
  };
  const streamLimits: IngestLimits = {
    maxBatch: config.INGEST_MAX_BATCH,
    maxEvents: config.INGEST_MAX_STREAM_EVENTS,
    maxResults: config.INGEST_SUMMARY_MAX_RESULTS,
    highWaterMark: config.INGEST_STREAM_MAX_IN_FLIGHT,
    admit: (principal, events) => siteRate.take(principal.siteId, events),
    onRefused: metrics.onRefused,
  };
  server.addService(
    tolerantDefinition(CameraIngestServiceService),
    cameraIngestController(service, context, streamLimits),
  );
  server.addService(
    tolerantDefinition(SensorIngestServiceService),
    sensorIngestController(service, context, streamLimits),
  );

  const health = new HealthImplementation(Object.fromEntries(["", ...SERVICE_NAMES].map((name) => [name, "SERVING"])));
  health.addToServer(server);
  const reflection = new ReflectionService(loadSync(["hub/v1/ingest.proto"], { includeDirs: [protoRoot] }));
  reflection.addToServer(server);

  const grpcPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${config.INGEST_HOST}:${config.INGEST_PORT}`,
      serverCredentials({
        certFile: config.INGEST_TLS_CERT_FILE,
        keyFile: config.INGEST_TLS_KEY_FILE,
        // With a client CA, a client certificate is required (mTLS) in addition to the device token.
        clientCaFile: config.INGEST_TLS_CLIENT_CA_FILE,
      }),
      (error, boundPort) => (error ? reject(error) : resolve(boundPort)),
    );
  });
  logger.info({ port: grpcPort, tls: Boolean(config.INGEST_TLS_CERT_FILE) }, "gRPC ingest listening");

  return {
    exposed: { grpcPort },
    metrics: metrics.registry,
    async stop() {
      // Stop taking work, let in-flight calls finish (their events reach Kafka before they are acknowledged),
      // then flush; the bootstrap closes Kafka and the database after.
      for (const name of ["", ...SERVICE_NAMES]) health.setStatus(name, "NOT_SERVING");
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 10_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      clearInterval(refreshTimer);
      await eventBus.close();
    },
  };
}
