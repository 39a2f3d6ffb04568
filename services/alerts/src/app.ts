import { readFileSync } from "node:fs";
import {
  bootstrapService,
  httpsServerOptions,
  type Logger,
  type RunningService,
  type ServiceDependencies,
  type ServiceWiring,
} from "@hub/common";
import { PUBLIC_ALERTS } from "@hub/contracts";
import Fastify from "fastify";
import { CapFeedChannel } from "./channels/cap-feed.channel.js";
import type { Channel } from "./channels/channel.js";
import { PublicPageChannel } from "./channels/public-page.channel.js";
import { loadWebhookApps, WebhookChannel } from "./channels/webhook.channel.js";
import { WeChatChannel } from "./channels/wechat.channel.js";
import type { AlertsConfig } from "./config.js";
import { registerHttp } from "./controllers/http.controller.js";
import { createAlertsMetrics } from "./metrics.js";
import { partnerFeedsOf } from "./partners/partner-feeds.wiring.js";
import { AuditRepository } from "./repositories/audit.repository.js";
import { DeliveriesRepository } from "./repositories/deliveries.repository.js";
import { IncidentsRepository } from "./repositories/incidents.repository.js";
import { MessagesRepository } from "./repositories/messages.repository.js";
import { RecipientsRepository } from "./repositories/recipients.repository.js";
import { PoolTransactions } from "./repositories/transactions.repository.js";
import { WeChatTokenRepository } from "./repositories/wechat-token.repository.js";
import { signCap } from "./services/cap-signature.js";
import { Dispatcher } from "./services/dispatcher.service.js";
import { AlertWorkflow } from "./services/workflow.service.js";

export type AlertsApp = RunningService<{
  port: number;
  /** Channel names, in the order they were set up. */
  channels: string[];
}>;

const senderName = {
  "zh-Hant": "民防行動中心",
  pt: "Centro de Operações de Protecção Civil",
  en: "Civil Protection Operations Centre",
};

