/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller)
 * for development and tests, run from the official jars that Maven fetches
 * from Maven Central (see infra/kafka/pom.xml and infra/kafka/README.md).
 *
 * Nothing global is registered here (no signal or exit handlers): the caller
 * owns the broker's lifetime through RunningKafka.stop() / kill().
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync } from "node:fs";
import { appendFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";

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
}

export interface RunningKafka {
  brokers: string[];
  /** SIGTERM (controlled shutdown), SIGKILL after 30 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. Does not wait; a following startKafka on the same dataDir waits for the old JVM. */
  kill(): void;
  pid: number;
}

const REQUIREMENTS_MESSAGE =
  "Java 17+ is required to run the bundled Kafka broker: apt-get install openjdk-17-jre-headless maven, " +
  "or set KAFKA_BROKERS to use an existing cluster";
const MIN_JAVA_MAJOR = 17;
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 90_000;
const READY_LOG_EVERY_MS = 5_000;
const STOP_GRACE_MS = 30_000;
const JAR_MARKER = ".kafka-jars";

/** The infra package folder, whether this runs from src/ (tsx) or from the compiled dist/src/. */
function findInfraRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "kafka", "pom.xml"))) return dir;
  }
  throw new Error(`infra/kafka/pom.xml not found above ${here}`);
}

const INFRA_ROOT = findInfraRoot();
const POM_PATH = path.join(INFRA_ROOT, "kafka", "pom.xml");
const REPO_ROOT = path.dirname(INFRA_ROOT);

