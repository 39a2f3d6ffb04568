import { type Kafka, type Logger, topics } from "@hub/common";
import type { Consumer, KafkaMessage } from "kafkajs";

export type FeedHandler = (topic: string, message: KafkaMessage) => void;

/**
 * This instance's view of the hub's topics: its own consumer group (every gateway sees every event, so several
 * can run behind a load balancer), starting at the end of the event topics (the snapshot comes from the database)
 * and at the beginning of the compacted alerts topic (the current alerts are its whole content). Nothing is
 * committed: the gateway keeps no durable state, it only shows.
 */
export class LiveFeedRepository {
  private constructor(private readonly consumer: Consumer) {}

  static async start(
    kafka: Kafka,
    options: { groupId: string; logger: Logger; handle: FeedHandler },
  ): Promise<LiveFeedRepository> {
    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 50,
      allowAutoTopicCreation: false,
    });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [
        topics.detections.name,
        topics.cameraStatus.name,
        topics.cameraHealth.name,
        topics.sensorReadings.name,
        topics.incidents.name,
      ],
      fromBeginning: false,
    });
    await consumer.subscribe({ topics: [topics.alerts.name], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const message of batch.messages) {
          options.handle(batch.topic, message);
          resolveOffset(message.offset);
        }
        await heartbeat();
      },
    });
    // Ready once the group has its partitions: events produced from then on are seen.
    await joined;
    options.logger.info({ groupId: options.groupId }, "live feed joined its consumer group");
    return new LiveFeedRepository(consumer);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
