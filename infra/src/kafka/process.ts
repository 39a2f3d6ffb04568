/**
 * The broker's JVM as a process: running Java commands, the files the broker writes into its data dir (config, pid,
 * logs), launching it detached, stopping it (or a leftover of an earlier run), and reading the tail of its logs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

export const STOP_GRACE_MS = 30_000;

export const defaultLog = (msg: string): void => {
  process.stderr.write(`[kafka] ${msg}\n`);
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion; `null` when the executable does not exist. */
export function runCommand(
  cmd: string,
  args: string[],
  onLine?: (line: string) => void,
): Promise<CommandResult | null> {
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

export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, "bin", "java") : "java";
}

export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return null;
  }
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

export async function tailFile(file: string, count: number): Promise<string> {
  return lastLines((await readTextOrNull(file)) ?? "", count);
}

/** The files of one broker, all in its data dir: its config, its Kafka logs, its own log files and its pid. */
export interface BrokerFiles {
  dataDir: string;
  logDir: string;
  serverProperties: string;
  log4jConfig: string;
  kafkaLog: string;
  kafkaOut: string;
  pidFile: string;
}

export function brokerFiles(dataDir: string): BrokerFiles {
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

export function javaArgs(libsDir: string, files: BrokerFiles): string[] {
  // Java expands the classpath wildcard itself; no shell is involved.
  return ["-cp", path.join(libsDir, "*"), `-Dlog4j2.configurationFile=${files.log4jConfig}`];
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
export async function stopLeftoverBroker(files: BrokerFiles, log: (m: string) => void): Promise<void> {
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

export function launchBroker(libsDir: string, files: BrokerFiles, heapMb: number): ChildProcess {
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

export function hasExited(child: ChildProcess): boolean {
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

/** SIGTERM (a controlled shutdown), SIGKILL after the grace period; resolves once the JVM has exited. */
export async function stopJvm(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  child.kill("SIGTERM");
  if (!(await waitForExit(child, STOP_GRACE_MS))) {
    child.kill("SIGKILL");
    await waitForExit(child, STOP_GRACE_MS);
  }
}
