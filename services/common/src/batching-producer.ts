import type { Kafka } from "kafkajs";
import { UnavailableError } from "./errors.js";
import { kafkajsLaneClients } from "./kafkajs-lane-client.js";
import type { LaneClient, LaneClientFactory } from "./lane-client.js";
import type { Logger } from "./logger.js";

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface BatchingProducerOptions {
  /**
   * Independent idempotent producers ("lanes"), each with one request in flight. A message's lane is fixed by its
   * key, so per-key order holds while several requests travel at once.
   */
  lanes?: number;
  /** How long the first message of a batch waits for company. */
  lingerMs: number;
  /** Largest batch handed to Kafka in one request. */
  maxBatchMessages: number;
  /** A message not acknowledged by Kafka within this time is failed with UNAVAILABLE (and never acknowledged). */
  sendTimeoutMs: number;
  /** Messages waiting beyond this are refused at once: back-pressure instead of unbounded memory. */
  maxQueuedMessages: number;
  logger: Logger;
  /** Called after every batch, for metrics. */
  onBatch?: (outcome: { messages: number; seconds: number; ok: boolean }) => void;
}

interface Pending {
  message: OutgoingMessage;
  enqueuedAt: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * kafkajs sends what it is given, one request per call, and an idempotent producer allows one request in flight.
 * Sending message by message would cap throughput at one round trip per message, so this collects messages for a
 * few milliseconds (or until a batch is full) and sends them together; each caller's promise settles when the batch
 * holding its message is acknowledged by all in-sync replicas. With several lanes, several batches travel at once;
 * a key always takes the same lane, so events of one place (and one camera) stay in order.
 */
export class BatchingProducer {
  private constructor(private readonly lanes: Lane[]) {}

  /** Idempotent kafkajs producers (acks from all in-sync replicas, no duplicates from the producer's own retries). */
  static connect(kafka: Kafka, options: BatchingProducerOptions): Promise<BatchingProducer> {
    return BatchingProducer.connectClients(kafkajsLaneClients(kafka), options);
  }

  /** The same with the lanes' producers made by `newClient` (e.g. platformaticLaneClients). */
  static async connectClients(
    newClient: LaneClientFactory,
    options: BatchingProducerOptions,
  ): Promise<BatchingProducer> {
    const lanes: Lane[] = [];
    for (let index = 0; index < Math.max(1, options.lanes ?? 1); index += 1) {
      const client = newClient();
      await client.connect();
      lanes.push(new Lane(client, newClient, options));
    }
    return new BatchingProducer(lanes);
  }

  get queued(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.queued, 0);
  }

  send(message: OutgoingMessage): Promise<void> {
    const lane = this.lanes.length === 1 ? this.lanes[0] : this.lanes[laneOf(message.key, this.lanes.length)];
    return (lane as Lane).send(message);
  }

  /** Sends what is queued, then disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}

/** FNV-1a of the key: stable across processes, so a key's lane never changes. */
function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/** One idempotent producer and the queue of messages waiting for it. */
class Lane {
  private queue: Pending[] = [];
  private inFlight = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  /** Set when kafkajs may have lost track of the producer's sequence numbers: the next batch goes on a new producer. */
  private renewNeeded = false;
  private renewing: Promise<void> | undefined;
  private readonly maxQueued: number;

  constructor(
    private producer: LaneClient,
    private readonly newProducer: LaneClientFactory,
    private readonly options: BatchingProducerOptions,
  ) {
    // Queued messages that waited too long (Kafka down) are failed before they are ever sent.
    this.sweepTimer = setInterval(() => this.expireQueued(), Math.max(50, Math.floor(options.sendTimeoutMs / 10)));
    this.sweepTimer.unref();
    this.maxQueued = Math.ceil(options.maxQueuedMessages / (options.lanes ?? 1));
  }

  get queued(): number {
    return this.queue.length;
  }

