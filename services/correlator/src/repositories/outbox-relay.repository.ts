import { type Kafka, type Logger, type Pool, withTransaction } from "@hub/common";
import { Partitioners, type Producer } from "kafkajs";
import { OUTBOX_ID_HEADER } from "./outbox.repository.js";

/** Held (transaction-scoped) by the one relay that drains the outbox at a time, on any correlator instance. */
const RELAY_LOCK = "hub.outbox-relay";

/**
 * Publishes the outbox's pending rows to Kafka on a timer, in id order, each marked published in the transaction
 * that read it; the rows carry their outbox id (OUTBOX_ID_HEADER) so that a consumer drops a repeat after a crash.
 *
 * With several correlator instances (a real server runs their transactions concurrently): each batch first tries
 * a transaction-scoped advisory lock, and an instance that does not get it leaves the round to the one that has it.
 * Row locks alone (FOR UPDATE SKIP LOCKED) would let two relays publish disjoint batches side by side, so a newer
 * version of an incident could reach Kafka before an older one; one relay at a time keeps the topic in outbox id
 * order, which for one incident is its version order (a correlator writes an incident's outbox row after updating
 * the incident row, whose lock it holds to COMMIT, so the next change of that incident gets a larger id and commits
 * later). SKIP LOCKED stays as a second guard. A relay that dies mid-batch loses its lock with its connection; its
 * rows were not marked and go out again (consumers drop the repeat by outbox id).
 */
export class OutboxRelayRepository {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  private constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly options: { intervalMs: number; batch: number; logger: Logger },
  ) {}

  static async start(
    pool: Pool,
    kafka: Kafka,
    options: { intervalMs: number; batch: number; logger: Logger },
  ): Promise<OutboxRelayRepository> {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    await producer.connect();
    const relay = new OutboxRelayRepository(pool, producer, options);
    relay.schedule();
    return relay;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .then(() => undefined)
        .catch((err: unknown) => this.options.logger.warn({ err }, "outbox relay failed; will retry"))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.intervalMs);
  }

  /** Publishes everything pending, batch by batch. Returns how many rows it published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await withTransaction(this.pool, async (client) => {
        const lock = await client.query<{ held: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext($1)) AS held", [
          RELAY_LOCK,
        ]);
        // Another instance is draining: these rows are its to publish, in order.
        if (!lock.rows[0]?.held) return 0;
        const pending = await client.query<{
          id: string;
          topic: string;
          key: string;
          value: Buffer;
          headers: Record<string, string>;
        }>(
          `SELECT id::text, topic, key, value, headers FROM outbox WHERE published_at IS NULL
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [this.options.batch],
        );
        if (pending.rows.length === 0) return 0;
        const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
        for (const row of pending.rows) {
          const list = byTopic.get(row.topic) ?? [];
          list.push({ key: row.key, value: row.value, headers: { ...row.headers, [OUTBOX_ID_HEADER]: row.id } });
          byTopic.set(row.topic, list);
        }
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        await client.query("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", [
          pending.rows.map((row) => row.id),
        ]);
        return pending.rows.length;
      });
      total += published;
      if (published < this.options.batch) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.producer.disconnect();
  }
}
