/**
 * npm run bench:alerts — from a civil-protection officer's approval to the last citizen who has the warning:
 *   - 100 citizen-app webhook subscribers (two apps of 50, Standard Webhooks, signatures verified by the receivers);
 *   - 5,000 clients of the public alert page (Socket.IO namespace /public on the gateway).
 *   - the public alert page itself, open in Debian's chromium on a phone viewport (playwright-core, as the browser
 *     tests drive it): the alert's card shown on the page.
 * Time is measured from the moment the approver's POST …/approve leaves the bench to each receipt. Goal: every
 * subscriber and every client within 2 s of approval, and the card on the public page within 2 s. This is where
 * that goal is checked; the browser test (test/integration/alerts-browser.test.ts) only checks that it happens.
 *
 * Baselines, on the same machine in the same run: a bare loop POSTing the same signed payload to the same 100
 * receivers (32 at a time per app, the channel's default concurrency), and a bare Socket.IO server broadcasting the
 * same public-alert payload to 5,000 clients. The ratios say what the hub's path (approval transaction, outbox,
 * dispatcher, Kafka, gateway) costs over sending alone.
 *
 * Environment: BENCH_ROUNDS (alerts approved one after another, default 5), BENCH_CLIENTS (default 5000),
 * BENCH_SUBSCRIBERS (default 100), KAFKA_BROKERS / DATABASE_URL to use existing infrastructure. The npm script
 * raises the open-file limit (5,000 clients need ~5,300 descriptors in the gateway and the swarm's workers).
 */
import { createHmac, randomUUID } from "node:crypto";
import { createLogger } from "@hub/common";
import type { LoginResponse } from "@hub/contracts";
import { ALERTING_API, type MessageView, PUBLIC_ALERTS, type PublicAlertView } from "@hub/contracts";
import { testContent, WebhookReceivers, webhookSecret, webhooksFile } from "../support/alerts.js";
import { launchBrowser } from "../support/browser.js";
import { checkOpenFileLimit, nowMs, startBareServer, startClientSwarm, summarizeLatencies } from "./fanout-support.js";
import { startBenchHub, startBenchService } from "./support.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const clientCount = Number(process.env.BENCH_CLIENTS ?? 5000);
const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const GOAL_MS = 2000;
const CONCURRENCY = 32;
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = "bench-password";
const gatewayUrl = "http://127.0.0.1:8182";
const alertsUrl = "http://127.0.0.1:8183";

interface Round {
  approvalAnsweredMs: number;
  webhooksLastMs: number;
  webhooksP50Ms: number;
  webhooksReceived: number;
  clientsP50Ms: number;
  clientsP99Ms: number;
  clientsLastMs: number;
  clientsReceived: number;
  /** The alert's card on the public page in chromium; NaN if it did not show within 10 s. */
  pageShownMs: number;
}

