import { headers, type Logger, topics } from "@hub/common";
import type { KafkaMessage } from "kafkajs";
import type { EventStoreRepository } from "../repositories/event-store.repository.js";
import type { OffsetsRepository, PartitionOffset } from "../repositories/offsets.repository.js";
import type { OutboxMessage, OutboxRepository } from "../repositories/outbox.repository.js";
import type { TransactionRepository } from "../repositories/transaction.repository.js";
import type { CameraHealthService } from "./camera-health.service.js";
import type { CorrelationService } from "./correlation.service.js";
import { DecodeFailure, decodeRecord, type EventRow } from "./records.js";
import type { SensorHealthService } from "./sensor-health.service.js";

export interface WriteOutcome {
  stored: number;
  duplicates: number;
  deadLettered: number;
  nextOffset: string;
}

export const crashPoints = ["after-rows", "after-incidents", "after-outbox", "before-commit", "after-commit"] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** The steps of a transaction, timed for the metrics (transaction: connecting, BEGIN and COMMIT). */
export const transactionSteps = [
  "decode",
  "insert",
  "correlate",
  "health",
  "outbox",
  "offsets",
  "transaction",
] as const;
export type TransactionStep = (typeof transactionSteps)[number];

/** One transaction of the writer: how many partition batches and messages it took, where its time went. */
export interface TransactionProfile {
  batches: number;
  messages: number;
  /** Seconds per step; decode is the decoding of its batches, done while the transaction before was running. */
  seconds: Record<TransactionStep, number>;
  /** Statements sent to the database (round trips), BEGIN and COMMIT included. */
  statements: number;
}

export interface WriterObserver {
  /** One partition's batch, `seconds` from its arrival to its commit. */
  batch(topic: string, outcome: WriteOutcome, seconds: number): void;
  transaction(profile: TransactionProfile): void;
}

/** A partition's batch, decoded, waiting for its transaction. */
interface Pending {
  topic: string;
  partition: number;
  messages: number;
  rows: EventRow[];
  deadLetters: OutboxMessage[];
  nextOffset: string;
  decodeSeconds: number;
  started: number;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Stores partitions' batches exactly once in effect: the event rows, the incidents they cause (with their outbox
 * messages), the dead letters (through the outbox) and each partition's next offset are written in one transaction.
 * Crash anywhere, and a batch is either all there with its offset, or not at all and read again.
 *
 * Group commit: batches that arrive while a transaction runs (the consumer hands over several partitions at once)
 * wait and go together into the next one, up to `maxMessages`, so that a fetch of many small batches costs one
 * transaction rather than one per partition, and decoding overlaps the database's work. Correlating them together
 * gives the incidents correlating them one after the other would (rules converge whatever the order).
 */
