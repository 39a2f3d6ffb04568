import type { PoolClient } from "@hub/common";

export interface OutboxMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Header naming the outbox row a relayed record came from: consumers drop a repeat after a relay crash. */
export const OUTBOX_ID_HEADER = "hub-outbox-id";

/**
 * The transactional outbox: `add` writes messages in the caller's transaction; OutboxRelayRepository publishes them
 * to Kafka in id order and marks them published. A relay crash between publishing and marking re-publishes the same
 * rows, which carry their outbox id so that a consumer can tell.
 */
export class OutboxRepository {
  async add(client: PoolClient, messages: OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await client.query(
      `INSERT INTO outbox (topic, key, value, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[])`,
      [
        messages.map((m) => m.topic),
        messages.map((m) => m.key),
        messages.map((m) => m.value),
        messages.map((m) => JSON.stringify(m.headers)),
      ],
    );
  }
}
