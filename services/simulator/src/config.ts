import {
  booleanFlag,
  checkCommonConfig,
  devDeviceToken,
  devSites,
  hubMode,
  loadConfig,
  logLevel,
  port,
  positiveInt,
} from "@hub/common";
import { z } from "zod";

const schema = z
  .object({
    HUB_MODE: hubMode,
    LOG_LEVEL: logLevel,
    /** host:port of the ingest service's gRPC endpoint. */
    INGEST_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, "expected host:port")
      .default("127.0.0.1:50051"),
    INGEST_TLS_CA_FILE: z.string().optional(),
    /** Client certificate and key, for an ingest service that requires mutual TLS. */
    INGEST_TLS_CLIENT_CERT_FILE: z.string().optional(),
    INGEST_TLS_CLIENT_KEY_FILE: z.string().optional(),
    SIMULATOR_CAMERAS: positiveInt.max(20_000).default(1701),
    SIMULATOR_DETECTION_RATE: z.coerce.number().min(0).max(100_000).default(200),
    SIMULATOR_HEARTBEAT_INTERVAL_S: positiveInt.default(60),
    SIMULATOR_READING_INTERVAL_S: positiveInt.default(10),
    SIMULATOR_SEED: z.coerce.number().int().default(853),
    /** A scenario JSON file (see services/simulator/scenarios). */
    SIMULATOR_SCENARIO: z.string().optional(),
    /** "site=token,site=token"; defaults to the development tokens in development mode only. */
    SIMULATOR_DEVICE_TOKENS: z.string().optional(),
    HUB_REGION_FILE: z.string().optional(),
    SIMULATOR_HOST: z.string().default("0.0.0.0"),
    /** /healthz, /readyz (ready once every device is registered) and /metrics. */
    SIMULATOR_OPS_PORT: port.default(9468),
    /**
     * Detections carry a snapshot URI at their site's recorder built from this template ({camera}, {event}, {at});
     * `npm start` points it at the development stand-in recorder. Unset: no snapshots.
     */
    SIMULATOR_SNAPSHOT_URL_TEMPLATE: z.string().url().max(900).optional(),
    /** Set by the `npm start` launcher: stop when stdin closes (the launcher died). */
    HUB_EXIT_WITH_STDIN: booleanFlag.default(false),
  })
  .transform((env, context) => {
    checkCommonConfig(env, context);
    let tokens: Map<string, string>;
    if (env.SIMULATOR_DEVICE_TOKENS) {
      tokens = new Map(
        env.SIMULATOR_DEVICE_TOKENS.split(",").map((pair) => {
          const [site = "", token = ""] = pair.split("=", 2);
          return [site.trim(), token.trim()] as const;
        }),
      );
    } else if (env.HUB_MODE === "development" || env.HUB_MODE === "test") {
      tokens = new Map(devSites.map((site) => [site.id, devDeviceToken(site.id)]));
    } else {
      context.addIssue({
        code: "custom",
        path: ["SIMULATOR_DEVICE_TOKENS"],
        message: "is required outside development mode",
      });
      return z.NEVER;
    }
    return { ...env, tokens };
  });

export type SimulatorConfig = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  return loadConfig(schema, env);
}
