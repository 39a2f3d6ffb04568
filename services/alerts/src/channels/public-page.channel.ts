import { type Kafka, topics } from "@hub/common";
import { PublicAlertRecord } from "@hub/proto";
import { Partitioners, type Producer } from "kafkajs";
import type { PublicAlertSource } from "../services/public-record.js";
import { publicAlert } from "../services/public-record.js";
import type { Channel, ChannelLimits, OutboundMessage, SendResult } from "./channel.js";

export const PUBLIC_PAGE_SUBSCRIBER = topics.alerts.name;

/**
 * The public alert page and the command-centre map: the alert's current state goes to the compacted topic
 * hub.alerts.v1, from which every gateway pushes it to its Socket.IO clients. What is published is the alert as it
 * stands when the attempt runs (not as it stood when the message was approved), so a late retry can never put back an
 * older state; consumers keep the highest version.
 */
export class PublicPageChannel implements Channel {
  readonly kind = "public-page" as const;
  readonly name = "public-page";
  readonly limits: ChannelLimits = {
    concurrency: 8,
    ratePerSecond: 1000,
    maxAttempts: 20,
    backoffBaseMs: 200,
    backoffMaxMs: 10_000,
    timeoutMs: 15_000,
  };

  private constructor(
    private readonly producer: Producer,
    private readonly current: (alertId: string) => Promise<PublicAlertSource | undefined>,
  ) {}

  static async start(
    kafka: Kafka,
    current: (alertId: string) => Promise<PublicAlertSource | undefined>,
  ): Promise<PublicPageChannel> {
    // Not kafkajs's idempotent mode: that wants unlimited retries, and a send here must end (the dispatcher retries
    // it, with back-off, as for any channel). A record repeated by such a retry is harmless: it is the alert's whole
    // current state with its version, which consumers merge by version. acks=all, one request in flight: in order.
    const producer = kafka.producer({
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    await producer.connect();
    return new PublicPageChannel(producer, current);
  }

  async subscribers(): Promise<string[]> {
    return [PUBLIC_PAGE_SUBSCRIBER];
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const source = await this.current(message.alertId);
    if (!source) return { outcome: "permanent", error: `alert ${message.alertId} has nothing published` };
    return this.publish(source);
  }

  /** Also used by the expiry sweep. */
  async publish(source: PublicAlertSource): Promise<SendResult> {
    try {
      const [meta] = await this.producer.send({
        topic: topics.alerts.name,
        acks: -1,
        messages: [
          {
            key: source.alertId,
            value: Buffer.from(PublicAlertRecord.encode({ alert: publicAlert(source) }).finish()),
            headers: { "hub-type": "hub.v1.PublicAlertRecord", "hub-event-id": `${source.alertId}:${source.revision}` },
          },
        ],
      });
      return { outcome: "sent", receipt: `${topics.alerts.name}/${meta?.partition ?? "?"}@${meta?.baseOffset ?? "?"}` };
    } catch (err) {
      return { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
