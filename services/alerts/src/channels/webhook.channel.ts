import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, type Logger } from "@hub/common";
import type { LocalizedText } from "@hub/contracts";
import { z } from "zod";
import { type Channel, type ChannelLimits, deliveryKey, type OutboundMessage, type SendResult } from "./channel.js";

/**
 * Citizen-app backends (the civil-protection app, the One Account app) receive alerts as webhooks following the
 * Standard Webhooks convention (standardwebhooks.com): headers `webhook-id` (the same on every attempt: the
 * receiver's idempotency key), `webhook-timestamp` (seconds) and `webhook-signature` ("v1," + base64 of
 * HMAC-SHA256(secret, id.timestamp.body)); the secret is "whsec_" + base64. Any 2xx is a receipt; 410 Gone means
 * the endpoint is gone for good; anything else, or no answer, is retried with exponential back-off.
 */
export interface WebhookSubscriber {
  id: string;
  url: string;
}

export interface WebhookApp {
  /** e.g. "civil-protection-app", "one-account-app": the channel is "webhook:<name>". */
  name: string;
  secret: string;
  subscribers: WebhookSubscriber[];
  limits: ChannelLimits;
}

const defaultLimits: ChannelLimits = {
  concurrency: 32,
  ratePerSecond: 500,
  maxAttempts: 8,
  backoffBaseMs: 1000,
  backoffMaxMs: 5 * 60_000,
  timeoutMs: 10_000,
};

const fileSchema = z.strictObject({
  apps: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
        /** Environment variable holding the app's signing secret ("whsec_…"): secrets never live in the file. */
        secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
        subscribers: z.array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/), url: z.url() })).min(1),
        limits: z
          .strictObject({
            concurrency: z.number().int().min(1).max(1000),
            ratePerSecond: z.number().positive().max(100_000),
            maxAttempts: z.number().int().min(1).max(50),
            backoffBaseMs: z.number().int().min(10),
            backoffMaxMs: z.number().int().min(10),
            timeoutMs: z.number().int().min(100).max(120_000),
          })
          .partial()
          .optional(),
      }),
    )
    .default([]),
});

const secretPattern = /^whsec_[A-Za-z0-9+/=]{24,}$/;

/** Reads the webhook subscribers file; secrets come from the environment variables it names. */
export function loadWebhookApps(path: string, env: NodeJS.ProcessEnv): WebhookApp[] {
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (err) {
    const detail = err instanceof z.ZodError ? z.prettifyError(err) : String(err);
    throw new ConfigError([`ALERTS_WEBHOOKS_FILE (${path}): ${detail}`]);
  }
  const problems: string[] = [];
  const apps = parsed.apps.map((app) => {
    const secret = env[app.secretEnv] ?? "";
    if (!secretPattern.test(secret)) problems.push(`${app.secretEnv}: must be set to "whsec_" + base64 (≥ 18 bytes)`);
    return { name: app.name, secret, subscribers: app.subscribers, limits: { ...defaultLimits, ...app.limits } };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return apps;
}

/** Standard Webhooks signature of one attempt. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

export interface WebhookPayload {
  type: "alert.published" | "alert.updated" | "alert.cancelled";
  /** ISO-8601: when the message was sent (the same on every attempt). */
  timestamp: string;
  data: {
    alertId: string;
    version: number;
    msgType: OutboundMessage["msgType"];
    identifier: string;
    sender: string;
    sent: string;
    references: string | null;
    severity: string;
    urgency: string;
    certainty: string;
    categories: string[];
    event: LocalizedText;
    headline: LocalizedText;
    description: LocalizedText;
    instruction: LocalizedText;
    expires: string;
    areas: OutboundMessage["content"]["areas"];
    capUrl: string;
    capXml: string;
  };
}

export function webhookPayload(message: OutboundMessage): WebhookPayload {
  const { content } = message;
  return {
    type:
      message.msgType === "Cancel"
        ? "alert.cancelled"
        : message.msgType === "Update"
          ? "alert.updated"
          : "alert.published",
    timestamp: message.sent,
    data: {
      alertId: message.alertId,
      version: message.version,
      msgType: message.msgType,
      identifier: message.identifier,
      sender: message.sender,
      sent: message.sent,
      references: message.references,
      severity: content.severity,
      urgency: content.urgency,
      certainty: content.certainty,
      categories: content.categories,
      event: content.event,
      headline: content.headline,
      description: content.description,
      instruction: content.instruction,
      expires: content.expires,
      areas: content.areas,
      capUrl: message.capUrl,
      capXml: message.capXml,
    },
  };
}

export class WebhookChannel implements Channel {
  readonly kind = "webhook" as const;
  readonly name: string;
  readonly limits: ChannelLimits;
  private readonly urls: Map<string, string>;
  /** The body of a message is the same for every subscriber and attempt: built once. */
  private readonly bodies = new Map<string, string>();

  constructor(
    private readonly app: WebhookApp,
    private readonly logger: Logger,
  ) {
    this.name = `webhook:${app.name}`;
    this.limits = app.limits;
    this.urls = new Map(app.subscribers.map((subscriber) => [subscriber.id, subscriber.url]));
  }

  async subscribers(): Promise<string[]> {
    return [...this.urls.keys()];
  }

  async send(message: OutboundMessage, subscriber: string, attempt: number, signal: AbortSignal): Promise<SendResult> {
    const url = this.urls.get(subscriber);
    if (!url) return { outcome: "permanent", error: `subscriber ${subscriber} is no longer configured` };
    let body = this.bodies.get(message.messageId);
    if (body === undefined) {
      body = JSON.stringify(webhookPayload(message));
      if (this.bodies.size > 100) this.bodies.clear();
      this.bodies.set(message.messageId, body);
    }
    const id = deliveryKey(message);
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "macao-event-hub-alerts/0.1",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(this.app.secret, id, timestamp, body),
        },
        body,
        signal,
        redirect: "error",
      });
      // Drain the body so the connection goes back to the pool.
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { outcome: "retry", error: `${url}: ${cause ?? (err instanceof Error ? err.message : String(err))}` };
    }
    if (response.ok) return { outcome: "sent", receipt: `HTTP ${response.status}` };
    if (response.status === 410) return { outcome: "permanent", error: `HTTP 410 Gone from ${url}` };
    const retryAfter = Number(response.headers.get("retry-after"));
    this.logger.debug({ subscriber, attempt, status: response.status }, "webhook refused");
    return {
      outcome: "retry",
      error: `HTTP ${response.status} from ${url}`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter, 3600) * 1000 } : {}),
    };
  }
}
