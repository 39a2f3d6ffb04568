/**
 * Embedded TimescaleDB for development and tests (never production: there,
 * services get an official TimescaleDB through DATABASE_URL).
 *
 * PGlite (PostgreSQL 17 compiled to WebAssembly; a third-party build that
 * bundles the TimescaleDB extension) persisted in a data folder, served over
 * the PostgreSQL wire protocol by pglite-socket, so that services connect with
 * `pg` and a DATABASE_URL exactly as they would to a real server.
 *
 *   node --import tsx infra/src/db-server.ts --data-dir DIR [--port N] [--host H]
 *        [--max-connections N] [--exit-with-stdin]
 *
 * Env fallbacks: EMBEDDED_DB_DATA_DIR, EMBEDDED_DB_PORT, EMBEDDED_DB_HOST,
 * EMBEDDED_DB_MAX_CONNECTIONS. stdout carries exactly one JSON line, when
 * ready: {"event":"ready","port":N,"url":"postgres://postgres@HOST:N/postgres"}.
 * Diagnostics go to stderr as JSON lines. SIGTERM/SIGINT (and, with
 * --exit-with-stdin, the end of stdin) stop the server, roll back an open
 * transaction and close PGlite cleanly, then exit 0. If PGlite itself
 * crashes (a WebAssembly trap) the process exits 1; the next start recovers
 * the folder from its WAL. See infra/db/README.md.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ExecProtocolOptions, PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { timescaledb } from "@electric-sql/pglite/timescaledb";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface DbServerConfig {
  dataDir: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  maxConnections: number;
  /** Shut down when stdin ends, i.e. when the parent that spawned us dies. */
  exitWithStdin: boolean;
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_MAX_CONNECTIONS = 16;
/** PGlite ignores the database that clients ask for; every session is this one, logged in as this superuser. */
const DATABASE_NAME = "postgres";
const USER_NAME = "postgres";
/**
 * Users named like the hub's service roles (services/common/src/db-roles.ts) run as that role; any other user is
 * the superuser, as before roles existed (a URL without a user, the OS user's name, keeps working).
 */
const ROLE_USER_PREFIX = "hub_";
/** The wire protocol's version 3.0 in a StartupMessage. */
const PROTOCOL_V3 = 196608;
/** How long to wait for a previous server on the same folder (e.g. just SIGKILLed) to go away. */
const LOCK_WAIT_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function logInfo(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
}

function logError(message: string, error?: unknown): void {
  const detail = error instanceof Error ? { error: error.message, stack: error.stack } : { error: String(error) };
  logInfo({ event: "error", message, ...(error === undefined ? {} : detail) });
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): DbServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "max-connections": { type: "string" },
      "exit-with-stdin": { type: "boolean" },
    },
    strict: true,
  });
  const dataDir = values["data-dir"] ?? env.EMBEDDED_DB_DATA_DIR;
  if (dataDir === undefined || dataDir === "") throw new Error("--data-dir (or EMBEDDED_DB_DATA_DIR) is required");
  return {
    dataDir: path.resolve(dataDir),
    host: values.host ?? env.EMBEDDED_DB_HOST ?? DEFAULT_HOST,
    port: parseInteger("port", values.port ?? env.EMBEDDED_DB_PORT, 0, 0),
    maxConnections: parseInteger(
      "max-connections",
      values["max-connections"] ?? env.EMBEDDED_DB_MAX_CONNECTIONS,
      DEFAULT_MAX_CONNECTIONS,
      1,
    ),
    exitWithStdin: values["exit-with-stdin"] ?? false,
  };
}

// ---------------------------------------------------------------------------
// Wire protocol
// ---------------------------------------------------------------------------

const MSG = {
  // backend
  authentication: 0x52, // 'R'
  readyForQuery: 0x5a, // 'Z'
  // frontend
  parse: 0x50, // 'P'
  query: 0x51, // 'Q'
  sync: 0x53, // 'S'
  terminate: 0x58, // 'X'
} as const;
const STATUS_IDLE = 0x49; // 'I'; the other transaction states are 'T' and 'E' (failed)
const STATUS_IN_TRANSACTION = 0x54; // 'T'

