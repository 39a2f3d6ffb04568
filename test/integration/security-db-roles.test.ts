import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPool,
  migrate,
  migrationsDir,
  type Pool,
  type ServiceRoleKey,
  serviceRoles,
  tableGrants,
  waitForMigrations,
} from "@hub/common";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { databaseUrlAs, migratedPool, serviceDatabase, testLogger } from "../support/hub.js";

/**
 * Least privilege in the database (issue 12, finding 8): each service runs as its own role (db-roles.ts). A
 * compromised service tries what its role must not do, through the same kind of connection the service uses
 * (the embedded database runs a connection as the role its URL names); each attempt is refused and changes
 * nothing. That every service can still do what it needs is shown by the other integration suites, which run every
 * service under its role (test/support serviceDatabase).
 */
let owner: Pool;
const pools = new Map<ServiceRoleKey, Pool>();

/** Runs `sql` as `role`: over a connection of that role, rolled back whatever happens. */
async function as(role: ServiceRoleKey, sql: string, params: unknown[] = []): Promise<unknown> {
  let pool = pools.get(role);
  if (!pool) {
    pool = createPool(databaseUrlAs(serviceRoles[role]), 1, testLogger);
    pools.set(role, pool);
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Against an external database the URL's user is the owner: take the role for this transaction only.
    const me = await client.query<{ user: string }>("SELECT current_user AS user");
    if (me.rows[0]?.user !== serviceRoles[role]) await client.query(`SET LOCAL ROLE ${serviceRoles[role]}`);
    return await client.query(sql, params);
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
  }
}

const refused = (role: ServiceRoleKey, sql: string, params: unknown[] = []) =>
  expect(as(role, sql, params)).rejects.toMatchObject({ code: "42501" });

let incidentId: string;
const eventId = `evt-${randomUUID()}`;

beforeAll(async () => {
  owner = await migratedPool();
  incidentId = randomUUID();
  await owner.query(
    `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, lat, lon, h3_cell,
       first_event_at, last_event_at) VALUES ($1, 'roles-test', 1, $2, 'fire', 'severe', 'Fire', 22.19, 113.54, 'x', now(), now())`,
    [incidentId, `roles-${incidentId}`],
  );
  await owner.query(
    `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event)
     VALUES ($1, $2, 'detection', now(), 'cam-1', '{"kind": "fire"}')`,
    [incidentId, eventId],
  );
});

afterAll(async () => {
  for (const pool of pools.values()) await pool.end();
  await owner?.end();
});

