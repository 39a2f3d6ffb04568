import type { Kafka, Logger } from "@hub/common";
import type { Consumer, KafkaMessage } from "kafkajs";
import type { OffsetsRepository } from "./offsets.repository.js";

/** Handles the messages of one partition, in order, and returns the next offset it stored. */
export type PartitionHandler = (topic: string, partition: number, messages: KafkaMessage[]) => Promise<string>;

export interface EventSourceOptions {
  groupId: string;
  topics: string[];
  offsets: OffsetsRepository;
  handle: PartitionHandler;
  /** Largest number of messages handed to `handle` at once. */
  maxBatch: number;
  /** Partitions handled at the same time (each one's batches stay in order). */
  concurrentPartitions: number;
  /** How long the group waits for a silent (crashed) member before giving its partitions to others. */
  sessionTimeoutMs: number;
  logger: Logger;
}

/**
 * A Kafka consumer whose position lives in the database, not in Kafka. Auto-commit is off; before the first batch
 * of a partition after every (re)assignment it reads the stored position, skips what is below it and seeks back
 * when Kafka hands it something beyond it. Offsets are also committed to Kafka afterwards, best effort, only so
 * that lag monitoring tools see the group's progress.
 */
export class EventSourceRepository {
  private readonly positions = new Map<string, string | null>();
  private readonly seekedTo = new Map<string, string>();

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, options: EventSourceOptions): Promise<EventSourceRepository> {
    const consumer = kafka.consumer({
      groupId: options.groupId,
      // A crashed instance's partitions wait for its session to expire: keep that short.
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.sessionTimeoutMs + 5000,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    const source = new EventSourceRepository(consumer);
    // After a rebalance another instance may have moved a partition on: forget every cached position.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      source.positions.clear();
      source.seekedTo.clear();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.concurrentPartitions,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const key = `${batch.topic}:${batch.partition}`;
        if (!source.positions.has(key)) {
          const stored = await options.offsets.load(batch.topic, [batch.partition]);
          source.positions.set(key, stored.get(batch.partition) ?? null);
        }
        const next = source.positions.get(key) ?? null;
        let messages = batch.messages;
        if (next !== null) {
          if (BigInt(batch.firstOffset() ?? next) > BigInt(next) && source.seekedTo.get(key) !== next) {
            // Kafka starts past our stored position (its committed offset is only a hint): go back.
            source.seekedTo.set(key, next);
            consumer.seek({ topic: batch.topic, partition: batch.partition, offset: next });
            return;
          }
          if (source.seekedTo.get(key) === next && BigInt(batch.firstOffset() ?? next) > BigInt(next)) {
            options.logger.warn(
              { topic: batch.topic, partition: batch.partition, stored: next, first: batch.firstOffset() },
              "messages before the log start were deleted by retention; continuing",
            );
          }
          const below = messages.filter((message) => BigInt(message.offset) < BigInt(next));
          messages = messages.filter((message) => BigInt(message.offset) >= BigInt(next));
          // Already stored: mark them done, or kafkajs would fetch the same batch again and again.
          const lastBelow = below.at(-1);
          if (lastBelow) resolveOffset(lastBelow.offset);
        }
        for (let index = 0; index < messages.length; index += options.maxBatch) {
          if (!isRunning() || isStale()) return;
          const chunk = messages.slice(index, index + options.maxBatch);
          const stored = await options.handle(batch.topic, batch.partition, chunk);
          source.positions.set(key, stored);
          resolveOffset((chunk.at(-1) as KafkaMessage).offset);
          await heartbeat();
        }
        const position = source.positions.get(key);
        if (position) {
          consumer
            .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: position }])
            .catch(() => undefined);
        }
      },
    });
    return source;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
