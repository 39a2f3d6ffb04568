import type { status } from "@grpc/grpc-js";
import { createMetricsRegistry, type HubError } from "@hub/common";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { EventKind, IngestObserver } from "./services/ingest.service.js";

export interface IngestMetrics {
  registry: Registry;
  observer: IngestObserver;
  onCall(method: string, code: status): void;
  /** A call or stream refused by a limit (the per-site rate, the events per stream). */
  onRefused(method: string, limit: string): void;
  onKafkaBatch(outcome: { messages: number; seconds: number; ok: boolean }): void;
  trackGauges(read: {
    queued: () => number;
    dedupEntries: () => number;
    cameras: () => number;
    sensors: () => number;
    rateLimitedSites: () => number;
  }): void;
}

/** Field paths are bounded by the schema once map keys and indexes are dropped: "attributes[x]" → "attributes". */
function reasonOf(error: HubError): string {
  return (error.fieldPath ?? "").replace(/\[[^\]]*\]/g, "") || "-";
}

export function createIngestMetrics(): IngestMetrics {
  const registry = createMetricsRegistry("ingest");
  const accepted = new Counter({
    name: "hub_ingest_events_accepted_total",
    help: "Events handed to Kafka (outcome=accepted) or recognised as recent duplicates (outcome=duplicate)",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  const rejected = new Counter({
    name: "hub_ingest_events_rejected_total",
    help: "Events refused, by status code and offending field",
    labelNames: ["kind", "code", "field"],
    registers: [registry],
  });
  const calls = new Counter({
    name: "hub_ingest_grpc_calls_total",
    help: "Finished gRPC calls by method and status code",
    labelNames: ["method", "code"],
    registers: [registry],
  });
  const refusals = new Counter({
    name: "hub_ingest_limit_refusals_total",
    help: "Calls refused and streams ended with RESOURCE_EXHAUSTED by a limit (site_rate, stream_events), by method",
    labelNames: ["method", "limit"],
    registers: [registry],
  });
  const kafkaLatency = new Histogram({
    name: "hub_ingest_kafka_batch_seconds",
    help: "Time from handing a batch to Kafka until all in-sync replicas acknowledged it",
    labelNames: ["ok"],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const kafkaBatchSize = new Histogram({
    name: "hub_ingest_kafka_batch_messages",
    help: "Messages per Kafka batch",
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500],
    registers: [registry],
  });
  const observer: IngestObserver = {
    accepted: (kind: EventKind, outcome) => accepted.inc({ kind, outcome }),
    rejected: (kind: EventKind, error) => rejected.inc({ kind, code: error.code, field: reasonOf(error) }),
  };
  return {
    registry,
    observer,
    onCall: (method, code) => calls.inc({ method, code: String(code) }),
    onRefused: (method, limit) => refusals.inc({ method, limit }),
    onKafkaBatch: ({ messages, seconds, ok }) => {
      kafkaLatency.observe({ ok: String(ok) }, seconds);
      kafkaBatchSize.observe(messages);
    },
    trackGauges: (read) => {
      const gauge = (name: string, help: string, value: () => number) =>
        new Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(value());
          },
        });
      gauge("hub_ingest_kafka_queued_messages", "Messages waiting to be handed to Kafka", read.queued);
      gauge("hub_ingest_dedup_entries", "Event ids remembered for duplicate suppression", read.dedupEntries);
      gauge("hub_ingest_registry_cameras", "Cameras in the registry cache", read.cameras);
      gauge("hub_ingest_registry_sensors", "Sensors in the registry cache", read.sensors);
      gauge("hub_ingest_rate_limit_sites", "Sites with a rate-limit bucket held in memory", read.rateLimitedSites);
    },
  };
}
