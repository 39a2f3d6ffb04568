import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { DeliveriesRepository, WeChatTokenRepository } from "@hub/alerts";
import { appendAudit, createPool, type Pool, verifyAuditChain } from "@hub/common";
import { ExportChunksRepository, ExportJobsRepository, SignInAttemptsRepository } from "@hub/gateway";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { infra, testLogger } from "../support/hub.js";

/**
 * The claims and locks that several instances rely on, run from many connections at once. On the embedded database
 * (one transaction at a time) this checks the logic; against a real server (DATABASE_URL, as README "Tests" says)
 * the same statements really run concurrently. The tables are the hub's own, made by its migration files in a
 * schema of this test, from the migrations that need no TimescaleDB, so the file also runs against a plain
 * PostgreSQL (e.g. `DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch`).
 */

const MIGRATIONS = [
  "0006_users_audit.sql",
  "0008_alerts.sql",
  "0010_sign_in_throttle.sql",
  "0013_export_jobs.sql",
  "0017_export_chunks.sql",
  "0018_wechat_token.sql",
];
const schema = `claims_${randomUUID().slice(0, 8)}`;
const CONNECTIONS = 8;
let admin: Pool;
let pool: Pool;
/** The session's search path before this file changed it (see afterAll). */
let originalSearchPath: string | undefined;

beforeAll(async () => {
  admin = createPool(infra().databaseUrl, 1, testLogger);
  originalSearchPath = (await admin.query<{ search_path: string }>("SHOW search_path")).rows[0]?.search_path;
  await admin.query(`CREATE SCHEMA ${schema}`);
  // Every connection of the pool works in the test's schema: set when it connects, before the pool hands it out
  // (on the embedded database, whose connections share one session, the admin's too; nothing else runs meanwhile).
  pool = new pg.Pool({
    connectionString: infra().databaseUrl,
    max: CONNECTIONS,
    // pg-pool awaits the promise before it hands the client out.
    onConnect: async (client: pg.ClientBase) => {
      await client.query(`SET search_path TO ${schema}`);
    },
  });
  const { rows } = await pool.query<{ schema: string }>("SELECT current_schema() AS schema");
  expect(rows[0]?.schema).toBe(schema);
  for (const file of MIGRATIONS)
    await pool.query(
      await readFile(fileURLToPath(new URL(`../../services/common/migrations/${file}`, import.meta.url)), "utf8"),
    );
});

afterAll(async () => {
  await pool?.end();
  // The embedded database is ONE session shared by every connection (infra/src/db-server.ts): the search path set
  // above is everyone's until it is put back. Back to the value read before, not RESET: the embedded server's
  // built-in default is pg_catalog alone, and every later test file then migrated into nowhere ("function by_range
  // does not exist"). On a real server this changes the admin connection's only.
  if (originalSearchPath !== undefined) {
    await admin.query("SELECT set_config('search_path', $1, false)", [originalSearchPath]);
  }
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin?.end();
});

/** `workers` loops at once, each calling `step` until it returns nothing more. */
async function drainConcurrently<T>(workers: number, step: (worker: number) => Promise<T[]>): Promise<T[][]> {
  return Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const taken: T[] = [];
      for (;;) {
        const batch = await step(worker);
        if (batch.length === 0) return taken;
        taken.push(...batch);
      }
    }),
  );
}

