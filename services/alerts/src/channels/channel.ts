import type { AlertContent, CapMessageType, ChannelKind } from "@hub/contracts";

/**
 * One published CAP message as every channel receives it. `deliveryKey(message)` is stable across
 * attempts and restarts: channels that can pass an idempotency key to the far side (webhooks' `webhook-id`) pass it.
 */
export interface OutboundMessage {
  /** The message's uuid (alert_messages.id). */
  messageId: string;
  alertId: string;
  /** The alert's version this message made (1, 2, …). */
  version: number;
  msgType: CapMessageType;
  /** CAP identifier and sender. */
  identifier: string;
  sender: string;
  /** ISO-8601, the CAP `<sent>`. */
  sent: string;
  references: string | null;
  content: AlertContent;
  /** The CAP 1.2 document as published (signed if signing is configured). */
  capXml: string;
  /** Absolute URL of the CAP document on the public feed. */
  capUrl: string;
}

/** How one attempt ended. The dispatcher turns it into the delivery's next state. */
export type SendResult =
  /** Delivered; `receipt` is what the far side gave back (HTTP status, WeChat msgid, Kafka offset…). */
  | { outcome: "sent"; receipt: string }
  /** Failed; try again after the back-off (or `retryAfterMs` when the far side said so). Counts as an attempt. */
  | { outcome: "retry"; error: string; retryAfterMs?: number }
  /** Not attempted, or refused for a reason that is not this delivery's fault (e.g. the daily quota is used up):
   * try again at `untilMs` (epoch ms) without counting an attempt. */
  | { outcome: "defer"; error: string; untilMs: number }
  /** Will never succeed (e.g. the recipient unsubscribed): dead now, no more attempts. */
  | { outcome: "permanent"; error: string };

export interface ChannelLimits {
  /** Sends in flight at once. */
  concurrency: number;
  /** Sends started per second (token bucket, burst = concurrency). */
  ratePerSecond: number;
  /** Attempts before a delivery is dead. */
  maxAttempts: number;
  /** Exponential back-off: base × 2^(attempt-1), capped, with ±20 % jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** An attempt that has not finished after this long is abandoned as failed. */
  timeoutMs: number;
}

/**
 * A delivery channel: an adapter with its own limits, retries and receipts. The dispatcher owns persistence,
 * scheduling and back-off; a channel only knows how to reach its subscribers.
 */
export interface Channel {
  /** Unique, stable: part of every delivery's key, e.g. "webhook:civil-protection-app". */
  readonly name: string;
  readonly kind: ChannelKind;
  readonly limits: ChannelLimits;
  /** Who gets a message published now: called once per message, inside the approval's transaction. */
  subscribers(): Promise<string[]>;
  /** One attempt to deliver `message` to `subscriber`. Must not throw for delivery failures: return a result. */
  send(message: OutboundMessage, subscriber: string, attempt: number, signal: AbortSignal): Promise<SendResult>;
  /** Release connections and timers. */
  close?(): Promise<void>;
}

/** The key a far side can use to drop a repeat of the same delivery (webhook-id): the same for every attempt. */
export function deliveryKey(message: OutboundMessage): string {
  return `msg_${message.messageId.replaceAll("-", "")}`;
}