export function startAlerts(
  config: AlertsConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AlertsApp> {
  return bootstrapService({
    name: "alerts",
    config,
    logger,
    ops: { host: config.ALERTS_HOST, port: config.ALERTS_OPS_PORT },
    wire: (dependencies) => wireAlerts(config, env, dependencies),
  });
}

/** The alerts service's own parts: channels, dispatcher, workflow, expiry sweep and the HTTP API and feed. */
async function wireAlerts(
  config: AlertsConfig,
  env: NodeJS.ProcessEnv,
  { pool, kafka, logger }: ServiceDependencies,
): Promise<ServiceWiring<{ port: number; channels: string[] }>> {
  const metrics = createAlertsMetrics();
  const messages = new MessagesRepository();
  const deliveries = new DeliveriesRepository(pool);

  let workflow: AlertWorkflow | undefined;
  const current = (alertId: string) => (workflow as AlertWorkflow).current(alertId);
  const publicPage = await PublicPageChannel.start(kafka, current);
  const channels: Channel[] = [publicPage, new CapFeedChannel(pool, messages)];
  if (config.ALERTS_WEBHOOKS_FILE) {
    for (const app of loadWebhookApps(config.ALERTS_WEBHOOKS_FILE, env)) {
      channels.push(new WebhookChannel(app, logger.child({ ns: "webhook", app: app.name })));
    }
  }
  if (config.ALERTS_WECHAT_APP_ID) {
    const recipients = new RecipientsRepository(pool);
    channels.push(
      new WeChatChannel({
        apiBase: config.ALERTS_WECHAT_API_BASE,
        appId: config.ALERTS_WECHAT_APP_ID,
        appSecret: config.ALERTS_WECHAT_APP_SECRET as string,
        templateId: config.ALERTS_WECHAT_TEMPLATE_ID as string,
        language: config.ALERTS_WECHAT_LANGUAGE,
        ...(config.ALERTS_WECHAT_TEMPLATE_KEYS ? { templateKeys: config.ALERTS_WECHAT_TEMPLATE_KEYS } : {}),
        recipients: () => recipients.active(),
        tokenStore: new WeChatTokenRepository(pool, config.ALERTS_WECHAT_APP_ID, config.ALERTS_INSTANCE_ID),
        pageUrl: () => new URL(PUBLIC_ALERTS.page, config.ALERTS_PUBLIC_BASE_URL).toString(),
        logger: logger.child({ ns: "wechat" }),
      }),
    );
  }

  let signingKey: { key: string; cert: string } | undefined;
  if (config.ALERTS_CAP_SIGNING_KEY_FILE && config.ALERTS_CAP_SIGNING_CERT_FILE) {
    signingKey = {
      key: readFileSync(config.ALERTS_CAP_SIGNING_KEY_FILE, "utf8"),
      cert: readFileSync(config.ALERTS_CAP_SIGNING_CERT_FILE, "utf8"),
    };
  }

  let sends = 0;
  const dispatcher: Dispatcher = new Dispatcher(channels, {
    deliveries,
    message: (messageId) => (workflow as AlertWorkflow).outbound(messageId),
    owner: config.ALERTS_INSTANCE_ID,
    pollMs: config.ALERTS_DISPATCH_POLL_MS,
    logger: logger.child({ ns: "dispatch" }),
    observer: metrics.dispatch,
    ...(config.ALERTS_CRASH_AFTER_SENDS
      ? {
          afterSend: () => {
            sends += 1;
            if (sends >= (config.ALERTS_CRASH_AFTER_SENDS as number)) {
              logger.warn({ sends }, "crash injected (test mode)");
              process.kill(process.pid, "SIGKILL");
            }
          },
        }
      : {}),
  });
  workflow = new AlertWorkflow({
    transactions: new PoolTransactions(pool),
    messages,
    deliveries,
    incidents: new IncidentsRepository(pool),
    audit: new AuditRepository(),
    channels,
    options: {
      sender: config.ALERTS_CAP_SENDER,
      identifierPrefix: config.ALERTS_CAP_IDENTIFIER_PREFIX,
      capStatus: config.ALERTS_CAP_STATUS,
      publicBaseUrl: config.ALERTS_PUBLIC_BASE_URL,
      senderName,
      ...(signingKey ? { sign: (xml: string) => signCap(xml, signingKey.key, signingKey.cert) } : {}),
    },
    published: () => dispatcher.wake(),
  });

  // Whatever this instance was sending when it last stopped is due again now.
  const released = await deliveries.releaseOwned(config.ALERTS_INSTANCE_ID);
  if (released > 0) logger.warn({ released }, "deliveries in flight at the last stop are due again");
  dispatcher.start();

  const expiryTimer = setInterval(() => {
    (workflow as AlertWorkflow)
      .expireDue(async (source) => (await publicPage.publish(source)).outcome === "sent")
      .then((expired) => {
        if (expired > 0) {
          metrics.expired.inc(expired);
          logger.info({ expired }, "alerts expired");
        }
      })
      .catch((err: unknown) => logger.warn({ err }, "expiry sweep failed"));
  }, config.ALERTS_EXPIRY_CHECK_MS);

  const partnerFeeds = partnerFeedsOf(config, { pool, messages, observer: metrics.partners, logger });
  // With ALERTS_TLS_CLIENT_CA_FILE only the gateway's certificate gets through: the public feed and documents are
  // reached through the gateway's /cap/* too, as always (ALERTS_PUBLIC_BASE_URL is the gateway's origin).
  const tls = httpsServerOptions({
    certFile: config.ALERTS_TLS_CERT_FILE,
    keyFile: config.ALERTS_TLS_KEY_FILE,
    clientCaFile: config.ALERTS_TLS_CLIENT_CA_FILE,
  });
  const http = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false, https: tls });
  registerHttp(http, {
    workflow,
    partnerImports: partnerFeeds.importer,
    messages,
    pool,
    apiToken: config.ALERTS_API_TOKEN,
    publicBaseUrl: config.ALERTS_PUBLIC_BASE_URL,
    feedTitle: {
      "zh-Hant": "澳門民防警告",
      pt: "Avisos de Protecção Civil de Macau",
      en: "Macao civil protection warnings",
    },
    author: senderName.en,
    logger: logger.child({ ns: "http" }),
  });
  await http.listen({ host: config.ALERTS_HOST, port: config.ALERTS_PORT });
  partnerFeeds.start();
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : config.ALERTS_PORT;
  logger.info(
    {
      port,
      tls: tls === null ? "off" : config.ALERTS_TLS_CLIENT_CA_FILE ? "mutual" : "on",
      channels: channels.map((c) => c.name),
      capStatus: config.ALERTS_CAP_STATUS,
      signed: Boolean(signingKey),
    },
    "alerts service ready",
  );
  return {
    exposed: { port, channels: channels.map((c) => c.name) },
    metrics: metrics.registry,
    async stop() {
      clearInterval(expiryTimer);
      await partnerFeeds.stop();
      await http.close();
      await dispatcher.stop();
      for (const channel of channels) await channel.close?.();
    },
  };
}
