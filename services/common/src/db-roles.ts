import type pg from "pg";
import type { Logger } from "./logger.js";

/**
 * Least privilege in the database: one role per service, with only the statements its repositories run, on only
 * the tables they touch. The migrator (the owner of every table) creates the roles (NOLOGIN) and grants exactly
 * this after every migration run (REVOKE ALL, then GRANT), so the grants always match this file. In production
 * each service logs in with its own login that is a member of its role (README "Database roles"); in development
 * and tests the embedded database runs each service's connections as its role (infra/db/README.md).
 */
export const serviceRoles = {
  ingest: "hub_ingest",
  correlator: "hub_correlator",
  gateway: "hub_gateway",
  alerts: "hub_alerts",
  /** `npm run audit:verify`: reads the audit trail, nothing else. */
  auditor: "hub_auditor",
} as const;
export type ServiceRoleKey = keyof typeof serviceRoles;

type Privilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE";
type Privileges = `${Privilege}` | `${Privilege} ${string}`;

/**
 * Every table and view, and what each role may do with it. ONE LINE PER TABLE: a migration that adds a table adds
 * its line here (a table without one is refused to every service, and the migration run logs a warning;
 * `security-db-roles.test.ts` fails). `{}` = no service touches it. UPDATE/DELETE on evidence, the audit trail,
 * users and alert messages are exactly where their owner needs them and nowhere else.
 */
export const tableGrants: Record<string, Partial<Record<ServiceRoleKey, Privileges>>> = {
  schema_migrations: { ingest: "SELECT", correlator: "SELECT", gateway: "SELECT", alerts: "SELECT", auditor: "SELECT" },
  sites: { ingest: "SELECT INSERT" },
  device_credentials: { ingest: "SELECT INSERT UPDATE" },
  cameras: { ingest: "SELECT INSERT UPDATE", correlator: "SELECT UPDATE", gateway: "SELECT" },
  site_recorders: { ingest: "SELECT INSERT UPDATE", gateway: "SELECT" },
  sensors: { ingest: "SELECT INSERT UPDATE", correlator: "SELECT UPDATE", gateway: "SELECT" },
  sensor_datastreams: { ingest: "SELECT INSERT DELETE", gateway: "SELECT" },
  detections: { correlator: "SELECT INSERT", gateway: "SELECT" },
  sensor_readings: { correlator: "SELECT INSERT", gateway: "SELECT" },
  camera_status: { correlator: "SELECT INSERT", gateway: "SELECT" },
  consumer_offsets: { correlator: "SELECT INSERT UPDATE" },
  outbox: { correlator: "SELECT INSERT UPDATE" },
  incidents: { correlator: "SELECT INSERT UPDATE", gateway: "SELECT", alerts: "SELECT" },
  incident_evidence: { correlator: "SELECT INSERT", gateway: "SELECT", alerts: "SELECT" },
  incident_activity: { correlator: "SELECT INSERT", gateway: "SELECT" },
  correlation_rule_versions: { correlator: "SELECT INSERT", gateway: "SELECT INSERT UPDATE" },
  late_events: { correlator: "INSERT" },
  plate_watch_list: { correlator: "SELECT", gateway: "SELECT INSERT UPDATE" },
  case_assist_records: { correlator: "SELECT INSERT DELETE", gateway: "SELECT" },
  case_lookups: { correlator: "SELECT DELETE", gateway: "SELECT INSERT UPDATE" },
  detections_per_minute: { gateway: "SELECT" },
  detections_per_hour: {},
  sensor_stats_5m: { gateway: "SELECT" },
  camera_status_5m: { gateway: "SELECT" },
  camera_maintenance: { correlator: "SELECT", gateway: "SELECT INSERT UPDATE" },
  users: { gateway: "SELECT INSERT UPDATE" },
  sessions: { gateway: "SELECT INSERT UPDATE DELETE" },
  sign_in_throttle: { gateway: "SELECT INSERT UPDATE DELETE" },
  export_jobs: { gateway: "SELECT INSERT UPDATE DELETE" },
  export_chunks: { gateway: "SELECT INSERT DELETE" },
  audit_log: { gateway: "SELECT INSERT", alerts: "SELECT INSERT", auditor: "SELECT" },
  alerts: { alerts: "SELECT INSERT UPDATE" },
  // The gateway reads which messages name an incident (the incident timeline).
  alert_messages: { alerts: "SELECT INSERT UPDATE", gateway: "SELECT" },
  alert_message_steps: { alerts: "SELECT INSERT" },
  alert_deliveries: { alerts: "SELECT INSERT UPDATE" },
  alert_wechat_recipients: { alerts: "SELECT INSERT UPDATE" },
  alert_wechat_tokens: { alerts: "SELECT INSERT UPDATE" },
  alert_partner_imports: { alerts: "SELECT INSERT" },
  legal_holds: { correlator: "SELECT", gateway: "SELECT INSERT" },
  legal_hold_releases: { gateway: "SELECT" },
  // Watch lists run by staff (migration 0031): the gateway proposes, approves and removes; the correlator matches and
  // records hits, which nobody changes afterwards.
  plate_watch_list_extensions: { gateway: "SELECT INSERT UPDATE" },
  watch_list_hits: { correlator: "INSERT", gateway: "SELECT" },
};

