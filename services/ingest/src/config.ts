import {
  checkCommonConfig,
  commonConfigShape,
  kafkaTopicsConfigShape,
  loadConfig,
  port,
  positiveInt,
} from "@hub/common";
import { z } from "zod";

const schema = z
  .object({
    ...commonConfigShape,
    ...kafkaTopicsConfigShape,
    INGEST_HOST: z.string().default("0.0.0.0"),
    INGEST_PORT: port.default(50051),
    INGEST_OPS_PORT: port.default(9464),
    /** PEM files; when cert and key are set the gRPC port speaks TLS, and with a CA it requires client certificates. */
    INGEST_TLS_CERT_FILE: z.string().optional(),
    INGEST_TLS_KEY_FILE: z.string().optional(),
    INGEST_TLS_CLIENT_CA_FILE: z.string().optional(),
    /** GeoJSON of the area devices may be placed in; defaults to Macao's land outline. */
    HUB_REGION_FILE: z.string().optional(),
    /** Devices on piers, bridges and sea walls sit just off the land outline. */
    INGEST_REGION_MARGIN_M: z.coerce.number().min(0).max(10_000).default(300),
    /** How far in the future an event's time may be (device clocks drift). */
    INGEST_MAX_FUTURE_SKEW_MS: positiveInt.default(30_000),
    /** Events older than this are refused; matches the detections retention. */
    INGEST_MAX_EVENT_AGE_MS: positiveInt.default(7 * 24 * 3600 * 1000),
    INGEST_MAX_MESSAGE_BYTES: positiveInt.default(4 * 1024 * 1024),
    INGEST_MAX_BATCH: positiveInt.max(10_000).default(1000),
    /** A client stream carrying more events than this ends with RESOURCE_EXHAUSTED (the rest go on a new stream). */
    INGEST_MAX_STREAM_EVENTS: positiveInt.default(100_000),
    /** Entries in a stream's summary: every event up to this many, past it only events not accepted (capped). */
    INGEST_SUMMARY_MAX_RESULTS: positiveInt.max(100_000).default(1000),
    /** Unacknowledged publishes per stream above which reading pauses (backpressure to the client). */
    INGEST_STREAM_MAX_IN_FLIGHT: positiveInt.max(100_000).default(5000),
    /**
     * Per-site token bucket: events/s a site may publish (over all its calls on this instance) and its burst.
     * Per instance: with N ingest instances, configure the site's rate divided by N.
     */
    INGEST_SITE_RATE: z.coerce.number().positive().default(2000),
    INGEST_SITE_BURST: positiveInt.default(10_000),
    /**
     * How long this instance remembers the event ids it published (services/recent-events.ts). Per instance, on
     * purpose: a repeat that reaches another instance (or this one after a restart) is published again, and the
     * correlator's unique key on (site, event id) stores it once, so sharing the window would buy nothing but a
     * database round trip per event. README "Several instances of each service".
     */
    INGEST_DEDUP_WINDOW_MS: positiveInt.default(10 * 60 * 1000),
    INGEST_DEDUP_MAX_ENTRIES: positiveInt.default(1_000_000),
    /** Idempotent producers working in parallel; a key always uses the same one, so per-key order holds. */
    KAFKA_PRODUCER_LANES: positiveInt.max(16).default(4),
    /**
     * The Kafka client of the lanes' idempotent producers: kafkajs (the default, as every other Kafka use in the hub)
     * or @platformatic/kafka (opt-in; same guarantees, see services/common/src/platformatic-lane-client.ts).
     */
    KAFKA_PRODUCER_CLIENT: z.enum(["kafkajs", "platformatic"]).default("kafkajs"),
    KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
    KAFKA_MAX_BATCH_MESSAGES: positiveInt.default(1000),
    KAFKA_SEND_TIMEOUT_MS: positiveInt.default(10_000),
    KAFKA_MAX_QUEUED_MESSAGES: positiveInt.default(100_000),
    REGISTRY_REFRESH_MS: positiveInt.default(30_000),
    /**
     * Development mode only: the development sites' recorder is the stand-in at this base URL (`npm start` sets it;
     * README "Video evidence"). Elsewhere, `npm run site:recorder` configures each site's recorder.
     */
    INGEST_DEV_RECORDER_URL: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine(checkCommonConfig)
  .refine((env) => env.INGEST_SITE_BURST >= env.INGEST_MAX_BATCH, {
    message: "INGEST_SITE_BURST must be at least INGEST_MAX_BATCH (a full stream message must be able to pass)",
    path: ["INGEST_SITE_BURST"],
  })
  .refine((env) => Boolean(env.INGEST_TLS_CERT_FILE) === Boolean(env.INGEST_TLS_KEY_FILE), {
    message: "INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE must be set together",
    path: ["INGEST_TLS_CERT_FILE"],
  })
  .refine((env) => !env.INGEST_TLS_CLIENT_CA_FILE || Boolean(env.INGEST_TLS_CERT_FILE), {
    message: "INGEST_TLS_CLIENT_CA_FILE needs INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE",
    path: ["INGEST_TLS_CLIENT_CA_FILE"],
  });

/** Every environment variable this configuration reads (the deployment files are checked against it). */
export const configVariables: readonly string[] = Object.keys(schema.shape);

export type IngestConfig = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return loadConfig(schema, env);
}