function wireMessage(type: string, body: Buffer): Buffer {
  const message = Buffer.alloc(5 + body.length);
  message.write(type, 0, "latin1");
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

/** A PasswordMessage with a dummy MD5 answer; PGlite accepts any password. */
const DUMMY_PASSWORD_MESSAGE = new Uint8Array(wireMessage("p", Buffer.from(`md5${"0".repeat(32)}\0`)));

function errorResponse(sqlState: string, text: string): Buffer {
  const fields = [`SERROR`, `VERROR`, `C${sqlState}`, `M${text}`].map((field) => `${field}\0`).join("");
  return wireMessage("E", Buffer.from(`${fields}\0`, "utf8"));
}

function simpleQuery(sql: string): Uint8Array {
  return new Uint8Array(wireMessage("Q", Buffer.from(`${sql}\0`, "utf8")));
}

/** The `user` of a StartupMessage (undefined if this is not one). */
export function startupUser(message: Uint8Array): string | undefined {
  if (message.byteLength < 8) return undefined;
  const buffer = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (buffer.readInt32BE(0) !== message.byteLength || buffer.readInt32BE(4) !== PROTOCOL_V3) return undefined;
  const fields = buffer.toString("utf8", 8).split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "user") return fields[i + 1];
  return undefined;
}

/** An ErrorResponse frame in a backend response, if any. */
function hasErrorFrame(response: Uint8Array): boolean {
  const view = new DataView(response.buffer, response.byteOffset, response.byteLength);
  for (let offset = 0; offset + 5 <= response.byteLength; offset += 1 + view.getInt32(offset + 1)) {
    if (response[offset] === 0x45) return true; // 'E'
    if (view.getInt32(offset + 1) < 4) break;
  }
  return false;
}

function readyForQuery(status: number): Buffer {
  return wireMessage("Z", Buffer.from([status]));
}

export interface ResponseSummary {
  /** Status byte of the last ReadyForQuery frame, if any. */
  readyStatus: number | undefined;
  /** The backend asked for a password (an Authentication request other than AuthenticationOk). */
  asksForPassword: boolean;
}

/**
 * What the connection pinning needs to know about a backend response. Walks
 * the frames rather than peeking at the tail, so that row data which happens
 * to contain the same bytes cannot fool it.
 */
export function summariseResponse(response: Uint8Array): ResponseSummary {
  const view = new DataView(response.buffer, response.byteOffset, response.byteLength);
  const summary: ResponseSummary = { readyStatus: undefined, asksForPassword: false };
  let offset = 0;
  while (offset + 5 <= response.byteLength) {
    const type = response[offset];
    const length = view.getInt32(offset + 1);
    if (length < 4) break; // malformed: stop rather than loop forever
    if (type === MSG.readyForQuery && length === 5) summary.readyStatus = response[offset + 5];
    if (type === MSG.authentication && length >= 8 && offset + 9 <= response.byteLength) {
      summary.asksForPassword = view.getInt32(offset + 5) !== 0;
    }
    offset += 1 + length;
  }
  return summary;
}

/** The SQL text of a Query or Parse message ('' for other messages). */
function sqlText(message: Uint8Array): string {
  const body = Buffer.from(message.buffer, message.byteOffset + 5, Math.max(0, message.byteLength - 5));
  if (message[0] === MSG.query) return body.toString("utf8", 0, Math.max(0, body.indexOf(0)));
  if (message[0] !== MSG.parse) return "";
  const start = body.indexOf(0) + 1; // skip the statement name
  return body.toString("utf8", start, Math.max(start, body.indexOf(0, start)));
}

const COPY_FROM_STDIN = /(^|;)\s*copy\b[^;]*\bfrom\s+stdin\b/i;
const COPY_FROM_STDIN_MESSAGE =
  "COPY FROM STDIN is not supported by the embedded database (it crashes PGlite); " +
  "use INSERT ... SELECT * FROM unnest($1::type[], ...) instead";

// ---------------------------------------------------------------------------
// One PGlite session shared by many connections
// ---------------------------------------------------------------------------

/** WebAssembly.RuntimeError (e.g. "unreachable"), recognised by name: the ES2023 lib has no WebAssembly types. */
function isWasmTrap(error: unknown): error is Error {
  return error instanceof Error && error.name === "RuntimeError";
}