describe("claims from many connections at once", { timeout: 120_000 }, () => {
  it("give every due alert delivery to exactly one dispatcher", async () => {
    const alertId = randomUUID();
    const messageId = randomUUID();
    await pool.query("INSERT INTO alerts (id, state, created_by) VALUES ($1, 'active', 'test')", [alertId]);
    await pool.query(
      `INSERT INTO alert_messages (id, alert_id, msg_type, status, identifier, content, drafted_by, approved_by,
         version, sent, cap_xml)
       VALUES ($1, $2, 'Alert', 'published', $3, '{}', 'drafter', 'approver', 1, now(), '<alert/>')`,
      [messageId, alertId, `urn:test:${messageId}`],
    );
    const subscribers = Array.from({ length: 300 }, (_, index) => `s${index}`);
    const deliveries = new DeliveriesRepository(pool);
    await pool.query(
      "INSERT INTO alert_deliveries (message_id, channel, subscriber) SELECT $1, 'webhook:x', unnest($2::text[])",
      [messageId, subscribers],
    );
    const claimed = await drainConcurrently(CONNECTIONS, (worker) =>
      deliveries.claim("webhook:x", `instance-${worker}`, 7, 60_000),
    );
    const all = claimed.flat().map((delivery) => delivery.subscriber);
    expect(all.sort()).toEqual([...subscribers].sort());
    expect(new Set(all).size).toBe(subscribers.length);
    const owners = await pool.query<{ n: number }>(
      "SELECT count(DISTINCT owner)::int AS n FROM alert_deliveries WHERE message_id = $1",
      [messageId],
    );
    expect(owners.rows[0]?.n).toBeGreaterThan(0);
  });

  it("start no more exports than the limits allow, and sweep each expired one once with its chunks", async () => {
    const jobs = new ExportJobsRepository(pool, 120);
    const owner = `inv-${randomUUID().slice(0, 8)}`;
    const claims = await Promise.all(
      Array.from({ length: 12 }, () => {
        const id = randomUUID();
        return jobs.claim(
          {
            id,
            owner,
            recordId: randomUUID(),
            caseReference: "PJ-1",
            purpose: "test",
            totalRows: 1,
            fileName: `${id}.zip`,
            instanceId: "test",
          },
          { perUser: 3, total: 100, keepS: 60 },
        );
      }),
    );
    expect(claims.filter((claim) => claim.started)).toHaveLength(3);

    const chunks = new ExportChunksRepository(pool, 16);
    const expired: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const id = randomUUID();
      expired.push(id);
      await pool.query(
        `INSERT INTO export_jobs (id, owner, record_id, case_reference, purpose, state, file_name, instance_id, expires_at)
         VALUES ($1, 'someone', $2, 'PJ-2', 'test', 'ready', $3, 'test', now() - interval '1 second')`,
        [id, randomUUID(), `${id}.zip`],
      );
      const sink = chunks.create(id);
      await sink.write(new Uint8Array(40).fill(index));
      await sink.commit();
    }
    const removed = await drainConcurrently(4, async () => {
      const taken = await jobs.takeExpired(5);
      return taken > 0 ? [taken] : [];
    });
    expect(removed.flat().reduce((sum, n) => sum + n, 0)).toBe(60);
    const left = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM export_chunks WHERE job_id = ANY($1::uuid[])",
      [expired],
    );
    expect(left.rows[0]?.n).toBe(0);
  });

  it("count every concurrent sign-in failure (no lost update)", async () => {
    const attempts = new SignInAttemptsRepository(pool);
    const key = { scope: "user" as const, key: `user-${randomUUID().slice(0, 8)}` };
    await Promise.all(
      Array.from({ length: 40 }, () =>
        attempts.claim([key], (counters, now) => {
          const counter = counters[0] as (typeof counters)[number];
          return { save: [{ ...counter, failures: counter.failures + 1, lastFailureAt: now }], result: undefined };
        }),
      ),
    );
    expect(await attempts.counter(key.scope, key.key)).toBe(40);
  });

  it("append concurrent audit entries to one unbroken chain", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => appendAudit(pool, { actor: `writer-${index % 4}`, action: "test" })),
    );
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true, entries: 40 });
  });

  it("fetch the WeChat token once, however many instances find it missing at once", async () => {
    const appId = `wx${randomUUID().slice(0, 8)}`;
    let fetches = 0;
    const tokens = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        new WeChatTokenRepository(pool, appId, `instance-${index}`).refresh(async (stored) => {
          if (stored) return stored;
          fetches += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return { value: `token-${index}`, refreshAtMs: Date.now() + 3600_000 };
        }),
      ),
    );
    expect(fetches).toBe(1);
    expect(new Set(tokens.map((token) => token.value)).size).toBe(1);
  });
});
