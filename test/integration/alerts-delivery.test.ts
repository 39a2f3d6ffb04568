import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { DEV_ALERTS_TOKEN, type Pool } from "@hub/common";
import { ALERTING_API, type MessageView } from "@hub/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveriesRepository } from "../../services/alerts/src/repositories/deliveries.repository.js";
import { startTestAlerts, testContent, WebhookReceivers, webhookSecret, webhooksFile } from "../support/alerts.js";
import { freePort, infra, migratedPool, serviceDatabase, settles } from "../support/hub.js";
import { startWeChatStandIn, type WeChatStandIn } from "../support/wechat-standin.js";

/**
 * Delivery under failure, straight against the alerts service's API (the gateway is not needed here): the service
 * SIGKILLed in the middle of a fan-out and restarted, and WeChat's token expiry, rate limit and daily quota.
 */
let pool: Pool;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  pool = await migratedPool();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await pool?.end();
});

/** Calls the alerts API as the gateway would, for a given user. */
async function call<T>(base: string, user: string, roles: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${DEV_ALERTS_TOKEN}`,
      "x-hub-user": user,
      "x-hub-roles": roles,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function publishDirect(base: string): Promise<MessageView> {
  const draft = await call<MessageView>(base, "drafter", "alert_drafter", ALERTING_API.messages, {
    msgType: "Alert",
    content: testContent(),
  });
  if (draft.status !== 201) throw new Error(JSON.stringify(draft.body));
  const submitted = await call<MessageView>(base, "drafter", "alert_drafter", ALERTING_API.submit(draft.body.id), {
    revision: draft.body.revision,
  });
  const approved = await call<MessageView>(base, "approver", "alert_approver", ALERTING_API.approve(draft.body.id), {
    revision: submitted.body.revision,
  });
  if (approved.status !== 200) throw new Error(JSON.stringify(approved.body));
  return approved.body;
}

async function startAlertsProcess(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "services/alerts/src/main.ts"], {
    env: {
      ...process.env,
      HUB_MODE: "test",
      LOG_LEVEL: "error",
      KAFKA_BROKERS: infra().brokers.join(","),
      ...serviceDatabase("alerts"),
      ALERTS_HOST: "127.0.0.1",
      ALERTS_PORT: String(port),
      ALERTS_OPS_PORT: "0",
      ALERTS_DISPATCH_POLL_MS: "100",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  await settles(async () => {
    expect((await fetch(`http://127.0.0.1:${port}/cap/feed.atom`)).ok).toBe(true);
  }, 60_000);
  return child;
}

describe("a restart in the middle of a fan-out", () => {
  it("sends nothing twice (per webhook-id) and skips nobody", async () => {
    const secret = webhookSecret();
    // Slow receivers and a small window keep the fan-out going long enough to be killed in the middle of it.
    const receivers = await new WebhookReceivers(secret, { kind: "slow", delayMs: 150 }).start();
    const app = `crash-app-${randomUUID().slice(0, 6)}`;
    const subscribers = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    const file = webhooksFile([
      {
        name: app,
        secret,
        subscribers: subscribers.map((id) => ({ id, url: receivers.urlOf(id) })),
        limits: { concurrency: 4, ratePerSecond: 1000, backoffBaseMs: 100, backoffMaxMs: 500 },
      },
    ]);
    const instance = `crash-${randomUUID().slice(0, 6)}`;
    const port = await freePort();
    const env = { ALERTS_WEBHOOKS_FILE: file.path, ...file.env, ALERTS_INSTANCE_ID: instance };
    const first = await startAlertsProcess({ ...env, ALERTS_CRASH_AFTER_SENDS: "15" }, port);
    const exited = new Promise<number | null>((resolve) => first.once("exit", (code) => resolve(code)));
    const message = await publishDirect(`http://127.0.0.1:${port}`);
    await exited;
    const sentBeforeRestart = receivers.accepted.length;
    expect(sentBeforeRestart).toBeGreaterThan(5);
    expect(sentBeforeRestart).toBeLessThan(subscribers.length);
    const { rows: midway } = await pool.query<{ state: string; n: number }>(
      "SELECT state, count(*)::int AS n FROM alert_deliveries WHERE message_id = $1 AND channel = $2 GROUP BY state",
      [message.id, `webhook:${app}`],
    );
    expect(midway.find((row) => row.state === "sent")?.n ?? 0).toBeLessThan(subscribers.length);

    // Restarted under the same instance id: what it was sending is due again at once.
    const second = await startAlertsProcess(env, port);
    await settles(async () => {
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM alert_deliveries WHERE message_id = $1 AND channel = $2 AND state = 'sent'",
        [message.id, `webhook:${app}`],
      );
      expect(rows[0]?.n).toBe(subscribers.length);
    }, 30_000);
    const counts = receivers.counts();
    expect([...counts.keys()].sort()).toEqual(subscribers);
    for (const [subscriber, count] of counts) {
      // One message per subscriber: a repeat can only be a send that was in flight when the process died, and it
      // carries the same webhook-id, so the receiver drops it.
      expect(count.distinct, subscriber).toBe(1);
    }
    const repeats = [...counts.values()].reduce((sum, count) => sum + count.accepted - 1, 0);
    expect(repeats).toBeLessThanOrEqual(4);
    expect(receivers.badSignatures).toEqual([]);
    second.kill("SIGTERM");
    await receivers.stop();
  });
});

