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

/** Prefix of every public development secret (dev-seeds.ts): refused anywhere in production configuration. */
export const INSECURE_DEVELOPMENT_PREFIX = "insecure-development";

/** How services reach Kafka, as Kafka names it (security.protocol). */
export const kafkaSecurityProtocol = z.enum(["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]).default("PLAINTEXT");

/** The TLS modes of libpq's sslmode that can be honoured exactly (no "allow"/"prefer": they fall back to plaintext). */
export const databaseSslMode = z.enum(["disable", "require", "verify-ca", "verify-full"]).default("disable");
export type DatabaseSslMode = z.infer<typeof databaseSslMode>;

/** How to reach the database, for operator commands (npm run user:add, …) that need nothing else. */
export const databaseConfigShape = {
  DATABASE_URL: postgresUrl,
  DATABASE_SSL_MODE: databaseSslMode,
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
};

/** Settings every service shares. */
export const commonConfigShape = {
  HUB_MODE: hubMode,
  LOG_LEVEL: logLevel,
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().min(1).default("macao-event-hub"),
  /** PLAINTEXT, SSL (TLS), SASL_SSL (TLS + SCRAM) or SASL_PLAINTEXT (SCRAM without TLS: only on a trusted network). */
  KAFKA_SECURITY_PROTOCOL: kafkaSecurityProtocol,
  /** PEM CA bundle that signed the brokers' certificates; unset = the system's CAs. */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** PEM client certificate and key, for brokers that require mutual TLS (ssl.client.auth=required). */
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(["scram-sha-512", "scram-sha-256"]).default("scram-sha-512"),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  /** The SCRAM password, or a file holding it (a mounted secret); not both. */
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
  /**
   * DATABASE_URL; DATABASE_SSL_MODE: disable, require (encrypted, server not verified), verify-ca (certificate
   * chain), verify-full (chain + host name); DATABASE_SSL_CA_FILE: PEM CA of the server's certificate (verify-ca,
   * verify-full), unset = the system's CAs.
   */
  ...databaseConfigShape,
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
  /** min.insync.replicas of created topics; unset = 2 with three or more replicas, else 1 (topics.ts). */
  KAFKA_MIN_INSYNC_REPLICAS: positiveInt.max(7).optional(),
};

export interface KafkaTopicSettings {
  KAFKA_CREATE_TOPICS: boolean;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_EVENT_PARTITIONS: number;
  KAFKA_MIN_INSYNC_REPLICAS?: number | undefined;
}

/** Where a configuration check reports a problem: zod's refinement context, in each service's schema. */
export interface ConfigIssues {
  addIssue(issue: { code: "custom"; path: string[]; message: string }): void;
}

/**
 * The checks across variables that every service shares (called from each service's schema): Kafka and database
 * transport settings that only make sense together, min.insync.replicas within the replication factor, and in
 * production no public development secret in any variable.
 */
export function checkCommonConfig(env: Record<string, unknown>, issues: ConfigIssues): void {
  const problem = (path: string, message: string) => issues.addIssue({ code: "custom", path: [path], message });
  if (env.KAFKA_SECURITY_PROTOCOL !== undefined) {
    const protocol = String(env.KAFKA_SECURITY_PROTOCOL);
    const tls = protocol === "SSL" || protocol === "SASL_SSL";
    const sasl = protocol.startsWith("SASL_");
    for (const key of ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"]) {
      if (env[key] && !tls) problem(key, "needs KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL");
    }
    if (Boolean(env.KAFKA_SSL_CERT_FILE) !== Boolean(env.KAFKA_SSL_KEY_FILE)) {
      problem("KAFKA_SSL_CERT_FILE", "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE must be set together");
    }
    for (const key of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SASL_PASSWORD_FILE"]) {
      if (env[key] && !sasl) problem(key, "needs KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT");
    }
    if (sasl && !env.KAFKA_SASL_USERNAME) problem("KAFKA_SASL_USERNAME", `is required with ${protocol}`);
    if (sasl && Boolean(env.KAFKA_SASL_PASSWORD) === Boolean(env.KAFKA_SASL_PASSWORD_FILE)) {
      problem(
        "KAFKA_SASL_PASSWORD",
        `set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE (one of them) with ${protocol}`,
      );
    }
  }
  if (env.DATABASE_SSL_CA_FILE && env.DATABASE_SSL_MODE !== "verify-ca" && env.DATABASE_SSL_MODE !== "verify-full") {
    problem("DATABASE_SSL_CA_FILE", "needs DATABASE_SSL_MODE=verify-ca or verify-full");
  }
  if (typeof env.DATABASE_URL === "string" && /[?&](ssl|sslmode|sslrootcert|sslcert|sslkey)=/i.test(env.DATABASE_URL)) {
    problem("DATABASE_URL", "must not carry ssl parameters; use DATABASE_SSL_MODE and DATABASE_SSL_CA_FILE");
  }
  if (
    typeof env.KAFKA_MIN_INSYNC_REPLICAS === "number" &&
    typeof env.KAFKA_REPLICATION_FACTOR === "number" &&
    env.KAFKA_MIN_INSYNC_REPLICAS > env.KAFKA_REPLICATION_FACTOR
  ) {
    problem(
      "KAFKA_MIN_INSYNC_REPLICAS",
      `must be at most KAFKA_REPLICATION_FACTOR (${env.KAFKA_REPLICATION_FACTOR}): no write could ever be acknowledged`,
    );
  }
  if (env.HUB_MODE === "production") {
    for (const [key, value] of Object.entries(env)) {
      if (typeof value === "string" && value.includes(INSECURE_DEVELOPMENT_PREFIX)) {
        problem(
          key,
          `holds a public development secret (${INSECURE_DEVELOPMENT_PREFIX}-…), refused in production mode`,
        );
      }
    }
  }
}

/** Whether a URL names this machine (loopback or unspecified address): no one else can reach it. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === "0.0.0.0" ||
    host === "::1" ||
    host === "::" ||
    /^::ffff:(127\.|7f)/.test(host)
  );
}

/** In production, a public base URL must be reachable by the public: refuse one on loopback. */
export function checkPublicBaseUrl(env: Record<string, unknown>, key: string, issues: ConfigIssues): void {
  const value = env[key];
  if (env.HUB_MODE === "production" && typeof value === "string" && isLoopbackUrl(value)) {
    issues.addIssue({
      code: "custom",
      path: [key],
      message: `is on loopback (${value}), which no one else can reach; set the public origin in production mode`,
    });
  }
}
