/**
 * The embedded TimescaleDB (db-server.ts, see infra/db/README.md) in a child
 * process, for development and tests. The child owns PGlite so that a crash or
 * SIGKILL of the database never takes the caller down, and callers reach it
 * only through its URL, exactly like a production TimescaleDB.
 *
 * Nothing global is registered here (no signal or exit handlers): the caller
 * owns the server's lifetime through RunningDb.stop() / kill(). If the caller
 * dies without stopping it, the child sees its stdin close and shuts down
 * cleanly by itself.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface EmbeddedDbOptions {
  /** The PostgreSQL data folder; created (and initialised) if missing. A sibling `<dataDir>.lock` is kept. */
  dataDir: string;
  /** 0 or unset = any free port. */
  port?: number;
  /** Client connections accepted at once; default 16. */
  maxConnections?: number;
  log?: (m: string) => void;
}

export interface RunningDb {
  /** postgres://postgres@127.0.0.1:PORT/postgres (no password needed; any is accepted). */
  url: string;
  port: number;
  /** SIGTERM (rolls back an open transaction, closes PGlite cleanly), SIGKILL after 30 s; resolves once exited. */
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. Does not wait; a following start on the same dataDir waits for the old process. */
  kill(): void;
  pid: number;
}

const READY_TIMEOUT_MS = 120_000;
const READY_LOG_EVERY_MS = 5_000;
const STOP_GRACE_MS = 30_000;
const STDERR_TAIL_LINES = 20;

const defaultLog = (m: string): void => {
  process.stderr.write(`[db] ${m}\n`);
};

interface ReadyLine {
  event: "ready";
  port: number;
  url: string;
}

function parseReadyLine(line: string): ReadyLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { event, port, url } = record;
  return event === "ready" && typeof port === "number" && typeof url === "string" ? { event, port, url } : undefined;
}

/** From source (.ts) the server needs the tsx loader; from dist (.js) it is plain JavaScript beside this file. */
function serverArgv(opts: EmbeddedDbOptions): string[] {
  const fromSource = import.meta.url.endsWith(".ts");
  const script = fileURLToPath(new URL(fromSource ? "./db-server.ts" : "./db-server.js", import.meta.url));
  // Resolved from this file rather than the caller's cwd, so that any cwd works.
  const loader = fromSource ? ["--import", import.meta.resolve("tsx")] : [];
  const args = [...loader, script, "--data-dir", opts.dataDir, "--port", String(opts.port ?? 0), "--exit-with-stdin"];
  if (opts.maxConnections !== undefined) args.push("--max-connections", String(opts.maxConnections));
  return args;
}

function hasExited(child: ChildProcessWithoutNullStreams): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** true once the child has exited, false if it is still running after timeoutMs. */
function waitForExit(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, timeoutMs);
    child.once("exit", onExit);
  });
}

/** Resolves with the ready line; rejects if the child exits first or is not ready in time. */
function waitForReady(
  child: ChildProcessWithoutNullStreams,
  log: (m: string) => void,
  stderrTail: string[],
): Promise<ReadyLine> {
  const startedAt = Date.now();
  const stdout = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const progress = setInterval(() => {
      log(`still starting after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    }, READY_LOG_EVERY_MS);
    const timeout = setTimeout(() => {
      finish();
      child.kill("SIGKILL");
      reject(new Error(`embedded database not ready after ${READY_TIMEOUT_MS} ms\n${stderrTail.join("\n")}`));
    }, READY_TIMEOUT_MS);
    // 'close' rather than 'exit': it comes after stderr is drained, so the tail is complete.
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish();
      reject(
        new Error(`embedded database exited (code ${code}, signal ${signal}) before ready\n${stderrTail.join("\n")}`),
      );
    };
    const onLine = (line: string): void => {
      const ready = parseReadyLine(line);
      if (ready === undefined) {
        log(`stdout: ${line}`);
        return;
      }
      finish();
      resolve(ready);
    };
    function finish(): void {
      clearInterval(progress);
      clearTimeout(timeout);
      child.off("close", onClose);
      stdout.off("line", onLine); // the interface keeps draining stdout afterwards
    }
    child.once("close", onClose);
    stdout.on("line", onLine);
  });
}

export async function startEmbeddedDatabase(opts: EmbeddedDbOptions): Promise<RunningDb> {
  const log = opts.log ?? defaultLog;
  // stdin stays open and unused: its end tells the server that we are gone.
  // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which stops the services before
  // the database. If the launcher dies, the server sees its stdin close and stops (--exit-with-stdin).
  const child = spawn(process.execPath, serverArgv(opts), { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn reports the reason asynchronously through 'error'.
    const reason = await new Promise<Error>((resolve) => child.once("error", resolve));
    throw new Error(`could not start the embedded database: ${reason.message}`);
  }
  child.on("error", (error) => log(`child process error: ${error.message}`));
  child.stdin.on("error", () => undefined); // EPIPE once the child has exited; nothing to do

  // Drain stderr for the child's whole life: a full pipe would block it.
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    log(line);
  });

  log(`starting pid ${pid} on ${opts.dataDir}`);
  const ready = await waitForReady(child, log, stderrTail);
  let stopRequested = false;
  child.once("exit", (code, signal) => {
    // E.g. PGlite crashed (it logs why on stderr, forwarded above); clients now get connection errors.
    if (!stopRequested) log(`exited unexpectedly (code ${code}, signal ${signal})`);
  });

  return {
    url: ready.url,
    port: ready.port,
    pid,
    kill: () => {
      stopRequested = true;
      child.kill("SIGKILL");
    },
    stop: async () => {
      stopRequested = true;
      if (hasExited(child)) return;
      child.kill("SIGTERM");
      if (await waitForExit(child, STOP_GRACE_MS)) return;
      log(`still running ${STOP_GRACE_MS} ms after SIGTERM, sending SIGKILL`);
      child.kill("SIGKILL");
      await waitForExit(child, STOP_GRACE_MS);
    },
  };
}