/**
 * PGlite is ONE backend session that every socket connection shares.
 * pglite-socket 0.0.22 queues protocol messages from all connections and only
 * keeps the others out while `isInTransaction()` is true, which PGlite derives
 * from BEGIN/COMMIT/ROLLBACK command tags. That leaves holes, all observed:
 *  - a new connection's startup handshake (StartupMessage, then password, then
 *    ReadyForQuery) interleaved with another connection's extended-protocol
 *    query swallows that query's ReadyForQuery and the client hangs forever;
 *  - a Parse/Bind/Execute/Sync batch that arrives in several TCP reads (large
 *    parameters) can be interleaved with another connection's batch, which
 *    replaces the shared unnamed statement;
 *  - START TRANSACTION and ROLLBACK TO SAVEPOINT defeat the tag tracking,
 *    so another connection's statements run inside (and see) the open
 *    transaction;
 *  - a client that disconnects between StartupMessage and password leaves
 *    the backend unable to send ReadyForQuery again.
 * So "in transaction" here means "the backend is pinned to the connection
 * that spoke last", true until the backend reports ReadyForQuery/Idle.
 * Besides: responses are copied (see execProtocolRaw), COPY FROM STDIN is
 * refused before it reaches PGlite, and a WebAssembly trap is reported as a
 * crash, since the instance is unusable afterwards.
 */
export class MultiplexedPGlite extends PGlite {
  readonly #onCrash: (error: Error) => void;
  #pinned = false;
  #lastStatus = STATUS_IDLE;
  /** A client sent its StartupMessage, was asked for a password and has not answered yet. */
  #handshakePending = false;
  /** We refused a Parse; the rest of that batch must not reach the backend. */
  #discardUntilSync = false;
  #internalCalls = 0;
  /** Which connection (pglite-socket handler id) sent each queued message. */
  readonly #sender = new WeakMap<Uint8Array, number>();
  /** The role each connection logged in as ("" = the superuser). */
  readonly #loginRole = new Map<number, string>();
  /** The role the shared session currently runs as ("" = the superuser). */
  #sessionRole = "";

  constructor(options: PGliteOptions, onCrash: (error: Error) => void) {
    super(options);
    this.#onCrash = onCrash;
  }

  override isInTransaction(): boolean {
    return this.#pinned;
  }

  /**
   * Called by the socket server for every message it queues: remembers which connection sent it, so that the
   * session runs each connection's statements as the role it logged in as.
   */
  noteSender(connection: number, message: Uint8Array): void {
    this.#sender.set(message, connection);
  }

