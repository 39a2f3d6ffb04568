import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { backoffDelay } from "@hub/common";

/** How a process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has ended and its output is read to the end. */
  exited: Promise<ProcessExit>;
  /** The last lines it printed (summarised as on the console), to show why it ended. */
  tail(): string[];
  stop(timeoutMs?: number): Promise<void>;
}

const TAIL_LINES = 15;

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code ?? "?"}`;
}

/**
 * Runs a hub service as a child process. Its JSON log lines go to <logDir>/<name>.log; lines at warn level or above
 * are also echoed to the console with the service's name, so `npm start` stays readable.
 */
export function startService(options: {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  echo: (line: string) => void;
  verbose?: boolean;
  /** Extra Node.js flags, e.g. --cpu-prof for a benchmark. */
  nodeArgs?: string[];
}): ServiceProcess {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: "a" });
  // Own process group (Ctrl-C reaches only the launcher, which stops things in order); stdin is a pipe the
  // service watches (HUB_EXIT_WITH_STDIN), so it also stops if the launcher dies.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--enable-source-maps", options.script], {
    env: { ...options.env, HUB_EXIT_WITH_STDIN: "1" },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const tail: string[] = [];
  const forward = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    createInterface({ input: stream }).on("line", (line) => {
      log.write(`${line}\n`);
      tail.push(summarise(line));
      if (tail.length > TAIL_LINES) tail.shift();
      if (options.verbose || isLoud(line)) options.echo(`[${options.name}] ${summarise(line)}`);
    });
  };
  forward(child.stdout);
  forward(child.stderr);
  // "close" rather than "exit": by then its last lines (often the reason it ended) have been read.
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once("close", (code, signal) => {
      log.end();
      resolve({ code, signal });
    }),
  );
  return {
    name: options.name,
    child,
    logFile,
    exited,
    tail: () => [...tail],
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        return;
      }
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function isLoud(line: string): boolean {
  try {
    const entry = JSON.parse(line) as { level?: number };
    return (entry.level ?? 30) >= 40;
  } catch {
    return line.trim().length > 0; // not JSON: a crash trace or a runtime warning
  }
}

function summarise(line: string): string {
  try {
    const {
      level,
      time: _time,
      pid: _pid,
      hostname: _host,
      service: _service,
      name: _name,
      msg,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const label =
      typeof level === "number" && level >= 50 ? "ERROR" : typeof level === "number" && level >= 40 ? "WARN" : "";
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    return `${label ? `${label} ` : ""}${String(msg ?? "")}${extra}`.slice(0, 400);
  } catch {
    return line;
  }
}

/** Polls `check` until it resolves true, printing progress, or throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  log: (m: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      log(`waiting for ${what}… ${Math.round((Date.now() - started) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The repository root: the nearest folder above `from` whose package.json declares workspaces. */
export function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in (JSON.parse(readFileSync(manifest, "utf8")) as object)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no workspace root above ${from}`);
    dir = parent;
  }
}

/**
 * What the launcher does when a part of the hub ends on its own. An optional part (the simulator) is restarted
 * after a back-off that doubles with each quick failure (1 s up to 60 s) and starts over once it has run for a
 * minute. A core part stops the hub: a hub without its ingest, correlator, alerts service or gateway only looks
 * alive, and restarting a crashing service in a loop would hide the crash in a log nobody reads. In production the
 * orchestrator (Kubernetes) restarts pods; `npm start` is for a person at a terminal, who is better told.
 */
export type ExitDecision = { action: "restart"; delayMs: number; attempt: number } | { action: "stop-hub" };

export const RESTART_RESET_AFTER_MS = 60_000;

export function decideOnExit(part: { optional: boolean; quickFailures: number; ranForMs: number }): ExitDecision {
  if (!part.optional) return { action: "stop-hub" };
  const attempt = part.ranForMs >= RESTART_RESET_AFTER_MS ? 1 : part.quickFailures + 1;
  // The shared back-off without its jitter: one process restarting, nobody to spread out from.
  const delayMs = backoffDelay(attempt - 1, { baseMs: 1000, maxMs: 60_000, random: () => 1 });
  return { action: "restart", attempt, delayMs };
}
