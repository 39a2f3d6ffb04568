import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import {
  booleanFlag,
  checkCommonConfig,
  checkHttpsClientConfig,
  checkServerTlsConfig,
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
import { proxyEntryProblem } from "./controllers/client-address.js";
import { MIN_SCRYPT_LOG2N, OWASP_SCRYPT } from "./services/passwords.js";
import { DEFAULT_THROTTLE_POLICY } from "./services/sign-in-throttle.js";

/** The built dashboard, next to this package in the repository (web/dist). */
const defaultWebDir = fileURLToPath(new URL("../../../web/dist", import.meta.url)).replace(
  /\/services\/web\/dist\/?$/,
  "/web/dist",
);

/** The shipped standard operating procedures per incident kind (services/gateway/procedures), from src/ or dist/src/. */
const defaultProceduresFile = fileURLToPath(new URL("../../procedures/procedures.v1.json", import.meta.url)).replace(
  /\/services\/procedures\/procedures\.v1\.json$/,
  "/services/gateway/procedures/procedures.v1.json",
);

const schema = z
  .object({
    ...commonConfigShape,
    ...kafkaTopicsConfigShape,
    GATEWAY_HOST: z.string().default("0.0.0.0"),
    /** REST API, Socket.IO and the dashboard, on one port. */
    GATEWAY_PORT: port.default(8080),
    /** PEM certificate and key: with both, GATEWAY_PORT serves HTTPS (and Socket.IO over it); neither = plain HTTP. */
    GATEWAY_TLS_CERT_FILE: z.string().min(1).optional(),
    GATEWAY_TLS_KEY_FILE: z.string().min(1).optional(),
    GATEWAY_OPS_PORT: port.default(9466),
    /** A clip opened for an evidence time runs from this many seconds before it… */
    GATEWAY_CLIP_BEFORE_S: z.coerce.number().int().min(0).max(3600).default(30),
    /** …to this many seconds after it. */
    GATEWAY_CLIP_AFTER_S: z.coerce.number().int().min(1).max(3600).default(60),
    /** Still frames a clip viewer shows across the clip's window (when the site's recorder serves stills). */
    GATEWAY_CLIP_FRAMES: z.coerce.number().int().min(1).max(60).default(6),
    /** How long the gateway waits for a site's recorder (stills, snapshots, a clip's digest). */
    GATEWAY_RECORDER_TIMEOUT_MS: positiveInt.max(60_000).default(5000),
    /** The largest still or snapshot the gateway relays from a recorder. */
    GATEWAY_RECORDER_MAX_BYTES: positiveInt.max(64 * 1024 * 1024).default(5 * 1024 * 1024),
    /** HMAC key for the sign-in tokens (JWT, HS256); at least 32 characters; required outside development/test. */
    GATEWAY_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** How long a sign-in (its server-side session) lasts: a command-centre shift; refreshing never goes past it. */
    GATEWAY_TOKEN_TTL_S: positiveInt.max(7 * 24 * 3600).default(12 * 3600),
    /** How long one access token lasts; the dashboard refreshes it before then with its single-use refresh token. */
    GATEWAY_ACCESS_TOKEN_TTL_S: positiveInt.min(30).max(3600).default(300),
    /** How long an instance trusts its last "this session is live" answer for REST calls (0: ask every time). */
    GATEWAY_SESSION_CHECK_CACHE_MS: z.coerce.number().int().min(0).max(30_000).default(2000),
    /** How often an instance checks the sessions of its open sockets and disconnects those that ended. */
    GATEWAY_SESSION_SWEEP_MS: positiveInt.min(100).max(60_000).default(2000),
    /** The built dashboard (vite build output). */
    GATEWAY_WEB_DIR: z.string().default(defaultWebDir),
    /** Standard operating procedures per incident kind (JSON: steps with zh-Hant/pt/en titles), for the checklists. */
    GATEWAY_PROCEDURES_FILE: z.string().default(defaultProceduresFile),
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
    /** Signed-in Socket.IO clients (the dashboard) allowed at once; more are refused with a clear error. */
    GATEWAY_MAX_CLIENTS: positiveInt.default(10_000),
    /** Anonymous clients of the public alert page ("/public") allowed at once; counted apart from GATEWAY_MAX_CLIENTS. */
    GATEWAY_MAX_PUBLIC_CLIENTS: positiveInt.default(10_000),
    /** Anonymous "/public" connections from one address (IPv6: one /64) at once. */
    GATEWAY_MAX_PUBLIC_CLIENTS_PER_ADDRESS: positiveInt.default(20),
    /** Password hashing: scrypt N = 2^this (r = 8, p = 1); OWASP's 17 at least in production, lower only for tests. */
    GATEWAY_PASSWORD_SCRYPT_LOG2N: z.coerce.number().int().min(MIN_SCRYPT_LOG2N).max(20).default(OWASP_SCRYPT.log2N),
    /** scrypt derivations at once (each takes 128 MiB at N = 2^17); further sign-ins wait, briefly, or get 429. */
    GATEWAY_PASSWORD_HASH_CONCURRENCY: positiveInt.max(16).default(2),
    /** Failed sign-ins from one address (at any usernames) before its attempts wait a doubling delay. */
    GATEWAY_SIGN_IN_FREE_PER_ADDRESS: positiveInt.default(DEFAULT_THROTTLE_POLICY.freePerAddress),
    /** Failed sign-ins at one username from one address before that address's attempts at it wait. */
    GATEWAY_SIGN_IN_FREE_PER_USER_ADDRESS: positiveInt.default(DEFAULT_THROTTLE_POLICY.freePerUserAddress),
    /** Failed sign-ins at one username from all addresses after which each address gets one free failure for it. */
    GATEWAY_SIGN_IN_USER_UNDER_ATTACK_AFTER: positiveInt.default(DEFAULT_THROTTLE_POLICY.userUnderAttackAfter),
    /** First delay of a throttled address (doubling with each further failure). */
    GATEWAY_SIGN_IN_BASE_DELAY_S: positiveInt.max(3600).default(DEFAULT_THROTTLE_POLICY.baseDelayMs / 1000),
    /** Longest delay a throttled address waits between attempts. */
    GATEWAY_SIGN_IN_MAX_DELAY_S: positiveInt.max(24 * 3600).default(DEFAULT_THROTTLE_POLICY.maxDelayMs / 1000),
    /** Failure counters are forgotten this long after their last failure. */
    GATEWAY_SIGN_IN_WINDOW_S: positiveInt.max(7 * 24 * 3600).default(DEFAULT_THROTTLE_POLICY.windowMs / 1000),
    /** Allowed browser origins for Socket.IO and the API (comma-separated); unset = same origin only. */
    GATEWAY_CORS_ORIGINS: z.string().optional(),
    /**
     * Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses, CIDR ranges, or loopback /
     * linklocal / uniquelocal); unset = none, the peer's own address is the client's (and the audited source).
     */
    GATEWAY_TRUSTED_PROXIES: z
      .string()
      .default("")
      .transform((value) =>
        value
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .superRefine((entries, context) => {
        for (const entry of entries) {
          const problem = proxyEntryProblem(entry);
          if (problem) context.addIssue({ code: "custom", message: problem });
        }
      }),
    /** Ed25519 private key (PEM) signing the audit chain's checkpoints; required in production, none = no checkpoints. */
    AUDIT_CHECKPOINT_KEY_FILE: z.string().optional(),
    /** Append-only file (JSON lines) the checkpoints also go to; unset = only the Kafka topic. */
    AUDIT_CHECKPOINT_FILE: z.string().optional(),
    /** Publish checkpoints to the compacted topic hub.audit-checkpoints.v1. */
    AUDIT_CHECKPOINT_KAFKA: booleanFlag.default(true),
    /** How often the chain's head is checkpointed (when it moved); also once on shutdown. */
    AUDIT_CHECKPOINT_INTERVAL_MS: positiveInt
      .min(100)
      .max(24 * 3600 * 1000)
      .default(60_000),
    /** The correlator's IncidentService / CaseAssistService (gRPC). */
    CORRELATOR_GRPC_ADDRESS: z.string().default("127.0.0.1:50052"),
    /** PEM CA of the correlator's certificate: set it when the correlator speaks TLS (CORRELATOR_TLS_CERT_FILE). */
    CORRELATOR_TLS_CA_FILE: z.string().min(1).optional(),
    /** PEM client certificate and key the gateway presents to a correlator that requires mutual TLS. */
    CORRELATOR_TLS_CLIENT_CERT_FILE: z.string().min(1).optional(),
    CORRELATOR_TLS_CLIENT_KEY_FILE: z.string().min(1).optional(),
    /** The correlator's service token; required outside development/test. */
    CORRELATOR_API_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    /** The alerts service (authoring API, CAP feed), proxied under /api/v1/alerting and /cap; https:// = over TLS. */
    ALERTS_URL: z.url().default("http://127.0.0.1:8081"),
    /** PEM CA of the alerts service's certificate (https:// ALERTS_URL); unset = the system's CAs. */
    ALERTS_TLS_CA_FILE: z.string().min(1).optional(),
    /** PEM client certificate and key the gateway presents to an alerts service that requires mutual TLS. */
    ALERTS_TLS_CLIENT_CERT_FILE: z.string().min(1).optional(),
    ALERTS_TLS_CLIENT_KEY_FILE: z.string().min(1).optional(),
    /** The alerts service's token; required outside development/test. */
    ALERTS_API_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    /** Longest window a case lookup may cover. */
    GATEWAY_CASE_MAX_WINDOW_H: positiveInt.max(24).default(24),
    /** Ed25519 private key (PEM) that signs evidence exports; required in production. */
    GATEWAY_EXPORT_KEY_FILE: z.string().optional(),
    /** Exports one investigator may have running at once, on all gateway instances together (more: HTTP 429). */
    GATEWAY_EXPORT_MAX_PER_USER: positiveInt.max(100).default(2),
    /** Exports running at once on all gateway instances together (more: HTTP 429). */
    GATEWAY_EXPORT_MAX_RUNNING: positiveInt.max(100).default(4),
    /** Largest number of detections in one export (the rest is left out and the manifest says so). */
    GATEWAY_EXPORT_MAX_ROWS: positiveInt.max(10_000_000).default(1_000_000),
    /** How long a finished export is kept for download before the sweep deletes it. */
    GATEWAY_EXPORT_KEEP_S: positiveInt.max(7 * 24 * 3600).default(3600),
    /** How often each gateway instance sweeps expired exports (and exports whose gateway died) away. */
    GATEWAY_EXPORT_SWEEP_S: positiveInt.max(3600).default(60),
    /** Development mode: password of the seeded users. */
    DEV_USER_PASSWORD: z.string().min(8).default("development"),
  })
  .transform((env, context) => {
    checkCommonConfig(env, context);
    checkServerTlsConfig(env, { cert: "GATEWAY_TLS_CERT_FILE", key: "GATEWAY_TLS_KEY_FILE" }, context);
    checkHttpsClientConfig(
      env,
      {
        url: "ALERTS_URL",
        ca: "ALERTS_TLS_CA_FILE",
        cert: "ALERTS_TLS_CLIENT_CERT_FILE",
        key: "ALERTS_TLS_CLIENT_KEY_FILE",
      },
      context,
    );
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
      "AUDIT_CHECKPOINT_KEY_FILE",
    ] as const) {
      if (production && !env[key])
        context.addIssue({ code: "custom", path: [key], message: "is required in production mode" });
    }
    if (production && env.GATEWAY_PASSWORD_SCRYPT_LOG2N < OWASP_SCRYPT.log2N)
      context.addIssue({
        code: "custom",
        path: ["GATEWAY_PASSWORD_SCRYPT_LOG2N"],
        message: `must be at least ${OWASP_SCRYPT.log2N} in production mode (OWASP)`,
      });
    if (env.GATEWAY_SIGN_IN_MAX_DELAY_S < env.GATEWAY_SIGN_IN_BASE_DELAY_S)
      context.addIssue({
        code: "custom",
        path: ["GATEWAY_SIGN_IN_MAX_DELAY_S"],
        message: "must be at least GATEWAY_SIGN_IN_BASE_DELAY_S",
      });
    if (env.GATEWAY_SIGN_IN_WINDOW_S <= env.GATEWAY_SIGN_IN_MAX_DELAY_S)
      context.addIssue({
        code: "custom",
        path: ["GATEWAY_SIGN_IN_WINDOW_S"],
        message: "must be longer than GATEWAY_SIGN_IN_MAX_DELAY_S",
      });
    if (production && !env.AUDIT_CHECKPOINT_FILE && !env.AUDIT_CHECKPOINT_KAFKA)
      context.addIssue({
        code: "custom",
        path: ["AUDIT_CHECKPOINT_FILE"],
        message:
          "audit checkpoints need a place outside the database in production (a file, or AUDIT_CHECKPOINT_KAFKA)",
      });
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

/** Every environment variable this configuration reads (the deployment files are checked against it). */
export const configVariables: readonly string[] = Object.keys(schema.in.shape);

export type GatewayConfig = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(schema, env);
}
