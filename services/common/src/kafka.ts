import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import kafkajs, {
  type ITopicConfig,
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  type SASLOptions,
} from "kafkajs";
import type { Logger } from "./logger.js";

// kafkajs is CommonJS: Node's ESM loader finds only some of its named exports, not this one.
const { ConfigResourceTypes } = kafkajs;

import type { DeployedTopicSpec } from "./topics.js";

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TLS and SASL, from kafkaSecurity(); plaintext without authentication when absent. */
  security?: KafkaSecurity;
}

/** The Kafka transport settings of the shared configuration (commonConfigShape). */
export interface KafkaSecuritySettings {
  KAFKA_SECURITY_PROTOCOL: "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
  KAFKA_SSL_CA_FILE?: string | undefined;
  KAFKA_SSL_CERT_FILE?: string | undefined;
  KAFKA_SSL_KEY_FILE?: string | undefined;
  KAFKA_SASL_MECHANISM: "scram-sha-512" | "scram-sha-256";
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SASL_PASSWORD_FILE?: string | undefined;
}

/** kafkajs' `ssl` and `sasl` options. */
export interface KafkaSecurity {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

/**
 * The kafkajs `ssl`/`sasl` options for the configured protocol, reading the PEM and password files with `read`. TLS
 * always verifies the broker's certificate and host name (Node's defaults, never turned off here).
 */
export function kafkaSecurity(
  settings: KafkaSecuritySettings,
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): KafkaSecurity {
  const protocol = settings.KAFKA_SECURITY_PROTOCOL;
  const security: KafkaSecurity = {};
  if (protocol === "SSL" || protocol === "SASL_SSL") {
    security.ssl = {
      rejectUnauthorized: true,
      ...(settings.KAFKA_SSL_CA_FILE ? { ca: read(settings.KAFKA_SSL_CA_FILE) } : {}),
      ...(settings.KAFKA_SSL_CERT_FILE ? { cert: read(settings.KAFKA_SSL_CERT_FILE) } : {}),
      ...(settings.KAFKA_SSL_KEY_FILE ? { key: read(settings.KAFKA_SSL_KEY_FILE) } : {}),
    };
  }
  if (protocol === "SASL_SSL" || protocol === "SASL_PLAINTEXT") {
    const password =
      settings.KAFKA_SASL_PASSWORD ??
      (settings.KAFKA_SASL_PASSWORD_FILE ? read(settings.KAFKA_SASL_PASSWORD_FILE).replace(/\r?\n$/, "") : "");
    security.sasl = {
      mechanism: settings.KAFKA_SASL_MECHANISM,
      username: settings.KAFKA_SASL_USERNAME ?? "",
      password,
    };
  }
  return security;
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
    ...(connection.security?.ssl ? { ssl: connection.security.ssl } : {}),
    ...(connection.security?.sasl ? { sasl: connection.security.sasl } : {}),
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
  logger: Logger;
}

/**
 * Creates the topics that do not exist yet, with their documented settings. Existing topics are left alone, but a
 * partition count lower than specified is reported, since changing it would move keys between partitions, and so
 * are fewer replicas or a lower min.insync.replicas than specified (topics created before, or by hand): those are
 * for the operator to raise (kafka-reassign-partitions, kafka-configs), not for a service starting up.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly DeployedTopicSpec[],
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
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
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
        const replicas = Math.min(...topic.partitions.map((partition) => partition.replicas.length));
        if (spec && replicas < spec.replicationFactor) {
          options.logger.warn(
            { topic: topic.name, replicas, expected: spec.replicationFactor },
            "topic has fewer replicas than KAFKA_REPLICATION_FACTOR",
          );
        }
      }
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((spec) => ({
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configNames: ["min.insync.replicas"],
        })),
      });
      for (const resource of described.resources) {
        const spec = present.find((candidate) => candidate.name === resource.resourceName);
        const actual = resource.configEntries.find((entry) => entry.configName === "min.insync.replicas");
        const expected = spec?.config["min.insync.replicas"];
        if (actual && expected && Number(actual.configValue) < Number(expected)) {
          options.logger.warn(
            { topic: resource.resourceName, minInsyncReplicas: Number(actual.configValue), expected: Number(expected) },
            "topic accepts writes on fewer in-sync replicas than specified (raise min.insync.replicas)",
          );
        }
      }
    }
    return missing.map((spec) => spec.name);
  } finally {
    await admin.disconnect();
  }
}
