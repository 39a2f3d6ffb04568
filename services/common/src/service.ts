import type { Kafka } from "kafkajs";
import type { Registry } from "prom-client";
import type { KafkaTopicSettings } from "./config.js";
import { createPool, type DatabaseSslSettings, migrateWhenReady, type Pool, waitForMigrations } from "./database.js";
import { createKafka, ensureTopics, type KafkaSecuritySettings, kafkaSecurity } from "./kafka.js";
import { createLogger, type Logger } from "./logger.js";
import { dependencyChecks, type ReadinessCheck, startOpsServer } from "./ops-server.js";
import { onShutdown } from "./shutdown.js";
import { topicSpecs } from "./topics.js";

/** The settings the common start-up reads (every service's config spreads commonConfigShape and kafkaTopicsConfigShape). */
export interface ServiceConfig extends KafkaTopicSettings, KafkaSecuritySettings, DatabaseSslSettings {
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID: string;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_STARTUP_WAIT_MS: number;
  DATABASE_OWNER_URL?: string | undefined;
  DATABASE_MIGRATE: boolean;
}

/** What the common start-up hands to a service's own wiring. */
export interface ServiceDependencies {
  pool: Pool;
  kafka: Kafka;
  logger: Logger;
}

/** What a service's wiring gives back: what its start function exposes, its metrics, and how to stop its parts. */
export interface ServiceWiring<T> {
  exposed: T;
  metrics: Registry;
  /** Readiness checks besides the database and Kafka. */
  checks?: Record<string, ReadinessCheck>;
  /** Stops the service's own parts (servers, consumers, timers); the database and Kafka are still open. */
  stop(): Promise<void>;
}

export type RunningService<T> = T & { opsPort: number; stop(): Promise<void> };

/**
 * The start-up every service shares, in one place: database pool and migrations (waiting for a busy database),
 * Kafka client and the hub's topics, a Kafka admin for the readiness check, the service's own wiring, then the ops
 * endpoints. `stop` undoes it in reverse: /readyz turns 503, the service stops its parts, then Kafka, the database
 * and the ops server close. A failure half-way closes what was opened.
 */
export async function bootstrapService<T extends object>(options: {
  /** Short name, appended to KAFKA_CLIENT_ID ("ingest", "correlator", ...). */
  name: string;
  config: ServiceConfig;
  logger: Logger;
  ops: { host: string; port: number };
  wire(dependencies: ServiceDependencies): Promise<ServiceWiring<T>>;
}): Promise<RunningService<T>> {
  const { config, logger } = options;
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, logger.child({ ns: "db" }), config);
  const kafka = createKafka(
    {
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-${options.name}`,
      security: kafkaSecurity(config),
    },
    logger,
  );
  const admin = kafka.admin();
  const closers: (() => Promise<void>)[] = [() => pool.end()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    await prepareSchema(config, pool, logger);
    if (config.KAFKA_CREATE_TOPICS) {
      const specs = topicSpecs({
        eventPartitions: config.KAFKA_EVENT_PARTITIONS,
        minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      });
      await ensureTopics(kafka, specs, { logger });
    }
    await admin.connect();
    closers.push(() => admin.disconnect());
    const wiring = await options.wire({ pool, kafka, logger });
    closers.push(() => wiring.stop());
    const ops = await startOpsServer({
      host: options.ops.host,
      port: options.ops.port,
      registry: wiring.metrics,
      logger,
      checks: { ...dependencyChecks(pool, admin), ...wiring.checks },
    });
    closers.unshift(() => ops.close());
    return {
      ...wiring.exposed,
      opsPort: ops.port,
      async stop() {
        ops.setDraining();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll().catch((err: unknown) => logger.warn({ err }, "cleaning up after a failed start failed"));
    throw error;
  }
}

/**
 * Migrations and grants run as the schema's owner: through DATABASE_OWNER_URL (a one-connection pool closed
 * afterwards, so the service itself keeps only its own role's connections) or, without it, through DATABASE_URL.
 * With DATABASE_MIGRATE=false the service only waits until someone else has migrated.
 */
async function prepareSchema(config: ServiceConfig, pool: Pool, logger: Logger): Promise<void> {
  const migrateLogger = logger.child({ ns: "migrate" });
  if (!config.DATABASE_MIGRATE) {
    await waitForMigrations(pool, migrateLogger, config.DATABASE_STARTUP_WAIT_MS);
    return;
  }
  const owner = config.DATABASE_OWNER_URL ? createPool(config.DATABASE_OWNER_URL, 1, migrateLogger, config) : pool;
  try {
    await migrateWhenReady(owner, migrateLogger, config.DATABASE_STARTUP_WAIT_MS);
  } finally {
    if (owner !== pool) await owner.end();
  }
}

/**
 * A service's main.ts: reads its configuration, creates its logger, starts it, and stops it on SIGTERM/SIGINT (or
 * when the launcher's stdin closes). A start that fails is logged and exits non-zero.
 */
export async function runService<C extends { LOG_LEVEL: string; HUB_EXIT_WITH_STDIN: boolean }>(
  name: string,
  readConfig: () => C,
  start: (config: C, logger: Logger) => Promise<{ stop(): Promise<void> }>,
): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = readConfig();
    const serviceLogger = createLogger(name, config.LOG_LEVEL);
    logger = serviceLogger;
    const app = await start(config, serviceLogger);
    onShutdown(serviceLogger, () => app.stop(), { exitWithStdin: config.HUB_EXIT_WITH_STDIN });
  } catch (err) {
    if (logger) logger.fatal({ err }, `${name} could not start`);
    else console.error(`${name} could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
