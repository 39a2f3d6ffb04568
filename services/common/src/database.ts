import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { type ConnectionOptions, checkServerIdentity } from "node:tls";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { applyDatabaseRoles } from "./db-roles.js";
import type { Logger } from "./logger.js";
import { retryWithBackoff } from "./retry.js";

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** The project's versioned SQL migrations, shared by every service that owns tables. */
export const migrationsDir: string = fileURLToPath(new URL("../migrations", import.meta.url)).replace(
  /\/dist\/migrations\/?$/,
  "/migrations",
);

/** The database transport settings of the shared configuration (commonConfigShape). */
export interface DatabaseSslSettings {
  DATABASE_SSL_MODE: "disable" | "require" | "verify-ca" | "verify-full";
  DATABASE_SSL_CA_FILE?: string | undefined;
}

/**
 * pg's `ssl` option for a libpq-style sslmode, reading the CA file with `read`:
 * - require: encrypted, the server's certificate not checked (protects against listening, not impersonation);
 * - verify-ca: the certificate must chain to the CA, any host name;
 * - verify-full: the certificate must chain to the CA and name the host of DATABASE_URL. The check is pinned to that
 *   host (not to whatever pg passes to tls.connect), so an IP address is checked against the certificate's IP
 *   entries, and a server presenting another host's valid certificate is refused.
 */
export function databaseSsl(
  settings: DatabaseSslSettings,
  url: string,
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): false | ConnectionOptions {
  const mode = settings.DATABASE_SSL_MODE;
  if (mode === "disable") return false;
  if (mode === "require") return { rejectUnauthorized: false };
  const ca = settings.DATABASE_SSL_CA_FILE ? { ca: read(settings.DATABASE_SSL_CA_FILE) } : {};
  if (mode === "verify-ca") return { ...ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (!host) throw new Error("DATABASE_SSL_MODE=verify-full needs the server's host name in DATABASE_URL");
  return {
    ...ca,
    rejectUnauthorized: true,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    checkServerIdentity: (_servername, certificate) => checkServerIdentity(host, certificate),
  };
}

export function createPool(
  url: string,
  size: number,
  logger: Logger,
  tls: DatabaseSslSettings = { DATABASE_SSL_MODE: "disable" },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    ssl: databaseSsl(tls, url),
    max: size,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it. While the pool is
  // closing (shutdown), connections ending is expected.
  pool.on("error", (err) => {
    if (!pool.ending) logger.warn({ err }, "database connection lost");
  });
  return pool;
}

/**
 * Runs `work` in a transaction: COMMIT if it resolves, ROLLBACK if it throws. `begin` replaces the opening "BEGIN"
 * (e.g. "BEGIN; CREATE TEMP TABLE …", sent in the same round trip).
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const sql = await readFile(join(dir, file), "utf8");
    migrations.push({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql,
      checksum: createHash("sha256").update(sql).digest("hex"),
    });
  }
  return migrations;
}

export interface MigrationResult {
  applied: string[];
  current: number;
  /** Tables and views without a line in db-roles.ts (no service may use them). */
  unlistedTables: string[];
}

/**
 * Applies the pending migrations in order, each in its own transaction with its record in schema_migrations, so
 * a crash leaves every migration either fully applied or not at all and running again is harmless. Refuses to run
 * when an applied migration's file has changed since: migrations are append-only. Then creates the service roles
 * and grants them exactly what services/common/src/db-roles.ts says, every time, so a table added by a later
 * migration gets its grants in the same run. `pool` must connect as the owner of the schema (DATABASE_OWNER_URL).
 */
