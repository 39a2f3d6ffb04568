#!/usr/bin/env node
/**
 * `npm start`: brings up the whole hub on this machine — Kafka, TimescaleDB, the ingest service, the correlator,
 * the alerts service, the gateway with the dashboard and the public alert page, and the simulator — prints what runs where, and shuts everything down in order on Ctrl-C.
 *
 * KAFKA_BROKERS / DATABASE_URL, when set, point at existing infrastructure and nothing is started for them.
 * HUB_KAFKA_NODES=3 starts a replicated Kafka cluster of three nodes instead of one broker.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServiceRoleKey, serviceRoles } from "@hub/common";
import { startEmbeddedDatabase } from "./database.js";
import { devAuditCheckpoints } from "./dev-audit-key.js";
import { startDevCitizenApps } from "./dev-citizen-apps.js";
import { startDevPartnerFeedForHub } from "./dev-partner-feed.js";
import { startDevRecorder } from "./dev-recorder.js";
import { ensureKafkaJars, startKafka, startKafkaCluster } from "./kafka.js";
import {
  decideOnExit,
  describeExit,
  type ExitDecision,
  findRepoRoot,
  type ProcessExit,
  type ServiceProcess,
  startService,
  waitFor,
} from "./processes.js";

const repo = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const env = process.env;
const dataDir = resolve(env.HUB_DATA_DIR ?? join(repo, ".data"));
const logDir = join(dataDir, "logs");
const mode = env.HUB_MODE ?? "development";
const kafkaNodes = Number(env.HUB_KAFKA_NODES ?? 1);
const ports = {
  kafka: Number(env.HUB_KAFKA_PORT ?? 9092),
  kafkaController: Number(env.HUB_KAFKA_CONTROLLER_PORT ?? 9093),
  db: Number(env.HUB_DB_PORT ?? 5440),
  ingest: Number(env.INGEST_PORT ?? 50051),
  ingestOps: Number(env.INGEST_OPS_PORT ?? 9464),
  correlatorOps: Number(env.CORRELATOR_OPS_PORT ?? 9465),
  correlatorGrpc: Number(env.CORRELATOR_GRPC_PORT ?? 50052),
  gateway: Number(env.GATEWAY_PORT ?? 8080),
  gatewayOps: Number(env.GATEWAY_OPS_PORT ?? 9466),
  alerts: Number(env.ALERTS_PORT ?? 8081),
  alertsOps: Number(env.ALERTS_OPS_PORT ?? 9467),
  devCitizenApps: Number(env.HUB_DEV_CITIZEN_APPS_PORT ?? 8089),
  devRecorder: Number(env.HUB_DEV_RECORDER_PORT ?? 8090),
  devPartnerFeed: Number(env.HUB_DEV_PARTNER_FEED_PORT ?? 8091),
  simulatorOps: Number(env.SIMULATOR_OPS_PORT ?? 9468),
};

const log = (message: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${message}`);
const stops: { name: string; stop: () => Promise<void> }[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log("stopping the hub…");
    for (const { name, stop } of stops.reverse()) {
      try {
        await stop();
        log(`  stopped ${name}`);
      } catch (error) {
        log(`  ${name} did not stop cleanly: ${String(error)}`);
      }
    }
  }
  process.exit(code);
}

/** Says on the console which part ended, how, its last lines, and what the launcher does about it. */
function report(service: ServiceProcess, exit: ProcessExit, ranForMs: number, decision: ExitDecision): void {
  log(`✗ ${service.name} stopped unexpectedly (${describeExit(exit)}) after ${Math.round(ranForMs / 1000)} s`);
  const tail = service.tail();
  if (tail.length > 0) {
    console.log(`    its last lines (the whole log: ${service.logFile}):`);
    for (const line of tail) console.log(`      ${line}`);
  } else {
    console.log(`    it printed nothing; see ${service.logFile}`);
  }
  if (decision.action === "restart") {
    log(
      `→ the ${service.name} is optional: restarting it in ${decision.delayMs / 1000} s (attempt ${decision.attempt}); the rest of the hub keeps running`,
    );
  } else {
    log(`→ the ${service.name} is a core part of the hub: stopping the hub (exit code 1)`);
  }
}

/**
 * Runs a part of the hub and watches it: when it ends on its own, the console says so (report) and the launcher
 * restarts it or stops the hub, as decideOnExit says (optional parts are restarted with back-off, core parts stop
 * the hub).
 */
