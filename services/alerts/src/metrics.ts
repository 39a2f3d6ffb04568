import { createMetricsRegistry } from "@hub/common";
import { Counter, Histogram, type Registry } from "prom-client";
import type { PartnerFeedObserver } from "./partners/partner-feed.poller.js";
import type { DispatchObserver } from "./services/dispatcher.service.js";

export function createAlertsMetrics(): {
  registry: Registry;
  dispatch: DispatchObserver;
  expired: Counter;
  partners: PartnerFeedObserver;
} {
  const registry = createMetricsRegistry("alerts");
  const attempts = new Counter({
    name: "hub_alerts_delivery_attempts_total",
    help: "Delivery attempts by channel and outcome (sent, failed = retry scheduled, dead, deferred)",
    labelNames: ["channel", "outcome"],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "hub_alerts_delivery_attempt_seconds",
    help: "Time of one delivery attempt, by channel",
    labelNames: ["channel"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const expired = new Counter({
    name: "hub_alerts_expired_total",
    help: "Alerts that reached their expiry and left the public views",
    registers: [registry],
  });
  const partnerPolls = new Counter({
    name: "hub_alerts_partner_feed_polls_total",
    help: "Polls of partner CAP feeds by feed and outcome (ok, not-modified, failed = unreachable or HTTP error)",
    labelNames: ["feed", "outcome"],
    registers: [registry],
  });
  const partnerImports = new Counter({
    name: "hub_alerts_partner_imports_total",
    help: "Partner signals and documents by outcome (drafted, refused, ignored, repeat = already recorded)",
    labelNames: ["feed", "outcome"],
    registers: [registry],
  });
  const partnerRefusals = new Counter({
    name: "hub_alerts_partner_refusals_total",
    help: "Partner feeds and CAP documents refused, by cause (malformed, unsigned, bad-signature, invalid-cap, …)",
    labelNames: ["feed", "cause"],
    registers: [registry],
  });
  return {
    registry,
    expired,
    partners: {
      poll: (feed, outcome) => partnerPolls.inc({ feed, outcome }),
      imported(feed, outcome, refusal) {
        partnerImports.inc({ feed, outcome });
        if (refusal && outcome === "refused") partnerRefusals.inc({ feed, cause: refusal });
      },
    },
    dispatch: {
      attempt(channel, outcome, elapsed) {
        attempts.inc({ channel, outcome });
        seconds.observe({ channel }, elapsed);
      },
    },
  };
}