describe("database roles", () => {
  it("runs each service's connections as its own role", async () => {
    for (const role of ["ingest", "correlator", "gateway", "alerts"] as const) {
      const pool = createPool(serviceDatabase(role).DATABASE_URL, 1, testLogger);
      try {
        const me = await pool.query<{ user: string }>("SELECT current_user AS user");
        // Against an external database (no role logins) services run as the URL's user; the rest of this file
        // still checks every role with SET ROLE.
        const ownerUser = (await owner.query<{ user: string }>("SELECT current_user AS user")).rows[0]?.user;
        expect(me.rows[0]?.user).toBe(inject("databaseRoles") ? serviceRoles[role] : ownerUser);
      } finally {
        await pool.end();
      }
    }
  });

  it("has a grants line for every table and view, and migrating applies them again (idempotent)", async () => {
    const result = await migrate(owner, testLogger);
    // Tables another test file creates and drops for a moment (migrations.test.ts).
    expect(result.unlistedTables.filter((name) => !name.startsWith("mig_test_"))).toEqual([]);
    const tables = await owner.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname NOT LIKE 'mig_test_%'`,
    );
    expect(tables.rows.map((row) => row.name).sort()).toEqual(Object.keys(tableGrants).sort());
  });

  it("refuses the gateway what only the correlator, the alerts service or nobody may do", async () => {
    await refused("gateway", "UPDATE incident_evidence SET late = true WHERE incident_id = $1", [incidentId]);
    await refused("gateway", "DELETE FROM incident_evidence WHERE incident_id = $1", [incidentId]);
    await refused("gateway", "DELETE FROM alert_messages");
    await refused("gateway", "UPDATE alert_messages SET status = 'cancelled'");
    await refused("gateway", "UPDATE audit_log SET actor = 'nobody'");
    await refused("gateway", "DELETE FROM audit_log");
    await refused("gateway", "TRUNCATE audit_log");
    await refused("gateway", "INSERT INTO detections (event_id) VALUES ('forged')");
    await refused("gateway", "UPDATE incidents SET status = 'resolved' WHERE id = $1", [incidentId]);
    await refused("gateway", "DELETE FROM users");
    await refused("gateway", "UPDATE legal_holds SET released_at = now(), released_by = 'someone'");
    await refused("gateway", "DELETE FROM legal_holds");
    await refused("gateway", "CREATE TABLE exfiltrate (x text)");
    await refused("gateway", "SELECT set_event_policy('retention', 'detections', '1 day')");
  });

  it("refuses the ingest service the users, the audit trail and the events it only publishes", async () => {
    await refused("ingest", "SELECT * FROM users");
    await refused("ingest", "SELECT * FROM audit_log");
    await refused("ingest", "SELECT * FROM detections");
    await refused("ingest", "SELECT * FROM incident_evidence");
    await refused("ingest", "UPDATE incidents SET title = 'x'");
    await refused("ingest", "INSERT INTO audit_log (id) VALUES (0)");
  });

  it("refuses the alerts service the users, evidence changes and the incident workflow", async () => {
    await refused("alerts", "UPDATE users SET roles = ARRAY['administrator']");
    await refused("alerts", "SELECT password_hash FROM users");
    await refused("alerts", "DELETE FROM incident_evidence");
    await refused("alerts", "UPDATE incidents SET status = 'resolved'");
    await refused("alerts", "UPDATE audit_log SET actor = 'nobody'");
    await refused("alerts", "SELECT * FROM detections");
  });

  it("refuses the correlator the users, the audit trail, alert messages and evidence changes", async () => {
    await refused("correlator", "SELECT * FROM users");
    await refused("correlator", "SELECT * FROM audit_log");
    await refused("correlator", "INSERT INTO audit_log (id) VALUES (0)");
    await refused("correlator", "UPDATE incident_evidence SET late = true");
    await refused("correlator", "DELETE FROM incident_evidence");
    await refused("correlator", "UPDATE alert_messages SET status = 'cancelled'");
    await refused("correlator", "SELECT approve_legal_hold_release($1, 'x')", [randomUUID()]);
  });

  it("lets audit:verify's role read the audit trail and nothing else", async () => {
    await expect(as("auditor", "SELECT count(*) FROM audit_log")).resolves.toBeDefined();
    await refused("auditor", "INSERT INTO audit_log (id) VALUES (0)");
    await refused("auditor", "SELECT * FROM users");
    await refused("auditor", "SELECT * FROM detections");
  });

  it("left the evidence as it was", async () => {
    const evidence = await owner.query("SELECT late FROM incident_evidence WHERE incident_id = $1", [incidentId]);
    expect(evidence.rows).toEqual([{ late: false }]);
  });

  it("lets a service that must not migrate wait for the schema, and fail when nobody migrates it", async () => {
    const gateway = createPool(serviceDatabase("gateway").DATABASE_URL, 1, testLogger);
    const dir = await mkdtemp(join(tmpdir(), "migrations-ahead-"));
    try {
      const latest =
        (await readdir(migrationsDir))
          .filter((file) => /^\d{4}_/.test(file))
          .sort()
          .at(-1) ?? "";
      expect(await waitForMigrations(gateway, testLogger, 10_000)).toBeGreaterThanOrEqual(Number(latest.slice(0, 4)));
      await writeFile(join(dir, "9999_future.sql"), "SELECT 1;");
      await expect(waitForMigrations(gateway, testLogger, 500, dir)).rejects.toThrow(/needs 9999/);
    } finally {
      await gateway.end();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