  override async execProtocolRaw(message: Uint8Array, options?: ExecProtocolOptions): Promise<Uint8Array> {
    // Internal exec()/query() calls run through execProtocolStream, which
    // blanks the raw response; they are handled there.
    if (this.#internalCalls > 0) return this.#guard(() => super.execProtocolRaw(message, options));
    const refused = this.#refuse(message) ?? (await this.#actAsSender(message));
    if (refused !== undefined) return refused;
    // PGlite returns a view into a receive buffer that it reuses for the next
    // message, and pglite-socket copies it only a few ticks later, after the
    // queue may already have run another connection's message: that client
    // then reads the other one's bytes (seen: a second MD5 challenge, a stray
    // ParseComplete). A copy made here is never overwritten.
    const response = (await this.#guard(() => super.execProtocolRaw(message, options))).slice();
    this.#trackWireState(message, response);
    return response;
  }

  override async execProtocolStream(
    message: Uint8Array,
    options?: ExecProtocolOptions,
  ): ReturnType<PGlite["execProtocolStream"]> {
    // While a client holds the backend, the only internal call is
    // pglite-socket's ROLLBACK after that client disconnected. If it vanished
    // between StartupMessage and password, answer the challenge on its behalf
    // first, or the backend never sends ReadyForQuery again.
    if (this.#handshakePending) await this.#guard(() => super.execProtocolRaw(DUMMY_PASSWORD_MESSAGE));
    this.#handshakePending = false;
    this.#discardUntilSync = false;
    this.#internalCalls++;
    try {
      return await this.#guard(() => super.execProtocolStream(message, options));
    } finally {
      this.#internalCalls--;
      // Internal calls are simple queries (that ROLLBACK, our CREATE
      // EXTENSION), for which PGlite's tag tracking is accurate.
      this.#pinned = super.isInTransaction();
      this.#lastStatus = this.#pinned ? STATUS_IN_TRANSACTION : STATUS_IDLE;
    }
  }

  /**
   * PostgreSQL checks privileges against the role a connection logged in as; PGlite has one session, logged in as
   * the superuser. So a `hub_*` user named in a connection's StartupMessage is taken as its role (the password is
   * not checked) and the session is switched to it (SET ROLE) before that connection's statements run,
   * whenever the previous statement came from a connection with another role. Never inside a transaction or a
   * batch: the backend is then pinned to one connection. A role that does not exist refuses the statement.
   */
  async #actAsSender(message: Uint8Array): Promise<Uint8Array | undefined> {
    const connection = this.#sender.get(message);
    if (connection === undefined) return undefined;
    const user = startupUser(message);
    if (user !== undefined) {
      this.#loginRole.set(connection, user.startsWith(ROLE_USER_PREFIX) ? user : "");
      this.#sessionRole = "\0unknown"; // whatever a login does to the session, the next statement sets its role
      return undefined;
    }
    if (message[0] === MSG.terminate) {
      this.#loginRole.delete(connection);
      return undefined;
    }
    const role = this.#loginRole.get(connection) ?? "";
    if (this.#pinned || role === this.#sessionRole) return undefined;
    const sql = role === "" ? "RESET ROLE" : `SET ROLE "${role.replaceAll('"', '""')}"`;
    const failed = hasErrorFrame(await this.#guard(() => super.execProtocolRaw(simpleQuery(sql))));
    if (!failed) {
      this.#sessionRole = role;
      return undefined;
    }
    const error = errorResponse("28000", `role "${role}" does not exist in the embedded database`);
    if (message[0] === MSG.query) return new Uint8Array(Buffer.concat([error, readyForQuery(this.#lastStatus)]));
    this.#discardUntilSync = message[0] !== MSG.sync;
    this.#pinned = this.#discardUntilSync;
    return new Uint8Array(message[0] === MSG.sync ? Buffer.concat([error, readyForQuery(this.#lastStatus)]) : error);
  }

  /** A synthetic response for a message that must not reach the backend, if this is one. */
  #refuse(message: Uint8Array): Uint8Array | undefined {
    const type = message[0];
    if (this.#discardUntilSync) {
      if (type !== MSG.sync) return new Uint8Array(0);
      this.#discardUntilSync = false; // the backend answers this Sync itself
      return undefined;
    }
    if ((type !== MSG.query && type !== MSG.parse) || !COPY_FROM_STDIN.test(sqlText(message))) return undefined;
    const error = errorResponse("0A000", COPY_FROM_STDIN_MESSAGE);
    if (type === MSG.parse) {
      this.#discardUntilSync = true;
      this.#pinned = true;
      return new Uint8Array(error);
    }
    return new Uint8Array(Buffer.concat([error, readyForQuery(this.#lastStatus)]));
  }

  #trackWireState(message: Uint8Array, response: Uint8Array): void {
    const { readyStatus, asksForPassword } = summariseResponse(response);
    if (readyStatus !== undefined) {
      this.#lastStatus = readyStatus;
      this.#pinned = readyStatus !== STATUS_IDLE;
      this.#handshakePending = false;
    } else if (message[0] !== MSG.terminate) {
      this.#pinned = true; // handshake or extended-protocol batch still in progress
      if (asksForPassword) this.#handshakePending = true;
    }
    // Terminate changes nothing: if the client leaves mid-transaction, the
    // socket close makes pglite-socket roll back, which unpins.
  }

  /** A WebAssembly trap leaves Postgres half-way through a statement: nothing after it can be trusted. */
  async #guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isWasmTrap(error)) this.#onCrash(error);
      throw error;
    }
  }
}

// ---------------------------------------------------------------------------
// Data folder
// ---------------------------------------------------------------------------

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readLockOwner(lockPath: string): Promise<number | undefined> {
  const owner = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
  return Number.isInteger(owner) && owner > 0 ? owner : undefined;
}

/**
 * PGlite keeps no lock of its own (its postmaster.pid says pid -42), and two
 * processes on one folder corrupt it. The lock is a sibling file because
 * initdb refuses a non-empty folder. A live owner gets LOCK_WAIT_MS to exit,
 * which covers a restart right after a SIGKILL.
 */
async function acquireLock(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readLockOwner(lockPath);
    if (owner !== undefined && isProcessAlive(owner)) {
      if (Date.now() > deadline) throw new Error(`data dir ${dataDir} is in use by pid ${owner} (${lockPath})`);
      await sleep(100);
    } else {
      await rm(lockPath, { force: true }); // stale: its server was killed
    }
  }
}

/**
 * On a fresh folder PGlite's initdb leaves the session in template1 whatever
 * `database` says; only a reopen lands in `postgres`. Initialising once and
 * reopening keeps current_database() equal to the URL's from the first run.
 */
async function initialiseIfFresh(dataDir: string): Promise<boolean> {
  await mkdir(dataDir, { recursive: true });
  if (existsSync(path.join(dataDir, "PG_VERSION"))) return false;
  if (readdirSync(dataDir).length > 0) {
    throw new Error(`data dir ${dataDir} is neither empty nor a PostgreSQL data folder`);
  }
  const bootstrap = new PGlite({ dataDir });
  await bootstrap.waitReady;
  await bootstrap.close();
  return true;
}

async function openDatabase(dataDir: string, onCrash: (error: Error) => void): Promise<MultiplexedPGlite> {
  const db = new MultiplexedPGlite(
    { dataDir, database: DATABASE_NAME, username: USER_NAME, extensions: { timescaledb } },
    onCrash,
  );
  await db.waitReady;
  await db.exec("CREATE EXTENSION IF NOT EXISTS timescaledb");
  // On an existing folder the extension's library is otherwise loaded lazily,
  // in the middle of the first statement that calls one of its functions: too
  // late for its planner hooks. Seen: the first INSERT into a hypertable fails
  // ("invalid INSERT on the root table of hypertable") and SELECTs silently
  // skip compressed chunks until something loads it.
  await db.exec("LOAD 'timescaledb'");
  return db;
}

// ---------------------------------------------------------------------------
// Server lifecycle
// ---------------------------------------------------------------------------

/** pglite-socket exposes the bound port only inside "host:port". */
function boundPort(server: PGLiteSocketServer): number {
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(":") + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`unexpected server address ${conn}`);
  return port;
}

async function shutDown(server: PGLiteSocketServer, db: MultiplexedPGlite): Promise<void> {
  await server.stop();
  // Let a message still executing finish, then abandon an open transaction
  // (as PostgreSQL does for a vanished client) so that close() can checkpoint.
  await db.runExclusive(async () => undefined);
  if (db.isInTransaction()) await db.exec("ROLLBACK");
  await db.close();
}

function installShutdown(
  config: DbServerConfig,
  server: PGLiteSocketServer,
  db: MultiplexedPGlite,
  releaseLock: () => Promise<void>,
): void {
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    logInfo({ event: "stopping", reason });
    shutDown(server, db)
      .then(releaseLock)
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logError("shutdown failed", error);
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (config.exitWithStdin) {
    // Our parent is gone, and so is the reader of stdout/stderr: without these
    // handlers the first log line's EPIPE would kill us before PGlite closes.
    process.stdout.on("error", () => undefined);
    process.stderr.on("error", () => undefined);
    process.stdin.on("end", () => stop("stdin closed"));
    process.stdin.on("error", () => stop("stdin closed"));
    process.stdin.resume();
  }
}

interface MessageQueue {
  enqueue(connection: number, message: Uint8Array): Promise<Uint8Array>;
}

function crashed(error: Error): never {
  logError("PGlite crashed (WebAssembly trap); exiting, the next start recovers the data folder", error);
  process.exit(1);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = parseConfig(process.argv.slice(2), process.env);
  // pglite-socket detaches clients without awaiting its own ROLLBACK; a
  // failure there must be logged, not kill the server.
  process.on("unhandledRejection", (reason) => logError("unhandled rejection", reason));
  await mkdir(path.dirname(config.dataDir), { recursive: true });
  const releaseLock = await acquireLock(config.dataDir);
  const fresh = await initialiseIfFresh(config.dataDir);
  const db = await openDatabase(config.dataDir, crashed);

  const server = new PGLiteSocketServer({
    db,
    host: config.host,
    port: config.port,
    maxConnections: config.maxConnections,
  });
  // The queue is TypeScript-private in 0.0.22 but is the one place that knows which connection sent a message.
  const queue = (server as unknown as { queryQueue: MessageQueue }).queryQueue;
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (connection, message) => {
    db.noteSender(connection, message);
    return enqueue(connection, message);
  };
  server.addEventListener("error", (event) => {
    logError("socket server error", event instanceof CustomEvent ? event.detail : undefined);
  });
  await server.start();
  installShutdown(config, server, db, releaseLock);

  const port = boundPort(server);
  const url = `postgres://${USER_NAME}@${config.host}:${port}/${DATABASE_NAME}`;
  logInfo({ event: "started", dataDir: config.dataDir, fresh, startupMs: Date.now() - startedAt });
  // The contract with database.ts: exactly one line on stdout, once ready.
  process.stdout.write(`${JSON.stringify({ event: "ready", port, url })}\n`);
}

// Only when executed directly, so that the class above stays importable.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    logError("embedded database failed", error);
    process.exit(1);
  });
}