export class WriterService {
  private readonly queue: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly deps: {
      transactions: TransactionRepository;
      store: EventStoreRepository;
      offsets: OffsetsRepository;
      outbox: OutboxRepository;
      correlation?: Pick<CorrelationService, "evaluate">;
      /** Silent cameras heard again (CameraHealthService). */
      health?: Pick<CameraHealthService, "heard">;
      /** Silent sensors heard again (SensorHealthService). */
      sensorHealth?: Pick<SensorHealthService, "heard">;
      /** Most messages in one transaction (a single batch larger than this still goes alone). */
      maxMessages?: number;
      logger: Logger;
      observer?: WriterObserver;
      /** Test mode only: called at each step of the transaction, to kill the process there (crash tests). */
      crashAt?: (point: CrashPoint) => void;
    },
  ) {}

  write(topic: string, partition: number, messages: KafkaMessage[]): Promise<WriteOutcome> {
    const started = performance.now();
    const last = messages.at(-1);
    if (!last) return Promise.reject(new Error("write called without messages"));
    const rows: EventRow[] = [];
    const deadLetters: OutboxMessage[] = [];
    for (const message of messages) {
      try {
        rows.push(decodeRecord(topic, message.value));
      } catch (error) {
        const reason = error instanceof DecodeFailure ? error.reason : String(error);
        deadLetters.push(deadLetter(topic, partition, message, reason));
      }
    }
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    const decodeSeconds = (performance.now() - started) / 1000;
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({
        topic,
        partition,
        messages: messages.length,
        rows,
        deadLetters,
        nextOffset,
        decodeSeconds,
        started,
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  /** Starts the next transaction once the batches handed over at the same time have all arrived. */
  private schedule(): void {
    if (this.running || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running) return;
      const group = this.takeGroup();
      if (group.length === 0) return;
      this.running = true;
      this.commit(group)
        .then(
          (outcomes) => {
            for (const [index, pending] of group.entries()) pending.resolve(outcomes[index] as WriteOutcome);
          },
          (error: unknown) => {
            for (const pending of group) pending.reject(error);
          },
        )
        .finally(() => {
          this.running = false;
          this.schedule();
        });
    });
  }

  /** The oldest batches, up to maxMessages, at most one per partition (its offset is written once). */
  private takeGroup(): Pending[] {
    const limit = this.deps.maxMessages ?? Number.POSITIVE_INFINITY;
    const group: Pending[] = [];
    const partitions = new Set<string>();
    let messages = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      const key = `${next.topic}:${next.partition}`;
      if (group.length > 0 && (messages + next.messages > limit || partitions.has(key))) break;
      group.push(next);
      partitions.add(key);
      messages += next.messages;
      this.queue.shift();
    }
    return group;
  }

  private async commit(group: Pending[]): Promise<WriteOutcome[]> {
    const profile: TransactionProfile = {
      batches: group.length,
      messages: group.reduce((sum, pending) => sum + pending.messages, 0),
      seconds: { decode: 0, insert: 0, correlate: 0, health: 0, outbox: 0, offsets: 0, transaction: 0 },
      statements: 0,
    };
    for (const pending of group) profile.seconds.decode += pending.decodeSeconds;
    let mark = performance.now();
    /** Adds the time since the last step to `step`. */
    const lap = (step: TransactionStep) => {
      const now = performance.now();
      profile.seconds[step] += (now - mark) / 1000;
      mark = now;
    };
    const rows = group.flatMap((pending) => pending.rows);
    const deadLetters = group.flatMap((pending) => pending.deadLetters);
    const offsets: PartitionOffset[] = group.map(({ topic, partition, nextOffset }) => ({
      topic,
      partition,
      nextOffset,
    }));
    const inserted = await this.deps.transactions.run(async (client) => {
      lap("transaction");
      const inserted = await this.deps.store.insert(client, rows);
      lap("insert");
      this.deps.crashAt?.("after-rows");
      // Only rows stored for the first time are correlated: a redelivered event changes nothing.
      await this.deps.correlation?.evaluate(client, inserted);
      lap("correlate");
      await this.deps.health?.heard(client, inserted);
      await this.deps.sensorHealth?.heard(client, inserted);
      lap("health");
      this.deps.crashAt?.("after-incidents");
      await this.deps.outbox.add(client, deadLetters);
      lap("outbox");
      this.deps.crashAt?.("after-outbox");
      await this.deps.offsets.save(client, offsets);
      lap("offsets");
      this.deps.crashAt?.("before-commit");
      return inserted;
    }, profile);
    lap("transaction");
    this.deps.crashAt?.("after-commit");
    this.deps.observer?.transaction(profile);
    const fresh = new Set(inserted);
    const committed = performance.now();
    return group.map((pending) => {
      if (pending.deadLetters.length > 0) {
        this.deps.logger.warn(
          {
            topic: pending.topic,
            partition: pending.partition,
            count: pending.deadLetters.length,
            reason: pending.deadLetters[0]?.headers[headers.dlqReason],
          },
          "messages sent to the dead-letter topic",
        );
      }
      const stored = pending.rows.filter((row) => fresh.has(row)).length;
      const outcome = {
        stored,
        duplicates: pending.rows.length - stored,
        deadLettered: pending.deadLetters.length,
        nextOffset: pending.nextOffset,
      };
      this.deps.observer?.batch(pending.topic, outcome, (committed - pending.started) / 1000);
      return outcome;
    });
  }
}

function deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): OutboxMessage {
  return {
    topic: topics.deadLetter.name,
    key: message.key?.toString("utf8") ?? "",
    value: message.value ?? Buffer.alloc(0),
    headers: {
      [headers.dlqReason]: reason,
      [headers.dlqSourceTopic]: topic,
      [headers.dlqSourcePartition]: String(partition),
      [headers.dlqSourceOffset]: message.offset,
    },
  };
}
