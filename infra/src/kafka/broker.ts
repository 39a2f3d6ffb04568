/**
 * A real Apache Kafka node (KRaft, combined broker + controller) for development and tests, run from the official
 * jars that Maven fetches from Maven Central (see infra/kafka/pom.xml and infra/kafka/README.md): its ports, its
 * config files, the storage format, the readiness probe, and startKafka for a single-node cluster. The parts are
 * exported for cluster.ts, which runs N such nodes as one cluster.
 *
 * Nothing global is registered here (no signal or exit handlers): the caller
 * owns the broker's lifetime through RunningKafka.stop() / kill().
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { defaultMinInsyncReplicas } from "@hub/common";
import { Kafka, logLevel } from "kafkajs";
import { ensureKafkaJars } from "./jars.js";
import {
  type BrokerFiles,
  brokerFiles,
  defaultLog,
  hasExited,
  javaArgs,
  javaBinary,
  lastLines,
  launchBroker,
  readTextOrNull,
  runCommand,
  sleep,
  stopJvm,
  stopLeftoverBroker,
  tailFile,
} from "./process.js";

export interface KafkaBrokerOptions {
  /** Holds server.properties, the Kafka logs (dataDir/logs) and the broker's own log files. */
  dataDir: string;
  /** PLAINTEXT port; 0 or unset = reuse the previous run's port if free, else pick a free one. */
  port?: number;
  /** KRaft controller port; same rules as port. */
  controllerPort?: number;
  /** Where the jars go; default <repo>/.cache/kafka. */
  cacheDir?: string;
  log?: (msg: string) => void;
  /** JVM max heap in MB; default 512. */
  heapMb?: number;
  /**
   * Adds an SSL listener (client certificates required) and a SASL_SSL listener (SCRAM-SHA-512, server TLS only),
   * beside the PLAINTEXT one the broker itself and the readiness probe use: for transport-security tests.
   */
  security?: KafkaSecurityListeners;
}

export interface KafkaSecurityListeners {
  /** PEM files: the broker's certificate and key, and the CA whose client certificates the SSL listener accepts. */
  certFile: string;
  keyFile: string;
  caFile: string;
  /** SCRAM-SHA-512 users, written into the metadata when the storage is formatted. */
  scramUsers: { name: string; password: string }[];
}

export interface RunningKafka {
  brokers: string[];
  /** With `security`: host:port of the SSL (mutual TLS) and SASL_SSL (SCRAM over TLS) listeners. */
  secured?: { ssl: string; saslSsl: string };
  /** SIGTERM (controlled shutdown), SIGKILL after 30 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. Does not wait; a following startKafka on the same dataDir waits for the old JVM. */
  kill(): void;
  pid: number;
}

export const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 90_000;
const READY_LOG_EVERY_MS = 5_000;

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(null));
    server.listen({ port, host: HOST, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** A free port on loopback, other than those in `taken` (ports chosen for other nodes, not yet bound). */
async function pickFreePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (port === null) throw new Error(`cannot bind a free port on ${HOST}`);
    if (!taken.has(port)) return port;
  }
}

export interface BrokerPorts {
  port: number;
  controllerPort: number;
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 65536;
}

