import { z } from "zod";
import { ConfigError } from "./errors.js";

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
  /** Set by the `npm start` launcher: stop when stdin closes (the launcher died). */
  HUB_EXIT_WITH_STDIN: booleanFlag.default(false),
};