  send(message: OutgoingMessage): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError("the producer is shutting down"));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new UnavailableError("Kafka hand-off queue is full; retry later"));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, enqueuedAt: Date.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Sends what is queued (for at most sendTimeoutMs), fails what is left — none of it was acknowledged — and disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    const deadline = Date.now() + this.options.sendTimeoutMs;
    while ((this.queue.length > 0 || this.inFlight) && Date.now() < deadline) {
      if (!this.inFlight) await this.flush();
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.clearLinger();
    const error = new UnavailableError("the producer is shutting down");
    for (const pending of this.queue.splice(0)) pending.reject(error);
    await this.producer.disconnect();
  }

  private schedule(): void {
    if (this.inFlight) return; // the batch after the current one starts as soon as it completes
    if (this.queue.length >= this.options.maxBatchMessages) {
      this.clearLinger();
      void this.flush();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        void this.flush();
      }, this.options.lingerMs);
    }
  }

  private clearLinger(): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    this.expireQueued();
    if (this.queue.length === 0) return;
    this.inFlight = true;
    const batch = this.queue.splice(0, this.options.maxBatchMessages);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    // sendTimeoutMs counts from when the caller handed the message over, not from when its batch left: a message that
    // queued behind a slow batch must not wait a second full timeout (callers' own deadlines would fire first).
    const oldest = Math.min(...batch.map((pending) => pending.enqueuedAt));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UnavailableError(`Kafka did not acknowledge within ${this.options.sendTimeoutMs} ms`)),
        Math.max(0, oldest + this.options.sendTimeoutMs - Date.now()),
      );
    });
    const outgoing = batch.map((pending) => pending.message);
    let sending: Promise<boolean[]> = Promise.resolve([]);
    try {
      if (this.renewNeeded) {
        // One renewal at a time, even when a slow one outlives this batch's timeout.
        this.renewing ??= this.renewProducer().finally(() => {
          this.renewing = undefined;
        });
        await Promise.race([this.renewing, timeout]);
      }
      sending = this.producer.send(outgoing);
      const written = await Promise.race([sending, timeout]);
      const failure = new UnavailableError("Kafka did not confirm the message's partition; retry");
      for (const [index, pending] of batch.entries()) {
        if (written[index]) pending.resolve();
        else pending.reject(failure);
      }
      this.options.onBatch?.({ messages: batch.length, seconds: (performance.now() - started) / 1000, ok: true });
      const lost = written.filter((ok) => !ok).length;
      if (lost > 0) {
        this.options.logger.warn(
          { messages: lost, of: batch.length },
          "Kafka confirmed the batch without some of its partitions; those messages are not acknowledged",
        );
        this.renewNeeded = true;
      }
    } catch (error) {
      const failure = error instanceof UnavailableError ? error : new UnavailableError("Kafka is unavailable", error);
      this.options.logger.warn({ err: error, messages: batch.length }, "Kafka batch failed; not acknowledged");
      if (this.producer.lostProducerState(error)) this.renewNeeded = true;
      for (const pending of batch) pending.reject(failure);
      this.options.onBatch?.({ messages: batch.length, seconds: (performance.now() - started) / 1000, ok: false });
      // The idempotent producer may still be retrying the request; the next batch waits for it to settle so that
      // requests never overlap.
      await sending.catch(() => undefined);
    } finally {
      clearTimeout(timer);
      this.inFlight = false;
    }
    if (this.queue.length > 0) {
      if (this.queue.length >= this.options.maxBatchMessages || this.closed) void this.flush();
      else this.schedule();
    }
  }

  /**
   * A fresh idempotent producer (a new producer id, sequences from 0) instead of one whose sequence numbers kafkajs
   * may have got wrong: a skipped request may have been written after all, and the broker would then take the
   * lane's next batch for that partition as its duplicate and drop it while answering success. Throws when the new
   * producer cannot connect (the next batch tries again).
   */
  private async renewProducer(): Promise<void> {
    const fresh = this.newProducer();
    try {
      await fresh.connect();
    } catch (error) {
      throw new UnavailableError("Kafka is unavailable", error);
    }
    const old = this.producer;
    this.producer = fresh;
    this.renewNeeded = false;
    old.disconnect().catch(() => undefined);
  }

  private expireQueued(): void {
    const deadline = Date.now() - this.options.sendTimeoutMs;
    if (this.queue.length === 0 || (this.queue[0]?.enqueuedAt ?? Date.now()) > deadline) return;
    const expired = this.queue.filter((pending) => pending.enqueuedAt <= deadline);
    this.queue = this.queue.filter((pending) => pending.enqueuedAt > deadline);
    const error = new UnavailableError(`Kafka did not take the message within ${this.options.sendTimeoutMs} ms`);
    for (const pending of expired) pending.reject(error);
  }
}