async function readPreviousPorts(file: string): Promise<Partial<BrokerPorts>> {
  const text = await readTextOrNull(file);
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return {};
    const { port, controllerPort } = parsed as Record<string, unknown>;
    return {
      port: isPort(port) ? port : undefined,
      controllerPort: isPort(controllerPort) ? controllerPort : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * An explicit port wins. Otherwise a restart reuses the previous run's port when it
 * is still free, so clients that keep the old bootstrap address reconnect after a
 * crash test; failing that, any free port.
 */
async function choosePort(
  requested: number | undefined,
  previous: number | undefined,
  taken: ReadonlySet<number>,
): Promise<number> {
  if (requested) return requested;
  if (previous !== undefined && !taken.has(previous) && (await listenOnce(previous)) !== null) return previous;
  return pickFreePort(taken);
}

/** A node's two ports, by the rules of choosePort, none of them in `taken` unless requested; kept in ports.json. */
export async function resolvePorts(
  dataDir: string,
  requested: Partial<BrokerPorts>,
  taken: ReadonlySet<number> = new Set(),
): Promise<BrokerPorts> {
  const file = path.join(dataDir, "ports.json");
  const previous = await readPreviousPorts(file);
  const port = await choosePort(requested.port, previous.port, taken);
  const controllerPort = await choosePort(
    requested.controllerPort,
    previous.controllerPort === port ? undefined : previous.controllerPort,
    new Set([...taken, port]),
  );
  await writeFile(file, `${JSON.stringify({ port, controllerPort })}\n`);
  return { port, controllerPort };
}

// ---------------------------------------------------------------------------
// Config files
// ---------------------------------------------------------------------------

/** Backslashes are escapes in .properties values (matters only for Windows-style paths). */
const propValue = (value: string): string => value.replace(/\\/g, "\\\\");

/** A PEM file as one .properties value (Java's Properties reads "\n" as a line break). */
const pemValue = (pem: string): string => pem.trim().replace(/\r?\n/g, "\\n");

export interface SecuredPorts {
  ssl: number;
  saslSsl: number;
  cert: string;
  key: string;
  ca: string;
}

function securityProperties(secured: SecuredPorts): Record<string, string> {
  return {
    "ssl.keystore.type": "PEM",
    "ssl.keystore.certificate.chain": pemValue(secured.cert),
    "ssl.keystore.key": pemValue(secured.key),
    "ssl.truststore.type": "PEM",
    "ssl.truststore.certificates": pemValue(secured.ca),
    "listener.name.ssl.ssl.client.auth": "required",
    "sasl.enabled.mechanisms": "SCRAM-SHA-512",
    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
  };
}

/** How a cluster replicates: the topics it creates by default and its own internal topics. */
export interface ClusterReplication {
  /** default.replication.factor, and the replicas of the offsets, transaction-state and share-state topics. */
  replicationFactor: number;
  /** min.insync.replicas, by default and of those internal topics. */
  minInsyncReplicas: number;
}

/**
 * Replication for a cluster of `nodes` nodes: three replicas once there are three nodes (one node may fail without
 * losing an acknowledged write, and, with min.insync.replicas 2, without stopping writes), fewer on smaller clusters
 * where three could not be placed. The min ISR follows the same rule as the services' topics (@hub/common).
 */
export function clusterReplication(nodes: number): ClusterReplication {
  const replicationFactor = Math.max(1, Math.min(3, nodes));
  return { replicationFactor, minInsyncReplicas: defaultMinInsyncReplicas(replicationFactor) };
}

/** One node of a KRaft cluster: its id, the static voter set of every node's controller, and the replication. */
export interface ClusterMembership {
  nodeId: number;
  voters: { nodeId: number; controllerPort: number }[];
  replication: ClusterReplication;
}

/** A single-node cluster: node 1, its own only voter. */
export function singleNode(controllerPort: number): ClusterMembership {
  return { nodeId: 1, voters: [{ nodeId: 1, controllerPort }], replication: clusterReplication(1) };
}

/** The settings of server.properties for one node (exported for the unit test). */
export function nodeProperties(
  logDir: string,
  ports: BrokerPorts,
  member: ClusterMembership,
  secured?: SecuredPorts,
): Record<string, string | number> {
  const extraListeners = secured ? `,SSL://${HOST}:${secured.ssl},SASL_SSL://${HOST}:${secured.saslSsl}` : "";
  const { replicationFactor, minInsyncReplicas } = member.replication;
  return {
    "node.id": member.nodeId,
    "process.roles": "broker,controller",
    listeners: `PLAINTEXT://${HOST}:${ports.port},CONTROLLER://${HOST}:${ports.controllerPort}${extraListeners}`,
    "advertised.listeners": `PLAINTEXT://${HOST}:${ports.port}${extraListeners}`,
    "listener.security.protocol.map": `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secured ? ",SSL:SSL,SASL_SSL:SASL_SSL" : ""}`,
    "inter.broker.listener.name": "PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    // A static voter set, not a dynamic quorum (--standalone): the controller addresses
    // then live only in this file, so a restart on different ports just works.
    "controller.quorum.voters": member.voters
      .map((voter) => `${voter.nodeId}@${HOST}:${voter.controllerPort}`)
      .join(","),
    "log.dirs": propValue(logDir),
    "num.partitions": 1,
    "auto.create.topics.enable": "false",
    "default.replication.factor": replicationFactor,
    "min.insync.replicas": minInsyncReplicas,
    "offsets.topic.replication.factor": replicationFactor,
    "transaction.state.log.replication.factor": replicationFactor,
    "transaction.state.log.min.isr": minInsyncReplicas,
    "share.coordinator.state.topic.replication.factor": replicationFactor,
    "share.coordinator.state.topic.min.isr": minInsyncReplicas,
    // 50 partitions each by default: needless work for one node on 2 cores,
    // slowing the first group join and every restart's coordinator load.
    "offsets.topic.num.partitions": 10,
    "transaction.state.log.num.partitions": 10,
    // Tests start consumers one after the other; do not hold the first rebalance back.
    "group.initial.rebalance.delay.ms": 0,
    // After a kill the restarted broker cannot register until the dead incarnation's
    // session expires (default 9 s, in practice ~13 s to ready); 4 s still leaves
    // ample room for GC or CPU stalls on a loaded 2-core machine. In a cluster the
    // same expiry fences a killed node and drops it from the ISRs.
    "broker.heartbeat.interval.ms": 1_000,
    "broker.session.timeout.ms": 4_000,
    ...(secured ? securityProperties(secured) : {}),
  };
}

function serverProperties(
  files: BrokerFiles,
  ports: BrokerPorts,
  member: ClusterMembership,
  secured?: SecuredPorts,
): string {
  const lines = Object.entries(nodeProperties(files.logDir, ports, member, secured)).map(
    ([key, value]) => `${key}=${value}`,
  );
  return `# Written by infra/src/kafka/broker.ts on every start; edits are overwritten.\n${lines.join("\n")}\n`;
}

/** Everything (INFO) to a size-capped kafka.log; only WARN+ to stdout, i.e. kafka.out. */
function log4jProperties(files: BrokerFiles): string {
  const logFile = propValue(files.kafkaLog);
  return `# Written by infra/src/kafka/broker.ts on every start.
status = warn
# Lines are flushed as written; Log4j's own shutdown hook only added a WARN to every stop.
shutdownHook = disable
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${logFile}
appender.file.filePattern = ${logFile}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
appender.stdout.filter.threshold.type = ThresholdFilter
appender.stdout.filter.threshold.level = warn
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
rootLogger.appenderRef.stdout.ref = STDOUT
`;
}

// ---------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------

/** Same shape as Kafka's Uuid.randomUuid(): 16 random bytes, base64url, no padding. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    // Kafka never hands out ids starting with "-": CLI parsers take them for flags.
    if (!id.startsWith("-")) return id;
  }
}

/** The cluster id a node's storage was formatted with, or null when it is not formatted yet. */
export async function formattedClusterId(files: BrokerFiles): Promise<string | null> {
  const meta = await readTextOrNull(path.join(files.logDir, "meta.properties"));
  return meta === null ? null : (/^cluster\.id=(.+)$/m.exec(meta)?.[1]?.trim() ?? null);
}

async function formatStorageIfNeeded(
  libsDir: string,
  files: BrokerFiles,
  log: (m: string) => void,
  clusterId: string,
  scramUsers: { name: string; password: string }[] = [],
): Promise<void> {
  if ((await readTextOrNull(path.join(files.logDir, "meta.properties"))) !== null) return;
  log(`formatting ${files.logDir} (cluster id ${clusterId})`);
  const args = [
    ...javaArgs(libsDir, files),
    "kafka.tools.StorageTool",
    "format",
    "--cluster-id",
    clusterId,
    "--config",
    files.serverProperties,
    "--ignore-formatted",
    ...scramUsers.flatMap((user) => ["--add-scram", `SCRAM-SHA-512=[name=${user.name},password=${user.password}]`]),
  ];
  const result = await runCommand(javaBinary(), args);
  if (result?.code !== 0) {
    throw new Error(
      `Kafka storage format failed (exit ${result?.code ?? "?"}):\n${lastLines(result?.output ?? "", 30)}`,
    );
  }
}

/** A node's files before its JVM starts: its config (rewritten on every start) and its storage (formatted once). */
export async function prepareNode(options: {
  libsDir: string;
  files: BrokerFiles;
  ports: BrokerPorts;
  member: ClusterMembership;
  clusterId: string;
  log: (m: string) => void;
  secured?: SecuredPorts;
  scramUsers?: { name: string; password: string }[];
}): Promise<void> {
  const { files } = options;
  await writeFile(files.serverProperties, serverProperties(files, options.ports, options.member, options.secured));
  await writeFile(files.log4jConfig, log4jProperties(files));
  await formatStorageIfNeeded(options.libsDir, files, options.log, options.clusterId, options.scramUsers);
}

// ---------------------------------------------------------------------------
// Readiness
// ---------------------------------------------------------------------------

/** A kafkajs client for probes: quiet, quick to give up (the caller polls). */
export function probeClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "kafka-ready-probe",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
}

/**
 * Ready means usable through kafkajs, the client our services use: metadata answers, `nodes` brokers are
 * registered, and the coordinators are up. Without the last two, every first consumer or idempotent producer after
 * a start logs "coordinator is loading / not available" errors and retries.
 */
export async function probeCluster(brokers: string[], nodes = 1): Promise<void> {
  const kafka = probeClient(brokers);
  const admin = kafka.admin();
  // kafkajs refuses an idempotent producer without retries.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 3, initialRetryTime: 100 },
  });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length < nodes) {
      throw new Error(`${cluster.brokers.length} of ${nodes} brokers registered`);
    }
    // Creates __consumer_offsets on a fresh cluster (which needs as many brokers as its replicas); waits for it to
    // load after a restart.
    await admin.describeGroups(["kafka-ready-probe"]);
    // The first producer id request only makes the broker fetch a block of ids from the controller.
    await producer.connect();
  } finally {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  }
}

