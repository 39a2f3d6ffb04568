import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AlertsApp, readConfig as alertsConfig, startAlerts } from "@hub/alerts";
import { ALERTING_API, type AlertContent, type MessageView } from "@hub/contracts";
import { verifyStandardWebhook } from "@hub/infra";
import { alertContent } from "./alert-content.js";
import { api, login } from "./gateway.js";
import { infra, serviceDatabase, testLogger } from "./hub.js";

/** A fresh Standard Webhooks secret ("whsec_" + base64 of 24 random bytes). */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

export interface ReceivedWebhook {
  subscriber: string;
  id: string;
  timestamp: number;
  body: unknown;
  at: number;
}

export type ReceiverBehaviour =
  | { kind: "ok" }
  /** Answers `status` to the first `times` requests of each message at each subscriber, then 204. */
  | { kind: "fail"; status: number; times: number }
  /** Never answers the first `times` requests of each message (the sender times out), then 204. */
  | { kind: "hang"; times: number }
  /** Answers after `delayMs`. */
  | { kind: "slow"; delayMs: number };

/**
 * Citizen-app backends as a test sees them: one HTTP server with a path per subscriber (`/hooks/<subscriber>`).
 * Every request's Standard Webhooks signature is verified (a bad one gets 401 and is counted as such); accepted
 * deliveries are recorded with their webhook-id, so a test can count raw requests and distinct messages.
 */
export class WebhookReceivers {
  readonly accepted: ReceivedWebhook[] = [];
  readonly badSignatures: string[] = [];
  requests = 0;
  private readonly seen = new Map<string, number>();
  private readonly hung = new Set<IncomingMessage>();
  private behaviour: Record<string, ReceiverBehaviour> = {};
  private server: Server | undefined;
  url = "";

  constructor(
    private readonly secret: string,
    private readonly fallback: ReceiverBehaviour = { kind: "ok" },
  ) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.requests += 1;
      const subscriber = decodeURIComponent(request.url?.split("/")[2] ?? "");
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const id = String(request.headers["webhook-id"] ?? "");
        const timestamp = Number(request.headers["webhook-timestamp"]);
        const headers = {
          id,
          timestamp: String(request.headers["webhook-timestamp"] ?? ""),
          signature: String(request.headers["webhook-signature"] ?? ""),
        };
        if (!verifyStandardWebhook(this.secret, headers, body)) {
          this.badSignatures.push(subscriber);
          response.writeHead(401).end();
          return;
        }
        // Behaviours count the attempts of each message at each subscriber.
        const count = (this.seen.get(`${subscriber} ${id}`) ?? 0) + 1;
        this.seen.set(`${subscriber} ${id}`, count);
        const behaviour = this.behaviour[subscriber] ?? this.fallback;
        const accept = () => {
          this.accepted.push({ subscriber, id, timestamp, body: JSON.parse(body), at: Date.now() });
          response.writeHead(204).end();
        };
        if (behaviour.kind === "fail" && count <= behaviour.times) response.writeHead(behaviour.status).end();
        else if (behaviour.kind === "hang" && count <= behaviour.times) this.hung.add(request);
        else if (behaviour.kind === "slow") setTimeout(accept, behaviour.delayMs);
        else accept();
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  set(subscriber: string, behaviour: ReceiverBehaviour): void {
    this.behaviour[subscriber] = behaviour;
  }

  urlOf(subscriber: string): string {
    return `${this.url}/hooks/${encodeURIComponent(subscriber)}`;
  }

  /** Accepted deliveries per subscriber, and distinct webhook-ids per subscriber. */
  counts(): Map<string, { accepted: number; distinct: number }> {
    const counts = new Map<string, { accepted: number; ids: Set<string> }>();
    for (const hook of this.accepted) {
      const entry = counts.get(hook.subscriber) ?? { accepted: 0, ids: new Set<string>() };
      entry.accepted += 1;
      entry.ids.add(hook.id);
      counts.set(hook.subscriber, entry);
    }
    return new Map([...counts].map(([key, value]) => [key, { accepted: value.accepted, distinct: value.ids.size }]));
  }

  async stop(): Promise<void> {
    for (const request of this.hung) request.socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** Writes a webhooks file for the given apps and returns its path and the env its secrets need. */
export function webhooksFile(
  apps: { name: string; secret: string; subscribers: { id: string; url: string }[]; limits?: Record<string, number> }[],
): { path: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const file = {
    apps: apps.map((app) => {
      const secretEnv = `TEST_WEBHOOK_SECRET_${app.name.replaceAll("-", "_").toUpperCase()}`;
      env[secretEnv] = app.secret;
      return { name: app.name, secretEnv, subscribers: app.subscribers, ...(app.limits ? { limits: app.limits } : {}) };
    }),
  };
  const path = join(tmpdir(), `webhooks-${randomUUID()}.json`);
  writeFileSync(path, JSON.stringify(file));
  return { path, env };
}

/** The alerts service in this process, on ephemeral ports, against the run's broker and database. */
export async function startTestAlerts(env: Record<string, string> = {}): Promise<AlertsApp & { url: string }> {
  const { brokers } = infra();
  const allEnv = {
    HUB_MODE: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    KAFKA_BROKERS: brokers.join(","),
    ...serviceDatabase("alerts"),
    ALERTS_HOST: "127.0.0.1",
    ALERTS_PORT: "0",
    ALERTS_OPS_PORT: "0",
    ALERTS_INSTANCE_ID: `test-${randomUUID().slice(0, 8)}`,
    ALERTS_DISPATCH_POLL_MS: "100",
    ...env,
  };
  const app = await startAlerts(alertsConfig(allEnv), testLogger, { ...process.env, ...allEnv });
  return { ...app, url: `http://127.0.0.1:${app.port}` };
}

/** Signs in the development drafter and approver of a test gateway. */
export async function alertUsers(gatewayUrl: string): Promise<{ drafter: string; approver: string; operator: string }> {
  const [drafter, approver, operator] = await Promise.all([
    login(gatewayUrl, "drafter"),
    login(gatewayUrl, "approver"),
    login(gatewayUrl, "operator"),
  ]);
  return { drafter: drafter.token, approver: approver.token, operator: operator.token };
}

/** Drafts, submits and approves a message through the gateway; returns the published message. */
export async function publish(
  gatewayUrl: string,
  tokens: { drafter: string; approver: string },
  request:
    | { msgType: "Alert"; content: AlertContent }
    | { msgType: "Update" | "Cancel"; alertId: string; content?: AlertContent },
): Promise<MessageView> {
  const created = await api<MessageView>(gatewayUrl, tokens.drafter, ALERTING_API.messages, {
    method: "POST",
    body: JSON.stringify(request),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const submitted = await api<MessageView>(gatewayUrl, tokens.drafter, ALERTING_API.submit(created.body.id), {
    method: "POST",
    body: JSON.stringify({ revision: created.body.revision }),
  });
  if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const approved = await api<MessageView>(gatewayUrl, tokens.approver, ALERTING_API.approve(created.body.id), {
    method: "POST",
    body: JSON.stringify({ revision: submitted.body.revision }),
  });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
  return approved.body;
}

/** A valid alert: a typhoon-like warning over a circle on the peninsula, expiring in `hours`. */
export function testContent(overrides: Partial<AlertContent> = {}, hours = 6): AlertContent {
  return alertContent(new Date(), overrides, hours);
}
