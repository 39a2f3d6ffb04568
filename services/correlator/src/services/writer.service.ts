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

export interface WriterObserver {
  batch(topic: string, outcome: WriteOutcome, seconds: number): void;
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
    const stored = await this.deps.transactions.run(async (client) => {
      const inserted = await this.deps.store.insert(client, rows);
      this.deps.crashAt?.("after-rows");
      // Only rows stored for the first time are correlated: a redelivered event changes nothing.
      await this.deps.correlation?.evaluate(client, inserted);
      await this.deps.health?.heard(client, inserted);
      await this.deps.sensorHealth?.heard(client, inserted);
      this.deps.crashAt?.("after-incidents");
      await this.deps.outbox.add(client, deadLetters);
      this.deps.crashAt?.("after-outbox");
      await this.deps.offsets.save(client, [{ topic, partition, nextOffset }]);
      this.deps.crashAt?.("before-commit");
      return inserted.length;
    });
    this.deps.crashAt?.("after-commit");
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