export async function migrate(pool: pg.Pool, logger: Logger, dir: string = migrationsDir): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  try {
    // Two instances starting on a fresh database at once: on a real server, two concurrent CREATE TABLE IF NOT EXISTS
    // can both miss the table and one then fails on the catalog's unique index (23505, not retried). Under the lock
    // the second waits, and its statement (a new snapshot under READ COMMITTED) finds the table.
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('hub.schema-migrations'))");
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      await client.query("BEGIN");
      try {
        // Serialises concurrent migrators (two services starting at once): EXCLUSIVE conflicts with itself, so the second
        // waits here until the first commits; its next statement takes a new snapshot (READ COMMITTED) and sees the
        // version applied. Each migration is its own transaction, so they interleave version by version, never twice.
        await client.query("LOCK TABLE schema_migrations IN EXCLUSIVE MODE");
        const existing = await client.query<{ checksum: string }>(
          "SELECT checksum FROM schema_migrations WHERE version = $1",
          [migration.version],
        );
        const row = existing.rows[0];
        if (row) {
          if (row.checksum !== migration.checksum) {
            throw new Error(
              `migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`,
            );
          }
          await client.query("COMMIT");
          continue;
        }
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query("COMMIT");
        applied.push(`${migration.version}_${migration.name}`);
        logger.info({ migration: `${migration.version}_${migration.name}` }, "applied migration");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    }
    const unlistedTables = await applyDatabaseRoles(client, logger);
    return { applied, current: migrations.at(-1)?.version ?? 0, unlistedTables };
  } finally {
    client.release();
  }
}

const TRANSIENT_NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);
/** SQLSTATEs that say "not now" rather than "never": cannot connect now, serialization failure, deadlock, lock. */
const TRANSIENT_SQLSTATES = new Set(["57P03", "40001", "40P01", "55P03"]);

/**
 * Whether a database failure is worth retrying: the server refused or dropped the connection, the pool timed out
 * waiting for one (the embedded database is busy replaying or checkpointing), or it is out of resources for now
 * (SQLSTATE classes 08 and 53). A failing migration or a bad query is not.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (TRANSIENT_NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code)) return true;
    if (/^(08|53)[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isTransientDatabaseError);
  // pg's own wording when a connection times out or ends before the server answers.
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout/i.test(error.message);
}

/**
 * Migrates once the database answers, retrying transient failures with back-off (logged) for up to `waitMs`: at
 * `npm start` the embedded database may still be replaying its data folder when the services come up.
 */
export async function migrateWhenReady(
  pool: pg.Pool,
  logger: Logger,
  waitMs: number,
  dir: string = migrationsDir,
): Promise<MigrationResult> {
  return retryWithBackoff(() => migrate(pool, logger, dir), {
    baseMs: 250,
    maxMs: 5000,
    giveUpAfterMs: waitMs,
    retriable: isTransientDatabaseError,
    onRetry: (err, attempt, delayMs) =>
      logger.warn({ err, attempt, retryInMs: delayMs }, "database not ready at start-up; retrying"),
  });
}

/** The schema is older than this code: another service (or `npm run db:migrate`) has yet to migrate it. */
class SchemaNotMigratedError extends Error {}

/**
 * For a service that does not migrate (DATABASE_MIGRATE=false: its role may not change the schema): waits, with
 * back-off for up to `waitMs`, until schema_migrations records every migration this code knows, then returns the
 * current version. Fails when it never does (the operator has not run `npm run db:migrate`).
 */
export async function waitForMigrations(
  pool: pg.Pool,
  logger: Logger,
  waitMs: number,
  dir: string = migrationsDir,
): Promise<number> {
  const expected = (await readMigrations(dir)).at(-1)?.version ?? 0;
  return retryWithBackoff(
    async () => {
      const result = await pool
        .query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations")
        .catch((error: unknown) => {
          // 42P01: no schema_migrations yet, nothing was ever migrated.
          if ((error as { code?: unknown }).code === "42P01") return { rows: [{ version: 0 }] };
          throw error;
        });
      const current = result.rows[0]?.version ?? 0;
      if (current < expected) {
        throw new SchemaNotMigratedError(
          `the database schema is at migration ${current}, this service needs ${expected}: run the migrations as the owner (npm run db:migrate)`,
        );
      }
      return current;
    },
    {
      baseMs: 250,
      maxMs: 5000,
      giveUpAfterMs: waitMs,
      retriable: (error) => error instanceof SchemaNotMigratedError || isTransientDatabaseError(error),
      onRetry: (err, attempt, delayMs) =>
        logger.warn({ err, attempt, retryInMs: delayMs }, "database not migrated yet; waiting"),
    },
  );
}