describe("delivery outcomes", () => {
  it("writes outcomes that arrive together, each fenced by the attempt it claimed (a stale one changes nothing)", async () => {
    const alerts = await startTestAlerts();
    try {
      const message = await publishDirect(alerts.url);
      const repository = new DeliveriesRepository(pool);
      // A channel no worker serves: this test does the claiming.
      const channel = `test-outcomes-${randomUUID().slice(0, 8)}`;
      await repository.enqueue(pool, message.id, channel, ["s1", "s2", "s3", "s4", "s5"]);
      const first = await repository.claim(channel, "owner-a", 10, 60_000);
      expect(first.map((claim) => [claim.subscriber, claim.attempts])).toEqual([
        ["s1", 1],
        ["s2", 1],
        ["s3", 1],
        ["s4", 1],
        ["s5", 1],
      ]);
      // s5's lease runs out and another worker takes it over (attempt 2).
      await pool.query(
        "UPDATE alert_deliveries SET lease_until = now() - interval '1 second' WHERE channel = $1 AND subscriber = 's5'",
        [channel],
      );
      const takeover = await repository.claim(channel, "owner-b", 10, 60_000);
      expect(takeover.map((claim) => [claim.subscriber, claim.attempts])).toEqual([["s5", 2]]);

      const claimOf = (subscriber: string) =>
        first.find((claim) => claim.subscriber === subscriber) as (typeof first)[0];
      const later = new Date(Date.now() + 60_000);
      const written = await Promise.all([
        repository.record(claimOf("s1"), { state: "sent", receipt: "HTTP 204" }),
        repository.record(claimOf("s2"), { state: "failed", error: "HTTP 503", nextAttemptAt: later }),
        repository.record(claimOf("s3"), { state: "dead", error: "HTTP 410 Gone" }),
        repository.record(claimOf("s4"), { state: "deferred", error: "quota", nextAttemptAt: later }),
        // The first worker's late answer for s5 must not overwrite the second worker's attempt.
        repository.record(claimOf("s5"), { state: "dead", error: "stale" }),
        repository.record(takeover[0] as (typeof takeover)[0], { state: "sent", receipt: "HTTP 200" }),
      ]);
      expect(written).toEqual([true, true, true, true, false, true]);

      const { rows } = await pool.query<{
        subscriber: string;
        state: string;
        attempts: number;
        receipt: string | null;
        last_error: string | null;
        next_at: boolean;
        lease_until: Date | null;
      }>(
        `SELECT subscriber, state, attempts, receipt, last_error, next_attempt_at = $2 AS next_at, lease_until
         FROM alert_deliveries WHERE channel = $1 ORDER BY subscriber`,
        [channel, later],
      );
      expect(
        rows.map(({ subscriber, state, attempts, receipt, last_error }) => ({
          subscriber,
          state,
          attempts,
          receipt,
          last_error,
        })),
      ).toEqual([
        { subscriber: "s1", state: "sent", attempts: 1, receipt: "HTTP 204", last_error: null },
        { subscriber: "s2", state: "failed", attempts: 1, receipt: null, last_error: "HTTP 503" },
        { subscriber: "s3", state: "dead", attempts: 1, receipt: null, last_error: "HTTP 410 Gone" },
        // Deferred: not an attempt; pending again at the given time.
        { subscriber: "s4", state: "pending", attempts: 0, receipt: null, last_error: "quota" },
        { subscriber: "s5", state: "sent", attempts: 2, receipt: "HTTP 200", last_error: null },
      ]);
      expect(rows.filter((row) => row.next_at).map((row) => row.subscriber)).toEqual(["s2", "s4"]);
      expect(rows.every((row) => row.lease_until === null)).toBe(true);
    } finally {
      await alerts.stop();
    }
  });
});

