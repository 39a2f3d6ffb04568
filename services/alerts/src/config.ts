import { hostname } from "node:os";
import {
  checkCommonConfig,
  checkPublicBaseUrl,
  checkServerTlsConfig,
  commonConfigShape,
  DEV_ALERTS_TOKEN,
  kafkaTopicsConfigShape,
  loadConfig,
  port,
  positiveInt,
} from "@hub/common";
import { z } from "zod";
import { WECHAT_TEMPLATE_FIELDS, type WeChatTemplateField } from "./channels/wechat.channel.js";
import { checkPartnerFeedsForProduction, parsePartnerFeeds } from "./partner-feeds.config.js";

const schema = z
  .object({
    ...commonConfigShape,
    ...kafkaTopicsConfigShape,
    ALERTS_HOST: z.string().default("0.0.0.0"),
    /** Authoring API (for the gateway, with ALERTS_API_TOKEN) and the CAP feed (public through the gateway), one port. */
    ALERTS_PORT: port.default(8081),
    /** PEM certificate and key: with both, ALERTS_PORT serves HTTPS; neither = plain HTTP. */
    ALERTS_TLS_CERT_FILE: z.string().min(1).optional(),
    ALERTS_TLS_KEY_FILE: z.string().min(1).optional(),
    /** PEM CA: with it, ALERTS_PORT requires a client certificate it signed (mutual TLS: the gateway's). */
    ALERTS_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
    ALERTS_OPS_PORT: port.default(9467),
    /** Bearer token the gateway presents; required outside development and test mode. */
    ALERTS_API_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    /**
     * Names this instance: it holds the leases of the deliveries it is sending, and takes them back on restart. Must
     * be unique among running instances; the default (host name and process id) is, also for two on one host, and
     * stays the same across restarts in a container (its process is pid 1). Leases of an id that never comes back
     * run out and are claimed by the others.
     */
    ALERTS_INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default(
        `${
          hostname()
            .replace(/[^A-Za-z0-9._-]/g, "-")
            .slice(0, 48) || "alerts"
        }-${process.pid}`,
      ),
    /** CAP <sender> and the prefix of every CAP identifier. */
    ALERTS_CAP_SENDER: z
      .string()
      .regex(/^[^\s,<&]+$/, "no spaces, commas, < or &")
      .default("cpc.gov.mo"),
    ALERTS_CAP_IDENTIFIER_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,40}$/)
      .default("MO-CPC"),
    /** CAP <status>: Actual in production; Exercise or Test for drills and staging. */
    ALERTS_CAP_STATUS: z.enum(["Actual", "Exercise", "Test", "System"]).optional(),
    /** The public origin (scheme://host[:port]) that serves the feed and the public page, for absolute links. */
    ALERTS_PUBLIC_BASE_URL: z.url().default("http://127.0.0.1:8080"),
    /** Optional XML digital signature of every CAP message: RSA private key and certificate (PEM files). */
    ALERTS_CAP_SIGNING_KEY_FILE: z.string().optional(),
    ALERTS_CAP_SIGNING_CERT_FILE: z.string().optional(),
    /** Citizen-app webhook subscribers (JSON, see infra/alerts/webhooks.example.json); unset = no webhook channel. */
    ALERTS_WEBHOOKS_FILE: z.string().optional(),
    /** WeChat official account; the channel is on when ALERTS_WECHAT_APP_ID is set. */
    ALERTS_WECHAT_API_BASE: z.url().default("https://api.weixin.qq.com"),
    ALERTS_WECHAT_APP_ID: z.string().min(1).optional(),
    ALERTS_WECHAT_APP_SECRET: z.string().min(1).optional(),
    ALERTS_WECHAT_TEMPLATE_ID: z.string().min(1).optional(),
    ALERTS_WECHAT_LANGUAGE: z.enum(["zh-Hant", "pt", "en"]).default("zh-Hant"),
    /**
     * The template's data keys, when they differ from the defaults (headline=thing1,event=thing2,areas=thing3,
     * time=time4,instruction=thing5): the keys are fixed by the template chosen on mp.weixin.qq.com.
     */
    ALERTS_WECHAT_TEMPLATE_KEYS: z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined || value.trim() === "") return undefined;
        const keys: Partial<Record<WeChatTemplateField, string>> = {};
        for (const pair of value.split(",")) {
          const [field, key, ...rest] = pair.split("=").map((part) => part.trim());
          if (!field || !key || rest.length > 0 || !(WECHAT_TEMPLATE_FIELDS as readonly string[]).includes(field)) {
            context.addIssue({
              code: "custom",
              message: `"${pair}": expected <field>=<key> with a field of ${WECHAT_TEMPLATE_FIELDS.join(", ")}`,
            });
            return z.NEVER;
          }
          if (!/^[a-z]+\d*$/i.test(key)) {
            context.addIssue({ code: "custom", message: `"${key}": not a WeChat template data key (e.g. thing1)` });
            return z.NEVER;
          }
          keys[field as WeChatTemplateField] = key;
        }
        return keys;
      }),
    /** How often the dispatcher looks for due retries when nothing wakes it. */
    ALERTS_DISPATCH_POLL_MS: positiveInt.max(60_000).default(500),
    /** How often active alerts past their expiry are expired (and leave the public views). */
    ALERTS_EXPIRY_CHECK_MS: positiveInt.max(600_000).default(5000),
    /**
     * Partner agencies' CAP feeds to draft from (JSON array, see README "Warnings from partner agencies"): id, name
     * per language, Atom url, trustedCertFiles, pollIntervalMs, rules (CAP event / eventCode → template).
     */
    ALERTS_PARTNER_FEEDS: z
      .string()
      .optional()
      .transform((value, context) => parsePartnerFeeds(value, context)),
    /** Per request to a partner feed (the feed or one CAP document). */
    ALERTS_PARTNER_FEED_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
    /** Largest partner feed or CAP document read; a larger one is refused. */
    ALERTS_PARTNER_FEED_MAX_BYTES: positiveInt.max(16 * 1024 * 1024).default(1024 * 1024),
    /** Test mode only: SIGKILL the process after this many successful sends (crash tests). */
    ALERTS_CRASH_AFTER_SENDS: positiveInt.optional(),
  })
  .transform((env, context) => {
    checkCommonConfig(env, context);
    checkPublicBaseUrl(env, "ALERTS_PUBLIC_BASE_URL", context);
    checkServerTlsConfig(
      env,
      { cert: "ALERTS_TLS_CERT_FILE", key: "ALERTS_TLS_KEY_FILE", clientCa: "ALERTS_TLS_CLIENT_CA_FILE" },
      context,
    );
    const production = env.HUB_MODE === "production";
    if (env.ALERTS_CRASH_AFTER_SENDS && env.HUB_MODE !== "test") {
      context.addIssue({ code: "custom", path: ["ALERTS_CRASH_AFTER_SENDS"], message: "is only allowed in test mode" });
    }
    if (production && !env.ALERTS_API_TOKEN) {
      context.addIssue({ code: "custom", path: ["ALERTS_API_TOKEN"], message: "is required in production mode" });
    }
    if (env.ALERTS_WECHAT_APP_ID) {
      for (const key of ["ALERTS_WECHAT_APP_SECRET", "ALERTS_WECHAT_TEMPLATE_ID"] as const) {
        if (!env[key])
          context.addIssue({ code: "custom", path: [key], message: "is required with ALERTS_WECHAT_APP_ID" });
      }
    }
    if (production) checkPartnerFeedsForProduction(env.ALERTS_PARTNER_FEEDS, context);
    if (Boolean(env.ALERTS_CAP_SIGNING_KEY_FILE) !== Boolean(env.ALERTS_CAP_SIGNING_CERT_FILE)) {
      context.addIssue({
        code: "custom",
        path: ["ALERTS_CAP_SIGNING_CERT_FILE"],
        message: "set both ALERTS_CAP_SIGNING_KEY_FILE and ALERTS_CAP_SIGNING_CERT_FILE, or neither",
      });
    }
    return {
      ...env,
      ALERTS_API_TOKEN: env.ALERTS_API_TOKEN ?? DEV_ALERTS_TOKEN,
      // Outside production, messages say so: a drill must never look like a real warning to an aggregator.
      ALERTS_CAP_STATUS: env.ALERTS_CAP_STATUS ?? (production ? "Actual" : "Exercise"),
    };
  });

export { DEV_ALERTS_TOKEN };

/** Every environment variable this configuration reads (the deployment files are checked against it). */
export const configVariables: readonly string[] = Object.keys(schema.in.shape);

export type AlertsConfig = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  return loadConfig(schema, env);
}
