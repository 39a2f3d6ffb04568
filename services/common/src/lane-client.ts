import type { OutgoingMessage } from "./batching-producer.js";

/**
 * One idempotent Kafka producer as a lane of the BatchingProducer uses it, whatever the client library
 * (kafkajs-lane-client.ts, platformatic-lane-client.ts). The lane hands it one batch at a time and waits for the
 * answer before the next, so a client never has two requests of a lane in flight.
 */
export interface LaneClient {
  connect(): Promise<void>;
  /**
   * Sends the batch with acks from all in-sync replicas (acks=all) and resolves with, for each message in order,
   * whether Kafka confirmed the partition it went to. Rejects when Kafka did not take the batch.
   */
  send(batch: readonly OutgoingMessage[]): Promise<boolean[]>;
  /**
   * After a failed send: true when the client's idempotent state (producer id, sequence numbers) can no longer be
   * trusted and the lane must go on with a new client.
   */
  lostProducerState(error: unknown): boolean;
  disconnect(): Promise<void>;
}

/** Makes a new, unconnected lane client (one per lane, and one per renewal). */
export type LaneClientFactory = () => LaneClient;
