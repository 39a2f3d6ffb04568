import { type ITopicConfig, Kafka, type KafkaConfig, type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "./logger.js";
import type { TopicSpec } from "./topics.js";

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

const pinoLevel: Record<logLevel, "error" | "warn" | "info" | "debug"> = {
  [logLevel.NOTHING]: "debug",
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A kafkajs client whose logs go to pino, namespaced as kafkajs does ("Producer", "Consumer", ...). */
export function createKafka(connection: KafkaConnection, logger: Logger, extra: Partial<KafkaConfig> = {}): Kafka {
  const kafkaLogger = logger.child({ ns: "kafka" });
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...rest } = log;
        kafkaLogger[pinoLevel[level]]({ kafkajs: namespace, ...rest }, message);
      },
    ...extra,
  });
}

export interface EnsureTopicsOptions {
  replicationFactor: number;
  logger: Logger;
}

/**
 * Creates the topics that do not exist yet, with their documented settings. Existing topics are left alone, but a
 * partition count lower than specified is reported, since changing it would move keys between partitions.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length > 0) {
      const wanted: ITopicConfig[] = missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({
          name,
          // One broker cannot satisfy more in-sync replicas than it has.
          value: name === "min.insync.replicas" ? String(Math.min(Number(value), options.replicationFactor)) : value,
        })),
      }));
      await admin.createTopics({ topics: wanted, waitForLeaders: true });
      options.logger.info({ topics: missing.map((spec) => spec.name) }, "created Kafka topics");
    }
    const present = specs.filter((spec) => existing.has(spec.name));
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
      for (const topic of metadata.topics) {
        const spec = present.find((candidate) => candidate.name === topic.name);
        if (spec && topic.partitions.length < spec.partitions) {
          options.logger.warn(
            { topic: topic.name, partitions: topic.partitions.length, expected: spec.partitions },
            "topic has fewer partitions than specified",
          );
        }
      }
    }
    return missing.map((spec) => spec.name);
  } finally {
    await admin.disconnect();
  }
}