describe("the WeChat channel through the dispatcher", () => {
  let wechat: WeChatStandIn;
  const followers = Array.from(
    { length: 24 },
    (_, i) => `oFollower${String(i).padStart(3, "0")}${randomUUID().slice(0, 4)}`,
  );

  beforeAll(async () => {
    wechat = await startWeChatStandIn({ followers });
    await pool.query("UPDATE alert_wechat_recipients SET unsubscribed_at = now() WHERE unsubscribed_at IS NULL");
    await pool.query("INSERT INTO alert_wechat_recipients (openid) SELECT unnest($1::text[])", [followers]);
  });

  afterAll(async () => {
    await pool.query("UPDATE alert_wechat_recipients SET unsubscribed_at = now() WHERE openid = ANY($1)", [followers]);
    await wechat?.close();
  });

  it("reaches every follower once through a token expiry and busy answers, and waits out an exhausted quota", async () => {
    const alerts = await startTestAlerts({
      ALERTS_WECHAT_API_BASE: wechat.url,
      ALERTS_WECHAT_APP_ID: wechat.appId,
      ALERTS_WECHAT_APP_SECRET: wechat.appSecret,
      ALERTS_WECHAT_TEMPLATE_ID: wechat.templateId,
    });
    try {
      // Tokens expire in the middle of the fan-out, and WeChat is busy (-1) for a few calls.
      wechat.afterAccepted(6, () => {
        wechat.expireTokens();
        wechat.failNext(-1, 3);
      });
      const message = await publishDirect(alerts.url);
      await settles(async () => {
        for (const openid of followers) expect(wechat.acceptedFor(openid), openid).toHaveLength(1);
      }, 30_000);
      expect(wechat.calls().token).toBe(2);
      const { rows } = await pool.query<{ state: string; n: number }>(
        "SELECT state, count(*)::int AS n FROM alert_deliveries WHERE message_id = $1 AND channel = 'wechat' GROUP BY state",
        [message.id],
      );
      expect(rows).toEqual([{ state: "sent", n: followers.length }]);

      // The daily quota runs out: deliveries wait, uncounted, until 00:00 in China Standard Time.
      wechat.setDailyQuota(wechat.accepted.length + 5);
      const second = await publishDirect(alerts.url);
      await settles(async () => {
        const { rows: waiting } = await pool.query<{ n: number; attempts: number; next: Date }>(
          `SELECT count(*)::int AS n, max(attempts) AS attempts, min(next_attempt_at) AS next FROM alert_deliveries
           WHERE message_id = $1 AND channel = 'wechat' AND state = 'pending' AND last_error IS NOT NULL`,
          [second.id],
        );
        expect(waiting[0]?.n).toBe(followers.length - 5);
        expect(waiting[0]?.attempts).toBe(0);
        const next = waiting[0]?.next as Date;
        // Midnight UTC+8 is 16:00 UTC.
        expect(next.getUTCHours()).toBe(16);
        expect(next.getUTCMinutes()).toBe(0);
        expect(next.getTime()).toBeGreaterThan(Date.now());
      }, 20_000);
    } finally {
      await alerts.stop();
    }
  });
});

describe("npm run alerts:wechat-recipients", () => {
  const cli = new URL("../../services/alerts/dist/src/cli/wechat-recipients.js", import.meta.url).pathname;
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], {
        env: { ...process.env, DATABASE_URL: infra().databaseUrl },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
  const stateOf = async (openids: string[]) =>
    (
      await pool.query<{ openid: string; active: boolean }>(
        "SELECT openid, unsubscribed_at IS NULL AS active FROM alert_wechat_recipients WHERE openid = ANY($1) ORDER BY openid",
        [openids],
      )
    ).rows;

  it("adds, lists and removes followers, and refuses a bad openid without writing anything", async () => {
    const tag = randomUUID().slice(0, 6);
    const [a, b] = [`oCliA${tag}`, `oCliB${tag}`];
    const refused = await run("add", a, "not an openid!");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"not an openid!"');
    expect(await stateOf([a])).toEqual([]);

    expect((await run("add", a, b)).stderr).toContain("added 2 of 2");
    expect((await run("add", a)).stderr).toContain("added 0 of 1");
    expect((await run("list")).stdout.split("\n")).toEqual(expect.arrayContaining([a, b]));
    expect((await run("remove", b)).stderr).toContain("removed 1 of 1");
    expect(await stateOf([a, b])).toEqual([
      { openid: a, active: true },
      { openid: b, active: false },
    ]);
    expect((await run("list")).stdout.split("\n")).not.toContain(b);
    expect((await run("frobnicate")).code).toBe(2);
    await pool.query("UPDATE alert_wechat_recipients SET unsubscribed_at = now() WHERE openid = $1", [a]);
  });
});
