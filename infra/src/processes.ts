import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
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
  const forward = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    createInterface({ input: stream }).on("line", (line) => {
      log.write(`${line}\n`);
      if (options.verbose || isLoud(line)) options.echo(`[${options.name}] ${summarise(line)}`);
    });
  };
  forward(child.stdout);
  forward(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name: options.name,
    child,
    logFile,
    exited,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
      log.end();
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
