import { headers, type Logger, topics } from "@hub/common";
import type { KafkaMessage } from "kafkajs";
import type { EventStoreRepository } from "../repositories/event-store.repository.js";
import type { OffsetsRepository } from "../repositories/offsets.repository.js";
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
  /** Seconds per step. */
  seconds: Record<TransactionStep, number>;
  /** Statements sent to the database (round trips), BEGIN and COMMIT included. */
  statements: number;
}

export interface WriterObserver {
  batch(topic: string, outcome: WriteOutcome, seconds: number): void;
  transaction(profile: TransactionProfile): void;
}

/**
 * Stores one partition's batch exactly once in effect: the event rows, the incidents they cause (with their
 * outbox messages), the dead letters (through the outbox) and the partition's next offset are written in one
 * transaction. Crash anywhere, and the batch is either all there
 * with its offset, or not at all and read again.
 */
export class WriterService {
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
      logger: Logger;
      observer?: WriterObserver;
      /** Test mode only: called at each step of the transaction, to kill the process there (crash tests). */
      crashAt?: (point: CrashPoint) => void;
    },
  ) {}

  async write(topic: string, partition: number, messages: KafkaMessage[]): Promise<WriteOutcome> {
    const started = performance.now();
    const profile: TransactionProfile = {
      batches: 1,
      messages: messages.length,
      seconds: { decode: 0, insert: 0, correlate: 0, health: 0, outbox: 0, offsets: 0, transaction: 0 },
      statements: 0,
    };
    let mark = started;
    /** Adds the time since the last step to `step`. */
    const lap = (step: TransactionStep) => {
      const now = performance.now();
      profile.seconds[step] += (now - mark) / 1000;
      mark = now;
    };
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
    const last = messages.at(-1);
    if (!last) throw new Error("write called without messages");
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    lap("decode");
    const stored = await this.deps.transactions.run(async (client) => {
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
      await this.deps.offsets.save(client, [{ topic, partition, nextOffset }]);
      lap("offsets");
      this.deps.crashAt?.("before-commit");
      return inserted.length;
    }, profile);
    lap("transaction");
    this.deps.crashAt?.("after-commit");
    this.deps.observer?.transaction(profile);
    if (deadLetters.length > 0) {
      this.deps.logger.warn(
        { topic, partition, count: deadLetters.length, reason: deadLetters[0]?.headers[headers.dlqReason] },
        "messages sent to the dead-letter topic",
      );
    }
    const outcome = { stored, duplicates: rows.length - stored, deadLettered: deadLetters.length, nextOffset };
    this.deps.observer?.batch(topic, outcome, (performance.now() - started) / 1000);
    return outcome;
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
