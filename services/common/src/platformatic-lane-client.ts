import type { MessageToProduce, Producer } from "@platformatic/kafka";
import type { OutgoingMessage } from "./batching-producer.js";
import type { KafkaConnection } from "./kafka.js";
import type { LaneClient, LaneClientFactory } from "./lane-client.js";
import { loadPlatformaticKafka } from "./platformatic-kafka.js";

type HubProducer = Producer<string, Buffer, string, string>;
type HubMessage = MessageToProduce<string, Buffer, string, string>;

const MAX_RETRY_DELAY_MS = 2000;

/**
 * The lanes' producers on @platformatic/kafka (KAFKA_PRODUCER_CLIENT=platformatic): idempotent, which the client
 * enforces with acks=all, one request in flight per connection and retries until the broker answers; the Java
 * client's partitioner, so every key goes to the partition kafkajs (and Java) would choose. On a failed send the
 * client drops its producer id and sequence numbers itself, and the next send starts a new idempotent session.
 */
export function platformaticLaneClients(connection: KafkaConnection): LaneClientFactory {
  return (): LaneClient => {
    let producer: HubProducer | undefined;
    /** The partitioner's raw answer (before the client takes it modulo the partition count) for each message. */
    const hashes = new WeakMap<object, number>();
    const connected = (): HubProducer => {
      if (!producer) throw new Error("the lane's Kafka producer is not connected");
      return producer;
    };
    return {
      async connect() {
        const kafka = await loadPlatformaticKafka();
        const sasl = connection.security?.sasl;
        const fresh: HubProducer = new kafka.Producer<string, Buffer, string, string>({
          clientId: connection.clientId,
          bootstrapBrokers: connection.brokers,
          idempotent: true,
          acks: kafka.ProduceAcks.ALL,
          autocreateTopics: false,
          connectTimeout: 3000,
          timeout: 10_000,
          // As for kafkajs: an idempotent producer retries until the broker answers (sendTimeoutMs answers callers).
          retries: Number.MAX_SAFE_INTEGER,
          retryDelay: (_client, _operation, attempt) => Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt),
          serializers: {
            key: kafka.stringSerializer,
            value: (value) => value,
            headerKey: kafka.stringSerializer,
            headerValue: kafka.stringSerializer,
          },
          partitioner: (message, key) => {
            const hash = kafka.compatibilityPartitioner(message, key);
            hashes.set(message, hash);
            return hash;
          },
          ...(connection.security?.ssl ? { tls: connection.security.ssl } : {}),
          ...(sasl && "username" in sasl
            ? {
                sasl: {
                  mechanism: sasl.mechanism === "scram-sha-256" ? "SCRAM-SHA-256" : "SCRAM-SHA-512",
                  username: sasl.username,
                  password: sasl.password,
                },
              }
            : {}),
        });
        try {
          // Like kafkajs' connect: fails now when Kafka cannot be reached, and the first send needs no round trip.
          await fresh.initIdempotentProducer({});
        } catch (error) {
          await fresh.close(true).catch(() => undefined);
          throw error;
        }
        producer = fresh;
      },
      async send(batch) {
        const client = connected();
        const result = await client.send({ messages: batch as OutgoingMessage[] as HubMessage[] });
        const written = new Map<string, Set<number>>();
        for (const { topic, partition } of result.offsets ?? []) {
          const partitions = written.get(topic) ?? new Set<number>();
          partitions.add(partition);
          written.set(topic, partitions);
        }
        const metadata = client.currentMetadata?.topics;
        return batch.map((message) => {
          const hash = hashes.get(message);
          const count = metadata?.get(message.topic)?.partitionsCount;
          return hash !== undefined && count !== undefined && written.get(message.topic)?.has(hash % count) === true;
        });
      },
      // The client recovers its idempotent session itself (a new producer id after a failed send).
      lostProducerState: () => false,
      async disconnect() {
        await producer?.close(true);
      },
    };
  };
}
