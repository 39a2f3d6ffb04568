/**
 * `npm run db:migrate`: applies the migrations and the service roles' grants (services/common/src/db-roles.ts) as
 * the schema's owner, for deployments whose services start with DATABASE_MIGRATE=false and hold only their own
 * role's login. Run it after every upgrade, before the services:
 *
 *   DATABASE_OWNER_URL=postgres://owner:…@timescale:5432/hub npm run db:migrate
 *
 * (DATABASE_URL is used when DATABASE_OWNER_URL is not set.) Prints what was applied; exits 1 on failure.
 */
import { createLogger, createPool, type DatabaseSslSettings, migrate } from "@hub/common";

const url = process.env.DATABASE_OWNER_URL || process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate needs DATABASE_OWNER_URL (or DATABASE_URL): the schema owner's postgres:// URL");
  process.exit(1);
}
const logger = createLogger("db-migrate", "warn");
// The same TLS settings as the services (DATABASE_SSL_MODE, DATABASE_SSL_CA_FILE).
const sslModes = ["disable", "require", "verify-ca", "verify-full"];
if (process.env.DATABASE_SSL_MODE && !sslModes.includes(process.env.DATABASE_SSL_MODE)) {
  console.error(`db:migrate: DATABASE_SSL_MODE must be one of ${sslModes.join(", ")}`);
  process.exit(1);
}
const tls = {
  DATABASE_SSL_MODE: (process.env.DATABASE_SSL_MODE || "disable") as DatabaseSslSettings["DATABASE_SSL_MODE"],
  DATABASE_SSL_CA_FILE: process.env.DATABASE_SSL_CA_FILE || undefined,
};
const pool = createPool(url, 1, logger, tls);
try {
  const result = await migrate(pool, logger);
  console.log(
    JSON.stringify({ applied: result.applied, current: result.current, tablesWithoutGrants: result.unlistedTables }),
  );
} catch (error) {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
