import { timingSafeEqual } from "node:crypto";
import { Server } from "@grpc/grpc-js";
import {
  AuthenticationError,
  bootstrapService,
  CORRELATOR_MAX_MESSAGE_BYTES,
  createPool,
  type Logger,
  messageLimits,
  type Pool,
  type RunningService,
  type ServiceDependencies,
  type ServiceWiring,
  serverCredentials,
  tolerantDefinition,
  withTransaction,
} from "@hub/common";
import { CaseAssistServiceService, IncidentServiceService, RuleServiceService } from "@hub/proto";
import { HealthImplementation } from "grpc-health-check";
import type { CorrelatorConfig } from "./config.js";
import { caseAssistController } from "./controllers/case-assist.controller.js";
import { incidentController } from "./controllers/incident.controller.js";
import { ruleController } from "./controllers/rule.controller.js";
import { createCorrelatorMetrics } from "./metrics.js";
import { CameraHealthRepository } from "./repositories/camera-health.repository.js";
import { CaseAssistRepository } from "./repositories/case-assist.repository.js";
import { DryRunRepository } from "./repositories/dry-run.repository.js";
import { EventSourceRepository } from "./repositories/event-source.repository.js";
import { copySupported, EventStoreRepository, type InsertMethod } from "./repositories/event-store.repository.js";
import { IncidentRepository } from "./repositories/incident.repository.js";
import { OffsetsRepository } from "./repositories/offsets.repository.js";
import { OutboxRepository } from "./repositories/outbox.repository.js";
import { OutboxRelayRepository } from "./repositories/outbox-relay.repository.js";
import { RetentionRepository } from "./repositories/retention.repository.js";
import { RuleVersionsRepository } from "./repositories/rule-versions.repository.js";
import { loadRules } from "./repositories/rules-file.repository.js";
import { SensorHealthRepository } from "./repositories/sensor-health.repository.js";
import { TransactionRepository } from "./repositories/transaction.repository.js";
import { CameraHealthService, SWEEP_BATCH } from "./services/camera-health.service.js";
import { CaseAssistService } from "./services/case-assist.service.js";
import { CorrelationService } from "./services/correlation.service.js";
import { IncidentService } from "./services/incident.service.js";
import { IncidentPublisher } from "./services/incident-publisher.js";
import { PolicyJobsService } from "./services/policy-jobs.service.js";
import { eventTopics } from "./services/records.js";
import { RuleDryRunService } from "./services/rule-dry-run.service.js";
import { RulesReloadService } from "./services/rules-reload.service.js";
import { SENSOR_SWEEP_BATCH, SensorHealthService } from "./services/sensor-health.service.js";
import { type CrashPoint, crashPoints, WriterService } from "./services/writer.service.js";

export type CorrelatorApp = RunningService<{ grpcPort: number }>;

export function startCorrelator(config: CorrelatorConfig, logger: Logger): Promise<CorrelatorApp> {
  return bootstrapService({
    name: "correlator",
    config,
    logger,
    ops: { host: config.CORRELATOR_HOST, port: config.CORRELATOR_OPS_PORT },
    wire: (dependencies) => wireCorrelator(config, dependencies),
  });
}

const CASE_ASSIST_PURGE_INTERVAL_MS = 3_600_000;
/** The shortest schedule of the policies (the per-minute refresh). */
const POLICY_JOBS_INTERVAL_MS = 60_000;