/**
 * Polls `probe` until it passes; fails when the JVM exits first or after READY_TIMEOUT_MS (then the JVM is killed).
 * `what` names the node in messages.
 */
export async function waitUntilReady(
  child: ChildProcess,
  what: string,
  probe: () => Promise<void>,
  files: BrokerFiles,
  log: (m: string) => void,
): Promise<void> {
  const started = Date.now();
  let lastReport = started;
  let spawnError: Error | null = null;
  let probeError = "";
  child.once("error", (err) => {
    spawnError = err;
  });
  for (;;) {
    if (spawnError || hasExited(child)) {
      const why = spawnError ? String(spawnError) : `exit code ${child.exitCode ?? child.signalCode}`;
      throw new Error(
        `Kafka ${what} exited during start-up (${why}); see ${files.kafkaLog}\n${await tailFile(files.kafkaOut, 20)}`,
      );
    }
    try {
      await probe();
      return;
    } catch (err) {
      probeError = String(err); // usually just "not up yet"; reported if it never is
    }
    const now = Date.now();
    if (now - started > READY_TIMEOUT_MS) {
      child.kill("SIGKILL");
      throw new Error(
        `Kafka ${what} not ready after ${READY_TIMEOUT_MS / 1000}s (last probe: ${probeError}); ` +
          `see ${files.kafkaLog}\n${await tailFile(files.kafkaOut, 20)}`,
      );
    }
    if (now - lastReport >= READY_LOG_EVERY_MS) {
      lastReport = now;
      log(`waiting for Kafka ${what} (${Math.round((now - started) / 1000)}s)`);
    }
    await sleep(250);
  }
}

