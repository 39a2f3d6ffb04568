import type { Logger, Pool } from "@hub/common";
import type { AlertsConfig } from "../config.js";
import { AuditRepository } from "../repositories/audit.repository.js";
import type { MessagesRepository } from "../repositories/messages.repository.js";
import { PartnerFeedHttp } from "../repositories/partner-feed.http.js";
import { PartnerImportsRepository } from "../repositories/partner-imports.repository.js";
import { PoolTransactions } from "../repositories/transactions.repository.js";
import { type PartnerFeedObserver, PartnerFeedPoller } from "./partner-feed.poller.js";
import { PartnerImporter } from "./partner-import.service.js";

/** The partner-feed importer (also read by the HTTP API) and its poller, started once the service listens. */
export function partnerFeedsOf(
  config: AlertsConfig,
  deps: { pool: Pool; messages: MessagesRepository; observer: PartnerFeedObserver; logger: Logger },
): { importer: PartnerImporter<unknown>; start(): void; stop(): Promise<void> } {
  const importer = new PartnerImporter({
    transactions: new PoolTransactions(deps.pool),
    messages: deps.messages,
    imports: new PartnerImportsRepository(),
    audit: new AuditRepository(),
    sender: config.ALERTS_CAP_SENDER,
    identifierPrefix: config.ALERTS_CAP_IDENTIFIER_PREFIX,
    feeds: config.ALERTS_PARTNER_FEEDS,
  }) as PartnerImporter<unknown>;
  const poller = new PartnerFeedPoller({
    feeds: config.ALERTS_PARTNER_FEEDS,
    http: new PartnerFeedHttp({
      timeoutMs: config.ALERTS_PARTNER_FEED_TIMEOUT_MS,
      maxBytes: config.ALERTS_PARTNER_FEED_MAX_BYTES,
    }),
    importer,
    observer: deps.observer,
    logger: deps.logger.child({ ns: "partner-feeds" }),
  });
  return {
    importer,
    start: () => {
      if (config.ALERTS_PARTNER_FEEDS.length > 0) {
        deps.logger.info({ feeds: config.ALERTS_PARTNER_FEEDS.map((feed) => feed.id) }, "polling partner feeds");
      }
      poller.start();
    },
    stop: () => poller.stop(),
  };
}