const defaultLog = (msg: string): void => {
  process.stderr.write(`[kafka] ${msg}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion; `null` when the executable does not exist. */
function runCommand(cmd: string, args: string[], onLine?: (line: string) => void): Promise<CommandResult | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let pending = "";
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      output += text;
      if (!onLine) return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) onLine(line.trimEnd());
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") resolve(null);
      else reject(err);
    });
    child.once("close", (code) => {
      if (onLine && pending.trim()) onLine(pending.trimEnd());
      resolve({ code, output });
    });
  });
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, "bin", "java") : "java";
}

/** Parses `java -version` output: "17.0.15" -> 17, legacy "1.8.0_392" -> 8. */
function parseJavaMajor(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return null;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

async function checkJava(): Promise<void> {
  const java = javaBinary();
  const result = await runCommand(java, ["-version"]);
  if (!result) throw new Error(`${REQUIREMENTS_MESSAGE} (${java} not found)`);
  const major = parseJavaMajor(result.output);
  if (major === null || major < MIN_JAVA_MAJOR) {
    throw new Error(`${REQUIREMENTS_MESSAGE} (found Java ${major ?? "of unknown version"} at ${java})`);
  }
}

async function checkMaven(): Promise<void> {
  const result = await runCommand("mvn", ["--version"]);
  if (result?.code !== 0) throw new Error(`${REQUIREMENTS_MESSAGE} (mvn not found)`);
}

// ---------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------

interface PomInfo {
  kafkaVersion: string;
  /** Changes whenever any pinned version in the pom changes, so the cache is refreshed. */
  marker: string;
}

async function readPomInfo(): Promise<PomInfo> {
  const pom = await readFile(POM_PATH, "utf8");
  const kafkaVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!kafkaVersion) throw new Error(`no <kafka.version> in ${POM_PATH}`);
  const digest = createHash("sha256").update(pom).digest("hex");
  return { kafkaVersion, marker: `kafka=${kafkaVersion}\npom-sha256=${digest}\n` };
}

async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return null;
  }
}

function resolveCacheDir(cacheDir: string | undefined): string {
  return path.resolve(cacheDir ?? path.join(REPO_ROOT, ".cache", "kafka"));
}

// One download per cache dir per process, even when several brokers start at once.
const jarDownloads = new Map<string, Promise<string>>();

export async function ensureKafkaJars(opts: { cacheDir?: string; log?: (m: string) => void }): Promise<string> {
  const libsDir = path.join(resolveCacheDir(opts.cacheDir), "libs");
  let download = jarDownloads.get(libsDir);
  if (!download) {
    download = fetchJarsIfMissing(libsDir, opts.log ?? defaultLog);
    jarDownloads.set(libsDir, download);
    // A failed attempt must not poison later calls (e.g. after installing Maven).
    download.catch(() => jarDownloads.delete(libsDir));
  }
  return download;
}

async function fetchJarsIfMissing(libsDir: string, log: (m: string) => void): Promise<string> {
  await checkJava();
  const pom = await readPomInfo();
  if ((await readTextOrNull(path.join(libsDir, JAR_MARKER))) === pom.marker) return libsDir;

  await checkMaven();
  // Download into a private staging dir and rename it into place, so a crash or a
  // concurrent process never leaves a half-filled (or mixed-version) classpath behind.
  const staging = `${libsDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging, { recursive: true });
  try {
    await runMavenCopy(staging, pom.kafkaVersion, log);
    await writeFile(path.join(staging, JAR_MARKER), pom.marker);
    await swapIntoPlace(staging, libsDir, pom.marker);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return libsDir;
}

async function runMavenCopy(outputDir: string, kafkaVersion: string, log: (m: string) => void): Promise<void> {
  log(`fetching Apache Kafka ${kafkaVersion} jars with Maven (one-time, ~40 s on an empty ~/.m2)`);
  const started = Date.now();
  const elapsed = (): string => `${Math.round((Date.now() - started) / 1000)}s`;
  const args = [
    "--batch-mode",
    "--no-transfer-progress",
    "-Dstyle.color=never",
    "-f",
    POM_PATH,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${outputDir}`,
    "-DincludeScope=runtime",
  ];
  // On success Maven has nothing worth reading; show problems, and a heartbeat instead of silence.
  const heartbeat = setInterval(() => log(`still fetching Kafka jars (${elapsed()})`), 10_000);
  let result: CommandResult | null;
  try {
    result = await runCommand("mvn", args, (line) => {
      if (/^\[(WARNING|ERROR)\]/.test(line)) log(`mvn: ${line}`);
    });
  } finally {
    clearInterval(heartbeat);
  }
  if (result?.code !== 0) {
    throw new Error(
      `mvn ${args.join(" ")} failed (exit ${result?.code ?? "?"}):\n${lastLines(result?.output ?? "", 30)}`,
    );
  }
  log(`Kafka jars fetched into ${path.dirname(outputDir)} in ${elapsed()}`);
}

async function swapIntoPlace(staging: string, libsDir: string, marker: string): Promise<void> {
  // Another process may have finished the same download meanwhile: keep theirs.
  if ((await readTextOrNull(path.join(libsDir, JAR_MARKER))) === marker) return;
  // Stale jars of another version would end up on the same classpath: drop them first.
  await rm(libsDir, { recursive: true, force: true });
  try {
    await rename(staging, libsDir);
  } catch (err) {
    if ((await readTextOrNull(path.join(libsDir, JAR_MARKER))) !== marker) throw err;
  }
}

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

async function pickFreePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === null) throw new Error(`cannot bind a free port on ${HOST}`);
  return port;
}

interface BrokerPorts {
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
async function choosePort(requested: number | undefined, previous: number | undefined): Promise<number> {
  if (requested) return requested;
  if (previous !== undefined && (await listenOnce(previous)) !== null) return previous;
  return pickFreePort();
}

async function resolvePorts(dataDir: string, opts: KafkaBrokerOptions): Promise<BrokerPorts> {
  const file = path.join(dataDir, "ports.json");
  const previous = await readPreviousPorts(file);
  const port = await choosePort(opts.port, previous.port);
  let controllerPort = await choosePort(opts.controllerPort, previous.controllerPort);
  while (controllerPort === port) controllerPort = await pickFreePort();
  await writeFile(file, `${JSON.stringify({ port, controllerPort })}\n`);
  return { port, controllerPort };
}

// ---------------------------------------------------------------------------
// Config files
// ---------------------------------------------------------------------------

/** Backslashes are escapes in .properties values (matters only for Windows-style paths). */
const propValue = (value: string): string => value.replace(/\\/g, "\\\\");

interface BrokerFiles {
  dataDir: string;
  logDir: string;
  serverProperties: string;
  log4jConfig: string;
  kafkaLog: string;
  kafkaOut: string;
  pidFile: string;
}

function brokerFiles(dataDir: string): BrokerFiles {
  return {
    dataDir,
    logDir: path.join(dataDir, "logs"),
    serverProperties: path.join(dataDir, "server.properties"),
    log4jConfig: path.join(dataDir, "log4j2.properties"),
    kafkaLog: path.join(dataDir, "kafka.log"),
    kafkaOut: path.join(dataDir, "kafka.out"),
    pidFile: path.join(dataDir, "kafka.pid"),
  };
}

function serverProperties(files: BrokerFiles, ports: BrokerPorts): string {
  const props: Record<string, string | number> = {
    "node.id": 1,
    "process.roles": "broker,controller",
    listeners: `PLAINTEXT://${HOST}:${ports.port},CONTROLLER://${HOST}:${ports.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${HOST}:${ports.port}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name": "PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    // A static voter set, not a dynamic quorum (--standalone): the controller address
    // then lives only in this file, so a restart on different ports just works.
    "controller.quorum.voters": `1@${HOST}:${ports.controllerPort}`,
    "log.dirs": propValue(files.logDir),
    "num.partitions": 1,
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    // 50 partitions each by default: needless work for one node on 2 cores,
    // slowing the first group join and every restart's coordinator load.
    "offsets.topic.num.partitions": 10,
    "transaction.state.log.num.partitions": 10,
    // Tests start consumers one after the other; do not hold the first rebalance back.
    "group.initial.rebalance.delay.ms": 0,
    // After a kill the restarted broker cannot register until the dead incarnation's
    // session expires (default 9 s, in practice ~13 s to ready); 4 s still leaves
    // ample room for GC or CPU stalls on a loaded 2-core machine.
    "broker.heartbeat.interval.ms": 1_000,
    "broker.session.timeout.ms": 4_000,
  };
  const lines = Object.entries(props).map(([key, value]) => `${key}=${value}`);
  return `# Written by infra/src/kafka.ts on every start; edits are overwritten.\n${lines.join("\n")}\n`;
}

/** Everything (INFO) to a size-capped kafka.log; only WARN+ to stdout, i.e. kafka.out. */
function log4jProperties(files: BrokerFiles): string {
  const logFile = propValue(files.kafkaLog);
  return `# Written by infra/src/kafka.ts on every start.
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
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    // Kafka never hands out ids starting with "-": CLI parsers take them for flags.
    if (!id.startsWith("-")) return id;
  }
}

function javaArgs(libsDir: string, files: BrokerFiles): string[] {
  // Java expands the classpath wildcard itself; no shell is involved.
  return ["-cp", path.join(libsDir, "*"), `-Dlog4j2.configurationFile=${files.log4jConfig}`];
}

async function formatStorageIfNeeded(libsDir: string, files: BrokerFiles, log: (m: string) => void): Promise<void> {
  if ((await readTextOrNull(path.join(files.logDir, "meta.properties"))) !== null) return;
  const clusterId = randomClusterId();
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
  ];
  const result = await runCommand(javaBinary(), args);
  if (result?.code !== 0) {
    throw new Error(
      `Kafka storage format failed (exit ${result?.code ?? "?"}):\n${lastLines(result?.output ?? "", 30)}`,
    );
  }
}

// ---------------------------------------------------------------------------
// Broker process
// ---------------------------------------------------------------------------

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

async function tailFile(file: string, count: number): Promise<string> {
  return lastLines((await readTextOrNull(file)) ?? "", count);
}

async function isOurBroker(pid: number, files: BrokerFiles): Promise<boolean> {
  // /proc only exists on Linux; elsewhere a leftover broker surfaces as Kafka's own lock error.
  const cmdline = await readTextOrNull(`/proc/${pid}/cmdline`);
  if (cmdline === "") return isRunning(pid); // a process that is exiting right now (e.g. just kill()ed)
  return Boolean(cmdline?.includes("kafka.Kafka") && cmdline.includes(files.serverProperties));
}

/**
 * Linux only (callers have seen /proc). True until the process has released its sockets
 * and the log dir lock. Not judged by cmdline: a dying process loses that (its memory
 * goes first) while it still holds its files and ports.
 */
async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A JVM's main thread turns zombie while its other threads are still tearing down and
  // holding the sockets; only a zombie with no thread left has released everything.
  // Gone between the two checks also counts as not running.
  const status = await readTextOrNull(`/proc/${pid}/status`);
  if (status === null) return false;
  const zombie = /^State:\s+Z/m.test(status);
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? "1");
  return !zombie || threads > 1;
}

/**
 * A broker of an earlier run can still hold dataDir: one just kill()ed (SIGKILL is
 * asynchronous) or one orphaned when its Node parent died. Stop it, or the new JVM
 * fails on the log dir lock and the previous port looks taken.
 */
async function stopLeftoverBroker(files: BrokerFiles, log: (m: string) => void): Promise<void> {
  const pid = Number((await readTextOrNull(files.pidFile))?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !(await isOurBroker(pid, files))) return;
  log(`a previous Kafka broker (pid ${pid}) still holds ${files.dataDir}: stopping it first`);
  signalPid(pid, "SIGTERM");
  const killAt = Date.now() + STOP_GRACE_MS;
  // Bounded: should the pid belong to something unkillable, Kafka's lock error will say so.
  const giveUpAt = killAt + STOP_GRACE_MS;
  while ((await isRunning(pid)) && Date.now() < giveUpAt) {
    if (Date.now() > killAt) signalPid(pid, "SIGKILL");
    await sleep(100);
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function launchBroker(libsDir: string, files: BrokerFiles, heapMb: number): ChildProcess {
  const out = openSync(files.kafkaOut, "a");
  try {
    const args = [
      `-Xmx${heapMb}m`,
      "-XX:+UseG1GC",
      // Same GC tuning as Kafka's own kafka-server-start.sh.
      "-XX:MaxGCPauseMillis=20",
      "-XX:InitiatingHeapOccupancyPercent=35",
      "-XX:+ExplicitGCInvokesConcurrent",
      "-Djava.awt.headless=true",
      ...javaArgs(libsDir, files),
      "kafka.Kafka",
      files.serverProperties,
    ];
    // The JVM writes straight to the file, so its output never depends on this event loop.
    // Its own process group, so that a Ctrl-C reaches only the launcher, which stops the services first. A broker
    // orphaned by a killed launcher is found through dataDir/kafka.pid and stopped by the next startKafka.
    return spawn(javaBinary(), args, { cwd: files.dataDir, stdio: ["ignore", out, out], detached: true });
  } finally {
    closeSync(out);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once the process has exited, false after timeoutMs. */
function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/**
 * Ready means usable through kafkajs, the client our services use: metadata answers, and
 * the coordinators are up. Without the last two, every first consumer or idempotent
 * producer after a start logs "coordinator is loading / not available" errors and retries.
 */
async function probeBroker(broker: string): Promise<void> {
  const kafka = new Kafka({
    clientId: "kafka-ready-probe",
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  // kafkajs refuses an idempotent producer without retries.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 3, initialRetryTime: 100 },
  });
  try {
    await admin.connect();
    await admin.listTopics();
    // Creates __consumer_offsets on a fresh broker; waits for it to load after a restart.
    await admin.describeGroups(["kafka-ready-probe"]);
    // The first producer id request only makes the broker fetch a block of ids from the controller.
    await producer.connect();
  } finally {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  }
}

async function waitUntilReady(
  child: ChildProcess,
  broker: string,
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
        `Kafka broker exited during start-up (${why}); see ${files.kafkaLog}\n${await tailFile(files.kafkaOut, 20)}`,
      );
    }
    try {
      await probeBroker(broker);
      return;
    } catch (err) {
      probeError = String(err); // usually just "not up yet"; reported if it never is
    }
    const now = Date.now();
    if (now - started > READY_TIMEOUT_MS) {
      child.kill("SIGKILL");
      throw new Error(
        `Kafka broker not ready on ${broker} after ${READY_TIMEOUT_MS / 1000}s (last probe: ${probeError}); ` +
          `see ${files.kafkaLog}\n${await tailFile(files.kafkaOut, 20)}`,
      );
    }
    if (now - lastReport >= READY_LOG_EVERY_MS) {
      lastReport = now;
      log(`waiting for Kafka on ${broker} (${Math.round((now - started) / 1000)}s)`);
    }
    await sleep(250);
  }
}

function runningKafka(child: ChildProcess, broker: string, files: BrokerFiles): RunningKafka {
  const pid = child.pid;
  if (pid === undefined) throw new Error("Kafka broker process has no pid");
  return {
    brokers: [broker],
    pid,
    kill: () => {
      child.kill("SIGKILL");
    },
    stop: async () => {
      if (!hasExited(child)) {
        child.kill("SIGTERM");
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          child.kill("SIGKILL");
          await waitForExit(child, STOP_GRACE_MS);
        }
      }
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

  const ports = await resolvePorts(files.dataDir, opts);
  await writeFile(files.serverProperties, serverProperties(files, ports));
  await writeFile(files.log4jConfig, log4jProperties(files));
  await formatStorageIfNeeded(libsDir, files, log);

  const broker = `${HOST}:${ports.port}`;
  await appendFile(files.kafkaOut, `\n=== ${new Date().toISOString()} starting Kafka on ${broker}\n`);
  const started = Date.now();
  const child = launchBroker(libsDir, files, opts.heapMb ?? 512);
  if (child.pid !== undefined) await writeFile(files.pidFile, `${child.pid}\n`);
  try {
    await waitUntilReady(child, broker, files, log);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  log(
    `Kafka ready on ${broker} in ${((Date.now() - started) / 1000).toFixed(1)}s (pid ${child.pid}, data ${files.dataDir})`,
  );
  return runningKafka(child, broker, files);
}
