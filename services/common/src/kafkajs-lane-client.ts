import { type ICustomPartitioner, type Kafka, type Message, Partitioners, type RecordMetadata } from "kafkajs";
import type { OutgoingMessage } from "./batching-producer.js";
import type { LaneClient, LaneClientFactory } from "./lane-client.js";

/**
 * The lanes' kafkajs producers: idempotent (acks from all in-sync replicas, no duplicates from the producer's own
 * retries), one request in flight, kafkajs' default partitioner (murmur2 of the key, as the Java client).
 */
export function kafkajsLaneClients(kafka: Kafka): LaneClientFactory {
  return () => {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: recordingPartitioner,
      // An idempotent producer must retry until the broker answers: giving up on a request whose response was
      // lost would desynchronise its sequence numbers, and the broker could then drop a later batch as a
      // "duplicate" after we acknowledged it. Callers are not kept waiting: sendTimeoutMs answers them.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    const client: LaneClient = {
      connect: () => producer.connect(),
      disconnect: () => producer.disconnect(),
      async send(batch) {
        const results = await producer.sendBatch({ topicMessages: groupByTopic(batch), acks: -1 });
        return confirmed(batch, results);
      },
      lostProducerState: isProducerStateError,
    };
    return client;
  };
}

/** The partition kafkajs last chose for each message object it was handed (by recordingPartitioner). */
const chosenPartition = new WeakMap<Message, number>();

/** Keys whose partition a lane remembers per topic; past this the memory starts again (keys are H3 cells and ids). */
const MAX_REMEMBERED_KEYS = 50_000;

/**
 * kafkajs's default partitioner (murmur2 of the key, as the Java client), remembering what it chose. A key's
 * partition depends only on the key and the topic's partition count, and kafkajs' murmur2 (on its Long arithmetic)
 * costs more than the rest of a message's partitioning, so it runs once per key and partition count.
 */
const recordingPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    let partition: number;
    if (typeof message.key === "string" && message.partition == null) {
      let known = byTopic.get(topic);
      if (!known || known.partitions !== partitionMetadata.length || known.byKey.size >= MAX_REMEMBERED_KEYS) {
        known = { partitions: partitionMetadata.length, byKey: new Map() };
        byTopic.set(topic, known);
      }
      const remembered = known.byKey.get(message.key);
      if (remembered === undefined) {
        partition = choose(args);
        known.byKey.set(message.key, partition);
      } else partition = remembered;
    } else partition = choose(args);
    chosenPartition.set(message, partition);
    return partition;
  };
};

/**
 * Whether Kafka confirmed each message's partition. kafkajs 2.2.4 can resolve a send without having sent some of
 * it: when a retry finds a partition's leader moved to a broker that had already answered for other partitions of
 * the same send, it skips that broker, so the moved partition's messages are never sent, yet the send succeeds
 * (tulios/kafkajs#1303; seen in test/integration/kafka-cluster-faults.test.ts). Only partitions in the result with
 * no error count as written; the lane fails the rest, unacknowledged, for the device to retry.
 */
function confirmed(batch: readonly OutgoingMessage[], results: RecordMetadata[]): boolean[] {
  const written = new Map<string, Set<number>>();
  for (const result of results) {
    if (result.errorCode !== 0) continue;
    const partitions = written.get(result.topicName) ?? new Set<number>();
    partitions.add(result.partition);
    written.set(result.topicName, partitions);
  }
  return batch.map((message) => {
    const partition = chosenPartition.get(message);
    return partition !== undefined && written.get(message.topic)?.has(partition) === true;
  });
}

/**
 * Errors after which kafkajs' idempotent producer never recovers on its own: its sequence numbers or producer id no
 * longer match the broker's, and every later send fails the same way (seen after a leader change on a three-node
 * cluster: OUT_OF_ORDER_SEQUENCE_NUMBER on every send until the process restarts).
 */
const PRODUCER_STATE_ERRORS = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "DUPLICATE_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING",
]);

function isProducerStateError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { type, cause } = current as { type?: unknown; cause?: unknown };
    if (typeof type === "string" && PRODUCER_STATE_ERRORS.has(type)) return true;
    current = cause;
  }
  return false;
}

/**
 * kafkajs reads a message's key, value and headers (and partition and timestamp, which these never have), so the
 * outgoing messages go as they are, without a copy each; their `topic` is not read.
 */
function groupByTopic(batch: readonly OutgoingMessage[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const message of batch) {
    const list = byTopic.get(message.topic);
    if (list) list.push(message);
    else byTopic.set(message.topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
