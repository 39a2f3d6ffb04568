import {
  checkCommonConfig,
  commonConfigShape,
  DEV_CORRELATOR_TOKEN,
  kafkaTopicsConfigShape,
  loadConfig,
  port,
  positiveInt,
} from "@hub/common";
import { z } from "zod";
import { insertMethods } from "./repositories/event-store.repository.js";
import {
  AGGREGATE_HISTORY_MARGIN_HOURS,
  aggregateRefreshReach,
  describeHours,
  minimumRetentionDays,
} from "./services/aggregate-history.js";
import { runDbJobsModes } from "./services/policy-jobs.service.js";
import { crashPoints } from "./services/writer.service.js";

/** Retention settings that must outlive an aggregate's refresh window, and the table each one keeps. */
const retentionOverAggregates = [
  ["CORRELATOR_RETENTION_DETECTIONS_DAYS", "detections"],
  ["CORRELATOR_RETENTION_SENSOR_READINGS_DAYS", "sensor_readings"],
  ["CORRELATOR_RETENTION_CAMERA_STATUS_DAYS", "camera_status"],
] as const;

const schema = z
  .object({
    ...commonConfigShape,
    ...kafkaTopicsConfigShape,
    /** gRPC query API (IncidentService, CaseAssistService) for the gateway. */
    CORRELATOR_GRPC_PORT: port.default(50052),
    /** Bearer token the gateway presents; required outside development and test mode. */
    CORRELATOR_API_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    CORRELATOR_HOST: z.string().default("0.0.0.0"),
    /** PEM files; with cert and key the gRPC API speaks TLS, and with a client CA it requires client certificates. */
    CORRELATOR_TLS_CERT_FILE: z.string().min(1).optional(),
    CORRELATOR_TLS_KEY_FILE: z.string().min(1).optional(),
    CORRELATOR_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
    CORRELATOR_OPS_PORT: port.default(9465),
    /** Consumer group; every instance of the correlator joins the same one. */
    CORRELATOR_GROUP_ID: z.string().min(1).default("hub-correlator"),
    /** Largest number of messages written in one transaction. */
    CORRELATOR_MAX_BATCH: positiveInt.max(50_000).default(20_000),
    /**
     * How event rows go in: `copy` (binary COPY into a temporary staging table, then INSERT … SELECT), `unnest` (one
     * INSERT … SELECT * FROM unnest(…) per table), or `auto`: copy where the server takes COPY FROM STDIN, unnest
     * on the embedded database, which does not.
     */
    CORRELATOR_INSERT_METHOD: z.enum(["auto", ...insertMethods]).default("auto"),
    /** How long a crashed instance keeps its partitions before the group moves them (Kafka allows 6000..1800000). */
    CORRELATOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(1_800_000).default(10_000),
    /** The correlation rules (JSON); defaults to the shipped rules/rules.v1.json. */
    CORRELATOR_RULES_FILE: z.string().optional(),
    /** How often each correlator looks for a newly approved rule version (hot reload, no restart). */
    CORRELATOR_RULES_POLL_MS: positiveInt.default(3_000),
    /** A rule's dry run reads at most this many stored events (the oldest of its window first). */
    CORRELATOR_DRY_RUN_MAX_EVENTS: positiveInt.default(50_000),
    /**
     * Raw detections and sensor readings kept (whole chunks dropped); incident evidence and aggregates stay. At
     * least 8 days: longer than the aggregates' refresh windows plus a margin (checked below), or a refresh would
     * erase aggregate history.
     */
    CORRELATOR_RETENTION_DETECTIONS_DAYS: positiveInt.default(30),
    CORRELATOR_RETENTION_SENSOR_READINGS_DAYS: positiveInt.default(365),
    CORRELATOR_RETENTION_CAMERA_STATUS_DAYS: positiveInt.default(90),
    CORRELATOR_COMPRESS_DETECTIONS_AFTER_HOURS: positiveInt.default(24),
    /**
     * Case-assist records and the case lookups stored with them (criteria, plate lists) kept this long, except those
     * of a case under legal hold; purged at start-up and every hour.
     */
    CORRELATOR_RETENTION_CASE_ASSIST_DAYS: positiveInt.default(365),
    /** Test mode only: SIGKILL the process at this step of the Nth batch's transaction (crash tests). */
    CORRELATOR_CRASH_POINT: z.enum(crashPoints).optional(),
    CORRELATOR_CRASH_AFTER_BATCHES: positiveInt.default(3),
    /** How often absence rules (silent cameras) are checked. */
    CORRELATOR_SILENCE_CHECK_MS: positiveInt.default(15_000),
    /**
     * A camera with no status report and no detection for this long shows as "silent" on the map and in the camera
     * list (checked every CORRELATOR_SILENCE_CHECK_MS), until it is heard again.
     */
    CORRELATOR_CAMERA_SILENT_AFTER_S: positiveInt.default(120),
    /**
     * A sensor with no reading for this long shows as "silent" on the map and in the sensor panel (checked every
     * CORRELATOR_SILENCE_CHECK_MS), until a reading is heard again. Sensors report every minute or so.
     */
    CORRELATOR_SENSOR_SILENT_AFTER_S: positiveInt.default(600),
    /**
     * Who runs TimescaleDB's retention, compression and refresh policies: `auto` (the default outside test mode) runs
     * them every minute only while the database has no scheduler of its own (the embedded one); `always`, `never`.
     * Test mode defaults to `never`: tests run the jobs themselves.
     */
    CORRELATOR_RUN_DB_JOBS: z.enum(runDbJobsModes).optional(),
    OUTBOX_RELAY_INTERVAL_MS: positiveInt.default(200),
    OUTBOX_RELAY_BATCH: positiveInt.max(10_000).default(500),
  })
  .transform((env, context) => {
    checkCommonConfig(env, context);
    for (const [variable, table] of retentionOverAggregates) {
      const minimum = minimumRetentionDays(table);
      if (env[variable] < minimum) {
        const reach = aggregateRefreshReach[table];
        context.addIssue({
          code: "custom",
          path: [variable],
          message:
            `must be at least ${minimum}: ${reach.aggregate} refreshes the last ${describeHours(reach.hours)}, and ` +
            `a refresh over dropped ${table} erases that aggregate's history unless the raw rows outlive the window ` +
            `by ${AGGREGATE_HISTORY_MARGIN_HOURS} hours (docs/retention.md)`,
        });
      }
    }
    if (Boolean(env.CORRELATOR_TLS_CERT_FILE) !== Boolean(env.CORRELATOR_TLS_KEY_FILE)) {
      context.addIssue({
        code: "custom",
        path: ["CORRELATOR_TLS_CERT_FILE"],
        message: "CORRELATOR_TLS_CERT_FILE and CORRELATOR_TLS_KEY_FILE must be set together",
      });
    }
    if (env.CORRELATOR_TLS_CLIENT_CA_FILE && !env.CORRELATOR_TLS_CERT_FILE) {
      context.addIssue({
        code: "custom",
        path: ["CORRELATOR_TLS_CLIENT_CA_FILE"],
        message: "needs CORRELATOR_TLS_CERT_FILE and CORRELATOR_TLS_KEY_FILE",
      });
    }
    if (env.CORRELATOR_CRASH_POINT && env.HUB_MODE !== "test") {
      context.addIssue({ code: "custom", path: ["CORRELATOR_CRASH_POINT"], message: "is only allowed in test mode" });
      return z.NEVER;
    }
    const CORRELATOR_RUN_DB_JOBS = env.CORRELATOR_RUN_DB_JOBS ?? (env.HUB_MODE === "test" ? "never" : "auto");
    if (env.CORRELATOR_API_TOKEN)
      return { ...env, CORRELATOR_RUN_DB_JOBS, CORRELATOR_API_TOKEN: env.CORRELATOR_API_TOKEN };
    if (env.HUB_MODE === "production") {
      context.addIssue({ code: "custom", path: ["CORRELATOR_API_TOKEN"], message: "is required in production mode" });
      return z.NEVER;
    }
    return { ...env, CORRELATOR_RUN_DB_JOBS, CORRELATOR_API_TOKEN: DEV_CORRELATOR_TOKEN };
  });

export { DEV_CORRELATOR_TOKEN };

/** Every environment variable this configuration reads (the deployment files are checked against it). */
export const configVariables: readonly string[] = Object.keys(schema.in.shape);

export type CorrelatorConfig = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): CorrelatorConfig {
  return loadConfig(schema, env);
}