function supervise(name: string, optional: boolean, launch: () => ServiceProcess): void {
  let current = launch();
  let startedAt = Date.now();
  let quickFailures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const watch = (service: ServiceProcess) => {
    void service.exited.then((exit) => {
      if (stopping || stopped) return;
      const ranForMs = Date.now() - startedAt;
      const decision = decideOnExit({ optional, quickFailures, ranForMs });
      report(service, exit, ranForMs, decision);
      if (decision.action === "stop-hub") {
        void shutdown(1);
        return;
      }
      quickFailures = decision.attempt;
      restartTimer = setTimeout(() => {
        if (stopping || stopped) return;
        log(`restarting the ${name}…`);
        startedAt = Date.now();
        current = launch();
        watch(current);
      }, decision.delayMs);
    });
  };
  watch(current);
  stops.push({
    name,
    stop: async () => {
      stopped = true;
      clearTimeout(restartTimer);
      await current.stop();
    },
  });
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  mkdirSync(logDir, { recursive: true });
  log(`starting the Macao event hub (${mode} mode), data in ${dataDir}`);

  let brokers: string[];
  /** What the services need to know about the cluster started here (its topics' replication). */
  let kafkaEnv: Record<string, string> = {};
  if (!Number.isInteger(kafkaNodes) || kafkaNodes < 1 || kafkaNodes > 7) {
    throw new Error(`HUB_KAFKA_NODES must be a whole number from 1 to 7, not "${env.HUB_KAFKA_NODES}"`);
  }
  if (env.KAFKA_BROKERS) {
    brokers = env.KAFKA_BROKERS.split(",");
    log(`using the Kafka cluster at ${brokers.join(",")}`);
  } else if (kafkaNodes > 1) {
    await ensureKafkaJars({ log });
    log(`starting Kafka (KRaft, ${kafkaNodes} nodes)…`);
    // Node i listens on the base ports + 2(i-1): 9092/9093, 9094/9095, 9096/9097 by default. A folder of its own, as
    // the single broker's storage names a voter set of one.
    const kafka = await startKafkaCluster({
      dataDir: join(dataDir, `kafka-${kafkaNodes}-nodes`),
      nodes: kafkaNodes,
      ports: Array.from({ length: kafkaNodes }, (_, index) => ({
        port: ports.kafka + 2 * index,
        controllerPort: ports.kafkaController + 2 * index,
      })),
      log,
    });
    stops.push({ name: `Kafka (${kafkaNodes} nodes)`, stop: () => kafka.stop() });
    brokers = kafka.brokers;
    kafkaEnv = { KAFKA_REPLICATION_FACTOR: String(kafka.replication.replicationFactor) };
  } else {
    await ensureKafkaJars({ log });
    log("starting Kafka (KRaft, single node)…");
    const kafka = await startKafka({
      dataDir: join(dataDir, "kafka"),
      port: ports.kafka,
      controllerPort: ports.kafkaController,
      log,
    });
    stops.push({ name: "Kafka", stop: () => kafka.stop() });
    brokers = kafka.brokers;
  }

  let databaseUrl: string;
  let embedded = false;
  if (env.DATABASE_URL) {
    databaseUrl = env.DATABASE_URL;
    log("using the database at DATABASE_URL");
  } else {
    log("starting the embedded TimescaleDB (PGlite)…");
    const db = await startEmbeddedDatabase({ dataDir: join(dataDir, "db"), port: ports.db, log });
    stops.push({ name: "TimescaleDB", stop: () => db.stop() });
    databaseUrl = db.url;
    embedded = true;
  }
  // The embedded database runs each service as its least-privilege role (the URL's user; db-roles.ts); the
  // migrations run through the owner's URL. A given DATABASE_URL is used as it is (with DATABASE_OWNER_URL if set).
  const database = (role: ServiceRoleKey): Record<string, string> => {
    if (!embedded) return {};
    const url = new URL(databaseUrl);
    url.username = serviceRoles[role];
    return { DATABASE_URL: url.toString(), DATABASE_OWNER_URL: databaseUrl };
  };

  // The services create the topics: with the cluster's replication, unless configured otherwise.
  const serviceEnv = {
    ...kafkaEnv,
    ...env,
    HUB_MODE: mode,
    KAFKA_BROKERS: brokers.join(","),
    DATABASE_URL: databaseUrl,
  };
  // Development: the sites' recorder is a stand-in that draws stills and lists clip frames (README "Video evidence").
  let recorderLine = "";
  let ingestRecorderEnv: Record<string, string> = {};
  let simulatorRecorderEnv: Record<string, string> = {};
  if (mode === "development") {
    const recorder = await startDevRecorder({ port: ports.devRecorder });
    stops.push({ name: "recorder stand-in", stop: () => recorder.close() });
    ingestRecorderEnv = { INGEST_DEV_RECORDER_URL: recorder.url };
    simulatorRecorderEnv = { SIMULATOR_SNAPSHOT_URL_TEMPLATE: recorder.templates.snapshotUrlTemplate };
    recorderLine = `\n    recorder (dev)       ${recorder.url}   stand-in video recorder of the development sites (stills, clips)`;
  }

  supervise("ingest", false, () =>
    startService({
      name: "ingest",
      script: join(repo, "services/ingest/dist/src/main.js"),
      env: {
        ...serviceEnv,
        ...database("ingest"),
        ...ingestRecorderEnv,
        INGEST_PORT: String(ports.ingest),
        INGEST_OPS_PORT: String(ports.ingestOps),
      },
      logDir,
      echo: log,
    }),
  );
  await waitFor(
    "the ingest service",
    async () => (await fetch(`http://127.0.0.1:${ports.ingestOps}/readyz`)).ok,
    log,
    120_000,
  );

  supervise("correlator", false, () =>
    startService({
      name: "correlator",
      script: join(repo, "services/correlator/dist/src/main.js"),
      env: {
        ...serviceEnv,
        ...database("correlator"),
        CORRELATOR_OPS_PORT: String(ports.correlatorOps),
        CORRELATOR_GRPC_PORT: String(ports.correlatorGrpc),
      },
      logDir,
      echo: log,
    }),
  );
  await waitFor(
    "the correlator",
    async () => (await fetch(`http://127.0.0.1:${ports.correlatorOps}/readyz`)).ok,
    log,
    120_000,
  );

  // Development: stand-in citizen-app backends receive the webhooks, unless real subscribers are configured.
  let citizenApps = "";
  let alertsEnv: Record<string, string> = {};
  if (mode === "development" && !env.ALERTS_WEBHOOKS_FILE) {
    const apps = await startDevCitizenApps({ port: ports.devCitizenApps, dataDir, log });
    stops.push({ name: "citizen-app stand-ins", stop: () => apps.close() });
    alertsEnv = apps.env;
    citizenApps = `\n    citizen apps (dev)   ${apps.url}/hooks/…   stand-ins that verify webhook signatures; deliveries are logged here`;
  }
  // Development: a partner agency's signed CAP feed; its warnings become drafts (README "Warnings from partner agencies").
  if (mode === "development" && !env.ALERTS_PARTNER_FEEDS) {
    const partner = await startDevPartnerFeedForHub({ port: ports.devPartnerFeed, dataDir });
    stops.push({ name: "partner feed stand-in", stop: () => partner.feed.close() });
    alertsEnv = { ...alertsEnv, ...partner.env };
    citizenApps += `\n    partner feed (dev)   ${partner.feed.url}   stand-in partner CAP feed (signed); its warnings become drafts`;
  }

  supervise("alerts", false, () =>
    startService({
      name: "alerts",
      script: join(repo, "services/alerts/dist/src/main.js"),
      env: {
        ...serviceEnv,
        ...database("alerts"),
        ALERTS_HOST: "127.0.0.1",
        ALERTS_PORT: String(ports.alerts),
        ALERTS_OPS_PORT: String(ports.alertsOps),
        ALERTS_PUBLIC_BASE_URL: `http://127.0.0.1:${ports.gateway}`,
        // The one alerts process of this machine: the same name after a restart, so it takes back its own leases.
        ALERTS_INSTANCE_ID: env.ALERTS_INSTANCE_ID ?? "alerts-local",
        ...alertsEnv,
      },
      logDir,
      echo: log,
    }),
  );
  await waitFor(
    "the alerts service",
    async () => (await fetch(`http://127.0.0.1:${ports.alertsOps}/readyz`)).ok,
    log,
    120_000,
  );

  // Development: a kept key signs the audit checkpoints, written to a file in the data folder.
  const auditCheckpoints =
    mode === "development" && !env.AUDIT_CHECKPOINT_KEY_FILE ? devAuditCheckpoints(dataDir) : undefined;
  supervise("gateway", false, () =>
    startService({
      name: "gateway",
      script: join(repo, "services/gateway/dist/src/main.js"),
      env: {
        ...serviceEnv,
        ...database("gateway"),
        GATEWAY_PORT: String(ports.gateway),
        GATEWAY_OPS_PORT: String(ports.gatewayOps),
        CORRELATOR_GRPC_ADDRESS: `127.0.0.1:${ports.correlatorGrpc}`,
        ALERTS_URL: `http://127.0.0.1:${ports.alerts}`,
        ...auditCheckpoints?.env,
      },
      logDir,
      echo: log,
    }),
  );
  await waitFor(
    "the gateway",
    async () => (await fetch(`http://127.0.0.1:${ports.gatewayOps}/readyz`)).ok,
    log,
    120_000,
  );

  // Optional: the hub works without simulated traffic, so a simulator that dies is restarted, not fatal.
  supervise("simulator", true, () =>
    startService({
      name: "simulator",
      script: join(repo, "services/simulator/dist/src/main.js"),
      env: {
        ...serviceEnv,
        INGEST_ADDRESS: `127.0.0.1:${ports.ingest}`,
        SIMULATOR_OPS_PORT: String(ports.simulatorOps),
        ...simulatorRecorderEnv,
      },
      logDir,
      echo: log,
    }),
  );

  console.log(`
  The hub is running (${mode} mode). Ctrl-C stops everything.

    Kafka brokers        ${brokers.join(",")}${kafkaEnv.KAFKA_REPLICATION_FACTOR ? `   (${kafkaNodes} nodes; topics replicated ${kafkaEnv.KAFKA_REPLICATION_FACTOR} times)` : ""}
    TimescaleDB          ${databaseUrl}
    gRPC ingest          127.0.0.1:${ports.ingest}   (hub.v1.CameraIngestService, hub.v1.SensorIngestService,
                                              grpc.health.v1.Health, server reflection)
    ingest health        http://127.0.0.1:${ports.ingestOps}/readyz
    ingest metrics       http://127.0.0.1:${ports.ingestOps}/metrics
    correlator           Kafka → TimescaleDB (detections, sensor_readings, camera_status), exactly once
    correlator health    http://127.0.0.1:${ports.correlatorOps}/readyz   metrics: /metrics
    command centre       http://127.0.0.1:${ports.gateway}/   (live map; REST API /api/v1, OpenAPI /api/v1/openapi.json)
    gateway health       http://127.0.0.1:${ports.gatewayOps}/readyz   metrics: /metrics
    alerts (authoring)   http://127.0.0.1:${ports.gateway}/#/alerts   (sign in as drafter, then approver)
    public alert page    http://127.0.0.1:${ports.gateway}/public/alerts   CAP feed: http://127.0.0.1:${ports.gateway}/cap/feed.atom
    alerts health        http://127.0.0.1:${ports.alertsOps}/readyz   metrics: /metrics${citizenApps}${recorderLine}
    simulator            ${env.SIMULATOR_CAMERAS ?? "1,701"} cameras and their sensors, publishing through gRPC
    simulator health     http://127.0.0.1:${ports.simulatorOps}/readyz   metrics: /metrics (restarted if it stops)
    logs                 ${logDir}/*.log
${
  mode === "development"
    ? `
${
  auditCheckpoints
    ? `    Audit checkpoints    ${auditCheckpoints.env.AUDIT_CHECKPOINT_FILE} (and Kafka); check the trail against them:
                         AUDIT_CHECKPOINT_FILE=${auditCheckpoints.env.AUDIT_CHECKPOINT_FILE} \\
                         AUDIT_CHECKPOINT_FINGERPRINTS=${auditCheckpoints.fingerprint} \\
                         DATABASE_URL=${databaseUrl} npm run audit:verify
`
    : ""
}    Development sign-in (password "${env.DEV_USER_PASSWORD ?? "development"}"): operator, investigator, supervisor,
    drafter, approver, admin — one per role. Development device tokens are public: "insecure-development-token.<site-id>".
`
    : ""
}`);
}

main().catch((error: unknown) => {
  log(`could not start the hub: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
