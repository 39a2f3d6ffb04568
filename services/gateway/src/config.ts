import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import {
  checkCommonConfig,
  commonConfigShape,
  DEV_ALERTS_TOKEN,
  DEV_CORRELATOR_TOKEN,
  kafkaTopicsConfigShape,
  loadConfig,
  macaoLandPath,
  port,
  positiveInt,
} from "@hub/common";
import { z } from "zod";

/** The built dashboard, next to this package in the repository (web/dist). */
const defaultWebDir = fileURLToPath(new URL("../../../web/dist", import.meta.url)).replace(
  /\/services\/web\/dist\/?$/,
  "/web/dist",
);

const schema = z
  .object({
    ...commonConfigShape,
    ...kafkaTopicsConfigShape,
    GATEWAY_HOST: z.string().default("0.0.0.0"),
    /** REST API, Socket.IO and the dashboard, on one port. */
    GATEWAY_PORT: port.default(8080),
    GATEWAY_OPS_PORT: port.default(9466),
    /** HMAC key for the sign-in tokens (JWT, HS256); at least 32 characters; required outside development/test. */
    GATEWAY_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** How long a sign-in lasts (a command-centre shift). */
    GATEWAY_TOKEN_TTL_S: positiveInt.max(7 * 24 * 3600).default(12 * 3600),
    /** The built dashboard (vite build output). */
    GATEWAY_WEB_DIR: z.string().default(defaultWebDir),
    /** GeoJSON land outline for the offline base map. */
    GATEWAY_LAND_GEOJSON: z.string().default(macaoLandPath),
    /** A production MapLibre style (vector tile server); unset = the offline base map. */
    GATEWAY_MAP_STYLE_URL: z.url().optional(),
    GATEWAY_MAP_ATTRIBUTION: z.string().default("Land outline © OpenStreetMap contributors (ODbL)"),
    /** Names this instance: its own Kafka consumer group and the `epoch` of its live stream. */
    GATEWAY_INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default(
        `${hostname()
          .replace(/[^A-Za-z0-9._-]/g, "-")
          .slice(0, 32)}-${process.pid}`,
      ),
    /** Live updates are coalesced and emitted this often (camera status, sensors, detections). */
    GATEWAY_EMIT_INTERVAL_MS: positiveInt.max(5000).default(100),
    /** Socket.IO clients allowed at once; more are refused with a clear error. */
    GATEWAY_MAX_CLIENTS: positiveInt.default(10_000),
    /** Allowed browser origins for Socket.IO and the API (comma-separated); unset = same origin only. */
    GATEWAY_CORS_ORIGINS: z.string().optional(),
    /** The correlator's IncidentService / CaseAssistService (gRPC). */
    CORRELATOR_GRPC_ADDRESS: z.string().default("127.0.0.1:50052"),
    /** PEM CA of the correlator's certificate: set it when the correlator speaks TLS (CORRELATOR_TLS_CERT_FILE). */
    CORRELATOR_TLS_CA_FILE: z.string().min(1).optional(),
    /** PEM client certificate and key the gateway presents to a correlator that requires mutual TLS. */
    CORRELATOR_TLS_CLIENT_CERT_FILE: z.string().min(1).optional(),
    CORRELATOR_TLS_CLIENT_KEY_FILE: z.string().min(1).optional(),
    /** The correlator's service token; required outside development/test. */
    CORRELATOR_API_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    /** The alerts service (authoring API, CAP feed), proxied under /api/v1/alerting and /cap. */
    ALERTS_URL: z.url().default("http://127.0.0.1:8081"),
    /** The alerts service's token; required outside development/test. */
    ALERTS_API_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    /** Longest window a case lookup may cover. */
    GATEWAY_CASE_MAX_WINDOW_H: positiveInt.max(24).default(24),
    /** Ed25519 private key (PEM) that signs evidence exports; required in production. */
    GATEWAY_EXPORT_KEY_FILE: z.string().optional(),
    /** Development mode: password of the seeded users. */
    DEV_USER_PASSWORD: z.string().min(8).default("development"),
  })
  .transform((env, context) => {
    checkCommonConfig(env, context);
    if (Boolean(env.CORRELATOR_TLS_CLIENT_CERT_FILE) !== Boolean(env.CORRELATOR_TLS_CLIENT_KEY_FILE)) {
      context.addIssue({
        code: "custom",
        path: ["CORRELATOR_TLS_CLIENT_CERT_FILE"],
        message: "CORRELATOR_TLS_CLIENT_CERT_FILE and CORRELATOR_TLS_CLIENT_KEY_FILE must be set together",
      });
    }
    if (env.CORRELATOR_TLS_CLIENT_CERT_FILE && !env.CORRELATOR_TLS_CA_FILE) {
      context.addIssue({
        code: "custom",
        path: ["CORRELATOR_TLS_CLIENT_CERT_FILE"],
        message: "needs CORRELATOR_TLS_CA_FILE (a client certificate is only sent over TLS)",
      });
    }
    const production = env.HUB_MODE === "production";
    for (const key of [
      "GATEWAY_JWT_SECRET",
      "CORRELATOR_API_TOKEN",
      "ALERTS_API_TOKEN",
      "GATEWAY_EXPORT_KEY_FILE",
    ] as const) {
      if (production && !env[key])
        context.addIssue({ code: "custom", path: [key], message: "is required in production mode" });
    }
    if (production) {
      return {
        ...env,
        GATEWAY_JWT_SECRET: env.GATEWAY_JWT_SECRET as string,
        CORRELATOR_API_TOKEN: env.CORRELATOR_API_TOKEN as string,
        ALERTS_API_TOKEN: env.ALERTS_API_TOKEN as string,
      };
    }
    return {
      ...env,
      // Outside production a fresh random key per process is safe: tokens simply do not survive a restart.
      GATEWAY_JWT_SECRET: env.GATEWAY_JWT_SECRET ?? randomBytes(32).toString("base64url"),
      CORRELATOR_API_TOKEN: env.CORRELATOR_API_TOKEN ?? DEV_CORRELATOR_TOKEN,
      ALERTS_API_TOKEN: env.ALERTS_API_TOKEN ?? DEV_ALERTS_TOKEN,
    };
  });

export type GatewayConfig = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(schema, env);
}
