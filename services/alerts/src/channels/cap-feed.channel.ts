import type { Pool } from "@hub/common";
import type { MessagesRepository } from "../repositories/messages.repository.js";
import type { Channel, ChannelLimits, OutboundMessage, SendResult } from "./channel.js";

export const CAP_FEED_SUBSCRIBER = "atom";

/**
 * The public CAP feed (Atom, as public alert aggregators poll it): delivering a message there means the feed starts
 * listing it, with its CAP document at its own URL. Listing is a database flag, so this channel only fails when the
 * database does.
 */
export class CapFeedChannel implements Channel {
  readonly kind = "cap-feed" as const;
  readonly name = "cap-feed";
  readonly limits: ChannelLimits = {
    concurrency: 4,
    ratePerSecond: 1000,
    maxAttempts: 20,
    backoffBaseMs: 200,
    backoffMaxMs: 10_000,
    timeoutMs: 10_000,
  };

  constructor(
    private readonly pool: Pool,
    private readonly messages: MessagesRepository,
  ) {}

  async subscribers(): Promise<string[]> {
    return [CAP_FEED_SUBSCRIBER];
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    try {
      const listed = await this.messages.markFeedPublished(this.pool, message.messageId);
      return listed
        ? { outcome: "sent", receipt: message.capUrl }
        : { outcome: "permanent", error: "the message is not published" };
    } catch (err) {
      return { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
    }
  }
}