async function main() {
  checkOpenFileLimit(clientCount + 300, `${clientCount} public clients`);
  const hub = await startBenchHub("hub-bench-alerts-", log, logger);
  const { cleanups } = hub;
  try {
    const secret = webhookSecret();
    const receivers = await new WebhookReceivers(secret).start();
    cleanups.unshift(() => receivers.stop());
    const half = Math.ceil(subscriberCount / 2);
    const apps = [
      { name: "civil-protection-app", count: half },
      { name: "one-account-app", count: subscriberCount - half },
    ].map((app) => ({
      name: app.name,
      secret,
      subscribers: Array.from({ length: app.count }, (_, i) => {
        const id = `${app.name}-${String(i).padStart(3, "0")}`;
        return { id, url: receivers.urlOf(id) };
      }),
    }));
    const file = webhooksFile(apps);
    await startBenchService(hub, {
      name: "alerts",
      opsPort: 9587,
      env: {
        ALERTS_HOST: "127.0.0.1",
        ALERTS_PORT: "8183",
        ALERTS_OPS_PORT: "9587",
        ALERTS_WEBHOOKS_FILE: file.path,
        ALERTS_PUBLIC_BASE_URL: gatewayUrl,
        ...file.env,
      },
      log,
    });
    await startBenchService(hub, {
      name: "gateway",
      opsPort: 9586,
      env: {
        GATEWAY_HOST: "127.0.0.1",
        GATEWAY_PORT: "8182",
        GATEWAY_OPS_PORT: "9586",
        DEV_USER_PASSWORD: PASSWORD,
        ALERTS_URL: alertsUrl,
      },
      log,
    });
    const [drafter, approver] = await Promise.all([signIn("drafter"), signIn("approver")]);

    log(`${clientCount} clients on the public page's namespace…`);
    const swarm = await startClientSwarm({
      url: `${gatewayUrl}${PUBLIC_ALERTS.socketNamespace}`,
      count: clientCount,
      events: { "alert:changed": { id: "identifier", sentAt: "sent" } },
      log,
    });
    cleanups.unshift(() => swarm.close());

    log("chromium: the public alert page on a phone viewport…");
    const browser = await launchBrowser();
    cleanups.unshift(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${gatewayUrl}${PUBLIC_ALERTS.page}`);
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 60_000 });
    await sleep(1500);

    // ---- The hub: draft and submit (untimed), then approval → every webhook subscriber and public client ----
    const results: Round[] = [];
    let lastBody: unknown;
    let lastPublic: PublicAlertView | undefined;
    const published: MessageView[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const pending = await draftAndSubmit(drafter);
      await swarm.reset();
      receivers.accepted.length = 0;
      // Watched before the approval leaves, so that the page's figure starts from the same moment as the others.
      const shownOnPage = page
        .locator(`[data-testid="public-alert"][data-alert-id="${pending.alertId}"]`)
        .waitFor({ timeout: 10_000 })
        .then(
          () => nowMs(),
          () => Number.NaN,
        );
      const approveAt = nowMs();
      const approved = await call<MessageView>(approver, ALERTING_API.approve(pending.id), {
        revision: pending.revision,
      });
      const approvalAnsweredMs = nowMs() - approveAt;
      published.push(approved);
      // Wait until every subscriber has it (or 10 s), and a moment for the clients.
      const deadline = Date.now() + 10_000;
      while (new Set(receivers.accepted.map((hook) => hook.subscriber)).size < subscriberCount) {
        if (Date.now() > deadline) break;
        await sleep(20);
      }
      await sleep(1500);
      const pageShownMs = (await shownOnPage) - approveAt;
      const hooks = receivers.accepted.filter(
        (hook) => (hook.body as { data?: { identifier?: string } }).data?.identifier === approved.identifier,
      );
      lastBody = hooks[0]?.body;
      const hookDelays = hooks.map((hook) => hook.at - approveAt).sort((a, b) => a - b);
      const collected = await swarm.collect("alert:changed", { reset: true });
      // Each payload carries the CAP `sent` (whole seconds): receive time = sent + (receive − sent).
      const sentMs = Date.parse(approved.sent ?? "");
      const clientDelays = collected.latenciesMs.map((latency) => sentMs + latency - approveAt);
      const clients = summarizeLatencies(clientDelays);
      results.push({
        approvalAnsweredMs,
        webhooksLastMs: hookDelays.at(-1) ?? Number.NaN,
        webhooksP50Ms: hookDelays[Math.floor(hookDelays.length / 2)] ?? Number.NaN,
        webhooksReceived: new Set(hooks.map((hook) => hook.subscriber)).size,
        clientsP50Ms: clients.p50,
        clientsP99Ms: clients.p99,
        clientsLastMs: clients.max,
        clientsReceived: collected.deliveries,
        pageShownMs,
      });
      const shown = (await (await fetch(`${gatewayUrl}${PUBLIC_ALERTS.json}`)).json()) as PublicAlertView[];
      lastPublic = shown.find((alert) => alert.identifier === approved.identifier);
      log(
        `round ${round}: webhooks last ${fmt(hookDelays.at(-1))} (${hooks.length}), clients p99 ${fmt(clients.p99)} last ${fmt(clients.max)} (${collected.deliveries}), public page ${fmt(pageShownMs)}`,
      );
    }
    await swarm.close();
    await browser.close();
    for (const message of published) await cancel(drafter, approver, message.alertId);

    // ---- Baseline 1: a bare loop POSTing the same payload, signed the same way, to the same receivers ----
    const body = JSON.stringify(lastBody ?? { type: "alert.published" });
    const bareHooks: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      receivers.accepted.length = 0;
      const start = nowMs();
      await Promise.all(
        apps.map(async (app) => {
          const queue = [...app.subscribers];
          await Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              for (let next = queue.shift(); next; next = queue.shift()) await post(next.url, secret, body);
            }),
          );
        }),
      );
      bareHooks.push(Math.max(...receivers.accepted.map((hook) => hook.at)) - start);
    }

    // ---- Baseline 2: a bare Socket.IO server broadcasting the same public-alert payload to as many clients ----
    const bare = await startBareServer(0, { pingInterval: 25_000, pingTimeout: 20_000 });
    cleanups.unshift(() => bare.close());
    log(`${clientCount} clients on a bare Socket.IO server…`);
    const bareSwarm = await startClientSwarm({
      url: bare.url,
      count: clientCount,
      events: { "alert:changed": { id: "identifier", sentAt: "sent" } },
      log,
    });
    cleanups.unshift(() => bareSwarm.close());
    await sleep(1500);
    const bareClients: { p50: number; p99: number; max: number; received: number }[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      await bareSwarm.reset();
      const payload = {
        ...(lastPublic ?? {}),
        identifier: `bare-${randomUUID()}`,
        sent: new Date(nowMs()).toISOString(),
      };
      bare.broadcast("alert:changed", payload);
      await sleep(1500);
      const collected = await bareSwarm.collect("alert:changed", { reset: true });
      const summary = summarizeLatencies(collected.latenciesMs);
      bareClients.push({ p50: summary.p50, p99: summary.p99, max: summary.max, received: collected.deliveries });
    }
    await bareSwarm.close();

    // ---- Report ----
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const hubHooks = median(results.map((r) => r.webhooksLastMs));
    const hubClients = median(results.map((r) => r.clientsLastMs));
    const hubClientsP99 = median(results.map((r) => r.clientsP99Ms));
    const bareHook = median(bareHooks);
    const bareClientLast = median(bareClients.map((r) => r.max));
    const bareClientP99 = median(bareClients.map((r) => r.p99));
    const hubPage = median(results.map((r) => r.pageShownMs));
    const worst = Math.max(...results.map((r) => Math.max(r.webhooksLastMs, r.clientsLastMs, r.pageShownMs)));
    const everyone = results.every(
      (r) =>
        r.webhooksReceived === subscriberCount && r.clientsReceived === clientCount && !Number.isNaN(r.pageShownMs),
    );
    console.log(
      `\nbench:alerts — approval → delivery on this machine, ${subscriberCount} webhook subscribers and ${clientCount} public-page clients, ${rounds} alerts`,
    );
    console.log("per alert (ms after the approver's request left):");
    results.forEach((r, index) => {
      console.log(
        `  alert ${index + 1}: approval answered ${fmt(r.approvalAnsweredMs)}   webhooks p50 ${fmt(r.webhooksP50Ms)} last ${fmt(r.webhooksLastMs)} (${r.webhooksReceived}/${subscriberCount})   public clients p50 ${fmt(r.clientsP50Ms)} p99 ${fmt(r.clientsP99Ms)} last ${fmt(r.clientsLastMs)} (${r.clientsReceived}/${clientCount})   public page in chromium ${fmt(r.pageShownMs)}`,
      );
    });
    console.log("median of the alerts, side by side with the baselines:");
    console.log(
      `  webhooks, last of ${subscriberCount}:   hub ${fmt(hubHooks)}   bare POST loop ${fmt(bareHook)}   ratio ${(hubHooks / bareHook).toFixed(2)}`,
    );
    console.log(
      `  public clients, p99 of ${clientCount}: hub ${fmt(hubClientsP99)}   bare Socket.IO broadcast ${fmt(bareClientP99)}   ratio ${(hubClientsP99 / bareClientP99).toFixed(2)}`,
    );
    console.log(
      `  public clients, last:        hub ${fmt(hubClients)}   bare Socket.IO broadcast ${fmt(bareClientLast)}   ratio ${(hubClients / bareClientLast).toFixed(2)}`,
    );
    console.log(
      `  public page in chromium:     hub ${fmt(hubPage)}   (the card shown on a phone viewport; goal ${GOAL_MS} ms)`,
    );
    console.log(
      `goal: every subscriber, client and the public page within ${GOAL_MS} ms of approval: ${everyone && worst <= GOAL_MS ? "met" : "NOT met"} (worst ${fmt(worst)}${everyone ? "" : ", some did not receive it"})`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

const fmt = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "—" : `${ms.toFixed(0)} ms`);

async function signIn(username: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in ${username}: ${response.status}`);
  return ((await response.json()) as LoginResponse).token;
}

async function call<T>(token: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function draftAndSubmit(drafter: string): Promise<MessageView> {
  const created = await call<MessageView>(drafter, ALERTING_API.messages, {
    msgType: "Alert",
    content: testContent(),
  });
  return call<MessageView>(drafter, ALERTING_API.submit(created.id), { revision: created.revision });
}

async function cancel(drafter: string, approver: string, alertId: string): Promise<void> {
  const created = await call<MessageView>(drafter, ALERTING_API.messages, { msgType: "Cancel", alertId });
  const submitted = await call<MessageView>(drafter, ALERTING_API.submit(created.id), { revision: created.revision });
  await call<MessageView>(approver, ALERTING_API.approve(created.id), { revision: submitted.revision });
}

/** One Standard Webhooks delivery, as the channel sends it: id, timestamp, HMAC-SHA256 over "id.timestamp.body". */
async function post(url: string, secret: string, body: string): Promise<void> {
  const id = `msg_${randomUUID().replaceAll("-", "")}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": `v1,${signature}`,
    },
    body,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`bare POST ${url}: ${response.status}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