/** The correlator's own parts: retention policies, the consumer and writer, the outbox relay, the gRPC query API. */
async function wireCorrelator(
  config: CorrelatorConfig,
  { pool, kafka, logger }: ServiceDependencies,
): Promise<ServiceWiring<{ grpcPort: number }>> {
  const retention = new RetentionRepository(pool);
  const policiesChanged = await retention.apply({
    detectionsDays: config.CORRELATOR_RETENTION_DETECTIONS_DAYS,
    sensorReadingsDays: config.CORRELATOR_RETENTION_SENSOR_READINGS_DAYS,
    cameraStatusDays: config.CORRELATOR_RETENTION_CAMERA_STATUS_DAYS,
    compressDetectionsAfterHours: config.CORRELATOR_COMPRESS_DETECTIONS_AFTER_HOURS,
  });
  if (policiesChanged.length > 0) logger.info({ policiesChanged }, "retention and compression policies updated");
  // The policies' jobs run as their owner (the migrator); the correlator's own role may not run them.
  const jobsPool =
    config.CORRELATOR_RUN_DB_JOBS !== "never" && config.DATABASE_OWNER_URL
      ? createPool(config.DATABASE_OWNER_URL, 1, logger.child({ ns: "jobs" }))
      : pool;
  const policyJobs = new PolicyJobsService({
    mode: config.CORRELATOR_RUN_DB_JOBS,
    probe: retention,
    jobs: jobsPool === pool ? retention : new RetentionRepository(jobsPool),
    logger: logger.child({ ns: "jobs" }),
  });
  await policyJobs.decide();
  const jobsTimer =
    config.CORRELATOR_RUN_DB_JOBS === "never"
      ? undefined
      : setInterval(() => {
          policyJobs.tick().catch((err: unknown) => logger.warn({ err }, "running TimescaleDB jobs failed"));
        }, POLICY_JOBS_INTERVAL_MS);
  jobsTimer?.unref();
  const purgeCaseAssist = () =>
    retention
      .purgeCaseAssist(config.CORRELATOR_RETENTION_CASE_ASSIST_DAYS)
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted }, "expired case-assist records deleted");
      })
      .catch((err: unknown) => logger.warn({ err }, "case-assist retention failed"));
  await purgeCaseAssist();
  const purgeTimer = setInterval(purgeCaseAssist, CASE_ASSIST_PURGE_INTERVAL_MS);
  purgeTimer.unref();
  const metrics = createCorrelatorMetrics();
  const offsets = new OffsetsRepository(pool, config.CORRELATOR_GROUP_ID);
  const outbox = new OutboxRepository();
  const rules = loadRules(config.CORRELATOR_RULES_FILE);
  // The file seeds version 1 of a rule the database has no version of; staff's approved versions run (hot reload).
  const ruleVersions = new RuleVersionsRepository(pool);
  const seeded = await withTransaction(pool, (client) => ruleVersions.seed(client, rules));
  if (seeded.length > 0) logger.info({ seeded }, "rule versions seeded from the rules file");
  const incidents = new IncidentRepository();
  const publisher = new IncidentPublisher({ incidents, outbox });
  const correlation = new CorrelationService(rules, {
    incidents,
    publisher,
    logger: logger.child({ ns: "rules" }),
    observer: metrics.correlation,
  });
  const reload = new RulesReloadService({
    approved: () => ruleVersions.approved(),
    file: rules,
    apply: (next, versions) => {
      correlation.reload(next, versions);
      metrics.rulesInForce(versions);
    },
    logger: logger.child({ ns: "rules" }),
  });
  await reload.poll();
  const insertMethod = await chooseInsertMethod(config.CORRELATOR_INSERT_METHOD, pool, logger);
  const store = new EventStoreRepository(insertMethod);
  const transactions = new TransactionRepository(pool);
  const cameraHealth = new CameraHealthService(config.CORRELATOR_CAMERA_SILENT_AFTER_S, {
    store: new CameraHealthRepository(),
    outbox,
  });
  const sensorHealth = new SensorHealthService(config.CORRELATOR_SENSOR_SILENT_AFTER_S, new SensorHealthRepository());
  const writer = new WriterService({
    transactions: new TransactionRepository(pool, store.transactionSetup()),
    store,
    maxMessages: config.CORRELATOR_MAX_BATCH,
    offsets,
    outbox,
    correlation,
    health: cameraHealth,
    sensorHealth,
    ...(config.CORRELATOR_CRASH_POINT
      ? { crashAt: crashInjector(config.CORRELATOR_CRASH_POINT, config.CORRELATOR_CRASH_AFTER_BATCHES, logger) }
      : {}),
    logger: logger.child({ ns: "writer" }),
    observer: metrics.writer,
  });
  const relay = await OutboxRelayRepository.start(pool, kafka, {
    intervalMs: config.OUTBOX_RELAY_INTERVAL_MS,
    batch: config.OUTBOX_RELAY_BATCH,
    logger: logger.child({ ns: "outbox" }),
  });
  const source = await EventSourceRepository.start(kafka, {
    groupId: config.CORRELATOR_GROUP_ID,
    topics: eventTopics,
    offsets,
    maxBatch: config.CORRELATOR_MAX_BATCH,
    // Every partition of a fetch at once, so that the writer stores them in one transaction (group commit).
    concurrentPartitions: config.KAFKA_EVENT_PARTITIONS * eventTopics.length,
    sessionTimeoutMs: config.CORRELATOR_SESSION_TIMEOUT_MS,
    logger: logger.child({ ns: "consumer" }),
    handle: async (topic, partition, messages) => (await writer.write(topic, partition, messages)).nextOffset,
  });
  const incidentService = new IncidentService({ transactions, incidents, publisher });
  const server = new Server(messageLimits(CORRELATOR_MAX_MESSAGE_BYTES));
  const grpcContext = {
    authenticate: async (authorization: string | undefined) => {
      const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
      if (!token || !safeEqual(token, config.CORRELATOR_API_TOKEN))
        throw new AuthenticationError("missing or wrong service token");
      return "gateway";
    },
    logger: logger.child({ ns: "grpc" }),
    onCall: () => undefined,
  };
  server.addService(tolerantDefinition(IncidentServiceService), incidentController(incidentService, grpcContext));
  server.addService(
    tolerantDefinition(CaseAssistServiceService),
    caseAssistController(new CaseAssistService(new CaseAssistRepository(pool)), grpcContext),
  );
  server.addService(
    tolerantDefinition(RuleServiceService),
    ruleController(
      new RuleDryRunService({
        versions: ruleVersions,
        events: new DryRunRepository(pool),
        live: incidents,
        read: (work) => withTransaction(pool, work),
        running: () => reload.current,
        maxEvents: config.CORRELATOR_DRY_RUN_MAX_EVENTS,
        logger: logger.child({ ns: "dry-run" }),
      }),
      grpcContext,
    ),
  );
  const health = new HealthImplementation({
    "": "SERVING",
    "hub.v1.IncidentService": "SERVING",
    "hub.v1.CaseAssistService": "SERVING",
    "hub.v1.RuleService": "SERVING",
  });
  health.addToServer(server);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${config.CORRELATOR_HOST}:${config.CORRELATOR_GRPC_PORT}`,
      serverCredentials({
        certFile: config.CORRELATOR_TLS_CERT_FILE,
        keyFile: config.CORRELATOR_TLS_KEY_FILE,
        // The gateway's certificate, in addition to its service token: a stolen token alone is not enough.
        clientCaFile: config.CORRELATOR_TLS_CLIENT_CA_FILE,
      }),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );

  // Absence rules and silent cameras run on a timer: a silent camera produces no event to react to.
  const sweepSilentCameras = async () => {
    let marked: number;
    do marked = await withTransaction(pool, (client) => cameraHealth.sweep(client));
    while (marked === SWEEP_BATCH);
    do marked = await withTransaction(pool, (client) => sensorHealth.sweep(client));
    while (marked === SENSOR_SWEEP_BATCH);
  };
  // The next round is scheduled when this one ends, never on a fixed beat: on a slow database (or with thousands
  // of silent cameras) rounds on a beat piled up behind each other, and a camera's silence waited behind them all.
  let silenceTimer: NodeJS.Timeout | undefined;
  let silenceRound: Promise<void> | undefined;
  let stopping = false;
  const scheduleSilenceCheck = () => {
    if (stopping) return;
    silenceTimer = setTimeout(() => {
      silenceRound = sweepSilentCameras()
        .then(() => withTransaction(pool, (client) => correlation.checkSilence(client)))
        .then(() => undefined)
        .catch((err: unknown) => logger.warn({ err }, "silence check failed"))
        .finally(scheduleSilenceCheck);
    }, config.CORRELATOR_SILENCE_CHECK_MS);
    silenceTimer.unref();
  };
  scheduleSilenceCheck();
  // Approved rule versions, polled: the next round when this one ends (as the silence check).
  let reloadTimer: NodeJS.Timeout | undefined;
  let reloadRound: Promise<void> | undefined;
  const scheduleReload = () => {
    if (stopping) return;
    reloadTimer = setTimeout(() => {
      reloadRound = reload
        .poll()
        .then(() => undefined)
        .catch((err: unknown) => logger.warn({ err }, "reading approved rule versions failed"))
        .finally(scheduleReload);
    }, config.CORRELATOR_RULES_POLL_MS);
    reloadTimer.unref();
  };
  scheduleReload();
  logger.info(
    {
      group: config.CORRELATOR_GROUP_ID,
      topics: eventTopics,
      rules: reload.current.rules.map((r) => r.id),
      rulesVersion: rules.version,
    },
    "correlator consuming",
  );
  return {
    exposed: { grpcPort },
    metrics: metrics.registry,
    async stop() {
      health.setStatus("", "NOT_SERVING");
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      stopping = true;
      clearTimeout(silenceTimer);
      await silenceRound;
      clearTimeout(reloadTimer);
      await reloadRound;
      clearInterval(jobsTimer);
      clearInterval(purgeTimer);
      if (jobsPool !== pool) await jobsPool.end();
      await source.stop();
      await relay.stop();
    },
  };
}

/**
 * `auto`: COPY where the server takes COPY FROM STDIN (a native PostgreSQL), unnest where it does not (the embedded
 * database) or where the probe fails for another reason (e.g. no right to create temporary tables).
 */
async function chooseInsertMethod(
  setting: CorrelatorConfig["CORRELATOR_INSERT_METHOD"],
  pool: Pool,
  logger: Logger,
): Promise<InsertMethod> {
  if (setting !== "auto") return setting;
  const probe = await copySupported(pool).catch((err: unknown) => ({ supported: false, reason: String(err) }));
  const method = probe.supported ? "copy" : "unnest";
  logger.info({ method, ...(probe.reason ? { reason: probe.reason } : {}) }, "event rows inserted with this method");
  return method;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Test mode only: SIGKILLs this process at `point` in the `afterBatches`-th batch, as a crash would. */
function crashInjector(point: CrashPoint, afterBatches: number, logger: Logger): (at: CrashPoint) => void {
  let batches = 0;
  return (at) => {
    if (at === crashPoints[0]) batches += 1;
    if (at === point && batches >= afterBatches) {
      logger.warn({ point, batches }, "crash injected (test mode)");
      process.kill(process.pid, "SIGKILL");
    }
  };
}
