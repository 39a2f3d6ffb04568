import { z } from "zod";
import { ConfigError } from "./errors.js";
import { EVENT_PARTITIONS } from "./topics.js";

/**
 * Configuration is read from the environment once, at start-up, and validated with a zod schema; a service that
 * is misconfigured stops before doing anything and names every bad variable. No other module reads process.env.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`),
    );
  }
  return result.data;
}

/** "development" seeds demo credentials and relaxes nothing else; "production" refuses any default secret. */
export const hubMode = z.enum(["development", "test", "production"]).default("production");
export type HubMode = z.infer<typeof hubMode>;

export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/** Comma-separated host:port list. */
export const brokerList = z
  .string()
  .min(1)
  .transform((value) =>
    value
      .split(",")
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "expected host:port")).min(1));

export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL")
  .describe("PostgreSQL/TimescaleDB connection URL");

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();

/** "true"/"false"/"1"/"0" from the environment. */
export const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

/** Settings every service shares. */
export const commonConfigShape = {
  HUB_MODE: hubMode,
  LOG_LEVEL: logLevel,
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().min(1).default("macao-event-hub"),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: positiveInt.max(100).default(4),
  /**
   * The schema owner's URL, used only at start-up to migrate and grant the service roles (then closed). Unset: the
   * migrations run through DATABASE_URL. Production: leave unset and set DATABASE_MIGRATE=false; the operator runs
   * `npm run db:migrate` with the owner's URL.
   */
  DATABASE_OWNER_URL: postgresUrl.optional(),
  /** Migrate at start-up (false: wait until the schema is migrated, for services whose role may not change it). */
  DATABASE_MIGRATE: booleanFlag.default(true),
  /** How long start-up keeps retrying a database that refuses or times out (busy, still starting) before failing. */
  DATABASE_STARTUP_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
  /** Set by the `npm start` launcher: stop when stdin closes (the launcher died). */
  HUB_EXIT_WITH_STDIN: booleanFlag.default(false),
};

/**
 * How the hub's topics are created, declared once: every service that talks to Kafka spreads this into its schema
 * and its start-up (`bootstrapService`) creates the missing topics with these settings, whichever service starts
 * first.
 */
export const kafkaTopicsConfigShape = {
  /** Create missing topics at start-up; off where topics are managed by the platform (Strimzi KafkaTopic, ...). */
  KAFKA_CREATE_TOPICS: booleanFlag.default(true),
  KAFKA_REPLICATION_FACTOR: positiveInt.max(7).default(1),
  /** Partitions of the three event topics (one count for all, so a place maps to the same partition number). */
  KAFKA_EVENT_PARTITIONS: positiveInt.max(1000).default(EVENT_PARTITIONS),
  /** min.insync.replicas of created topics (at most the replication factor). */
  KAFKA_MIN_INSYNC_REPLICAS: positiveInt.max(7).default(1),
};

export interface KafkaTopicSettings {
  KAFKA_CREATE_TOPICS: boolean;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_EVENT_PARTITIONS: number;
  KAFKA_MIN_INSYNC_REPLICAS: number;
}