/** SECURITY DEFINER functions (owner's rights, narrow purpose) and who may call them; EXECUTE is revoked from PUBLIC. */
export const functionGrants: Record<string, ServiceRoleKey[]> = {
  "request_legal_hold_release(uuid, text, text, text)": ["gateway"],
  "approve_legal_hold_release(uuid, text)": ["gateway"],
  "set_event_policy(text, text, interval)": ["correlator"],
  "decommission_camera(text, text, text)": ["gateway"],
};

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Creates the service roles if missing and grants exactly `tableGrants` and `functionGrants` on what exists (a
 * test's own migrations folder may have fewer tables), in one transaction: no service ever sees half the grants.
 * Needs a migrator with CREATEROLE (or the roles created beforehand) that owns the tables. Returns the tables and
 * views in schema public that have no line in `tableGrants`.
 */
export async function applyDatabaseRoles(client: pg.ClientBase, logger: Logger): Promise<string[]> {
  const roles = Object.values(serviceRoles);
  await client.query("BEGIN");
  try {
    // Serialises two migrators (REVOKE/GRANT of the same objects at once can fail with "tuple concurrently updated",
    // and two CREATE ROLE of one name with a unique violation): the second waits for the first's COMMIT, then finds
    // the roles created (the role query is a new snapshot) and re-grants the same set, which changes nothing.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hub.database-roles'))");
    const existingRoles = await client.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])",
      [roles],
    );
    for (const role of roles.filter((name) => !existingRoles.rows.some((row) => row.rolname === name))) {
      await client.query(`CREATE ROLE ${quote(role)} NOLOGIN`);
    }
    const existing = await listRelations(client);
    const roleList = roles.map(quote).join(", ");
    await client.query(`GRANT USAGE ON SCHEMA public TO ${roleList}`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${roleList}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${roleList}`);
    const inserters = new Map<string, string[]>();
    for (const [table, grants] of Object.entries(tableGrants)) {
      if (!existing.has(table)) continue;
      for (const [key, privileges] of Object.entries(grants) as [ServiceRoleKey, Privileges][]) {
        const list = privileges.split(/\s+/).filter(Boolean);
        await client.query(`GRANT ${list.join(", ")} ON ${quote(table)} TO ${quote(serviceRoles[key])}`);
        if (list.includes("INSERT")) inserters.set(table, [...(inserters.get(table) ?? []), serviceRoles[key]]);
      }
    }
    // The sequences behind serial/identity columns, for the roles that insert into their tables.
    const sequences = await client.query<{ sequence: string; table: string }>(
      `SELECT s.relname AS sequence, t.relname AS table FROM pg_class s
       JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid
       WHERE s.relkind = 'S' AND n.nspname = 'public'`,
    );
    for (const { sequence, table } of sequences.rows) {
      const users = inserters.get(table);
      if (users)
        await client.query(`GRANT USAGE, SELECT ON SEQUENCE ${quote(sequence)} TO ${users.map(quote).join(", ")}`);
    }
    for (const [signature, keys] of Object.entries(functionGrants)) {
      const exists = await client.query("SELECT to_regprocedure($1) IS NOT NULL AS found", [signature]);
      if (!exists.rows[0]?.found) continue;
      await client.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC, ${roleList}`);
      if (keys.length > 0) {
        await client.query(
          `GRANT EXECUTE ON FUNCTION ${signature} TO ${keys.map((key) => quote(serviceRoles[key])).join(", ")}`,
        );
      }
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  const unlisted = [...(await listRelations(client))].filter((name) => !(name in tableGrants)).sort();
  if (unlisted.length > 0) {
    logger.warn(
      { tables: unlisted },
      "tables without a line in services/common/src/db-roles.ts tableGrants: no service may use them",
    );
  }
  return unlisted;
}

async function listRelations(client: pg.ClientBase): Promise<Set<string>> {
  const relations = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')`,
  );
  return new Set(relations.rows.map((row) => row.name));
}