/** Starts the node's JVM (after stopping a leftover of an earlier run) and records its pid. */
export async function launchNode(
  libsDir: string,
  files: BrokerFiles,
  heapMb: number,
  broker: string,
  log: (m: string) => void,
): Promise<ChildProcess> {
  await stopLeftoverBroker(files, log);
  await appendFile(files.kafkaOut, `\n=== ${new Date().toISOString()} starting Kafka on ${broker}\n`);
  const child = launchBroker(libsDir, files, heapMb);
  if (child.pid !== undefined) await writeFile(files.pidFile, `${child.pid}\n`);
  return child;
}

function runningKafka(
  child: ChildProcess,
  broker: string,
  files: BrokerFiles,
  secured?: { ssl: string; saslSsl: string },
): RunningKafka {
  const pid = child.pid;
  if (pid === undefined) throw new Error("Kafka broker process has no pid");
  return {
    brokers: [broker],
    ...(secured ? { secured } : {}),
    pid,
    kill: () => {
      child.kill("SIGKILL");
    },
    stop: async () => {
      await stopJvm(child);
      await rm(files.pidFile, { force: true });
    },
  };
}

export async function startKafka(opts: KafkaBrokerOptions): Promise<RunningKafka> {
  const log = opts.log ?? defaultLog;
  const files = brokerFiles(path.resolve(opts.dataDir));
  const libsDir = await ensureKafkaJars({ cacheDir: opts.cacheDir, log });
  await mkdir(files.dataDir, { recursive: true });
  await stopLeftoverBroker(files, log);

  const ports = await resolvePorts(files.dataDir, { port: opts.port, controllerPort: opts.controllerPort });
  let secured: SecuredPorts | undefined;
  if (opts.security) {
    const ssl = await pickFreePort(new Set([ports.port, ports.controllerPort]));
    const saslSsl = await pickFreePort(new Set([ports.port, ports.controllerPort, ssl]));
    const [cert, key, ca] = await Promise.all(
      [opts.security.certFile, opts.security.keyFile, opts.security.caFile].map((file) => readFile(file, "utf8")),
    );
    secured = { ssl, saslSsl, cert: cert as string, key: key as string, ca: ca as string };
  }
  await prepareNode({
    libsDir,
    files,
    ports,
    member: singleNode(ports.controllerPort),
    clusterId: (await formattedClusterId(files)) ?? randomClusterId(),
    log,
    ...(secured ? { secured } : {}),
    ...(opts.security ? { scramUsers: opts.security.scramUsers } : {}),
  });

  const broker = `${HOST}:${ports.port}`;
  const started = Date.now();
  const child = await launchNode(libsDir, files, opts.heapMb ?? 512, broker, log);
  try {
    await waitUntilReady(child, `broker on ${broker}`, () => probeCluster([broker]), files, log);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  log(
    `Kafka ready on ${broker} in ${((Date.now() - started) / 1000).toFixed(1)}s (pid ${child.pid}, data ${files.dataDir})`,
  );
  return runningKafka(
    child,
    broker,
    files,
    secured ? { ssl: `${HOST}:${secured.ssl}`, saslSsl: `${HOST}:${secured.saslSsl}` } : undefined,
  );
}
