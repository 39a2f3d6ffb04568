import { createMetricsRegistry } from "@hub/common";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CorrelationObserver } from "./services/correlation.service.js";
import { transactionSteps, type WriterObserver } from "./services/writer.service.js";

export function createCorrelatorMetrics(): {
  registry: Registry;
  writer: WriterObserver;
  correlation: CorrelationObserver;
  /** The approved version of each rule this instance runs (after each hot reload). */
  rulesInForce(versions: ReadonlyMap<string, number>): void;
} {
  const registry = createMetricsRegistry("correlator");
  const rows = new Counter({
    name: "hub_correlator_messages_total",
    help: "Messages consumed, by topic and outcome (stored, duplicate, dead_letter)",
    labelNames: ["topic", "outcome"],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "hub_correlator_batch_seconds",
    help: "Time from a partition batch's arrival to the commit of the transaction that stored it",
    labelNames: ["topic"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const stepSeconds = new Counter({
    name: "hub_correlator_transaction_step_seconds_total",
    help: "Time the writer's transactions spent in each step (decode, insert, correlate, health, outbox, offsets, transaction: connect, BEGIN, COMMIT)",
    labelNames: ["step"],
    registers: [registry],
  });
  const statements = new Histogram({
    name: "hub_correlator_transaction_statements",
    help: "Statements (round trips, BEGIN and COMMIT included) one writer transaction sent to the database",
    buckets: [4, 6, 8, 10, 15, 20, 30, 50, 100, 250],
    registers: [registry],
  });
  const batchesPerTransaction = new Histogram({
    name: "hub_correlator_transaction_batches",
    help: "Partition batches one writer transaction stored (group commit)",
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  const messagesPerTransaction = new Counter({
    name: "hub_correlator_transaction_messages_total",
    help: "Messages the writer's transactions took",
    registers: [registry],
  });
  const incidents = new Counter({
    name: "hub_correlator_incident_changes_total",
    help: "Incidents opened or updated (late = updated by a late event), by rule",
    labelNames: ["rule", "change"],
    registers: [registry],
  });
  const ruleVersion = new Gauge({
    name: "hub_correlator_rule_version",
    help: "The approved version of each correlation rule this instance runs (correlation_rule_versions)",
    labelNames: ["rule"],
    registers: [registry],
  });
  return {
    registry,
    rulesInForce(versions) {
      ruleVersion.reset();
      for (const [rule, version] of versions) ruleVersion.set({ rule }, version);
    },
    correlation: { incident: (rule, change) => incidents.inc({ rule, change }) },
    writer: {
      transaction(profile) {
        for (const step of transactionSteps) stepSeconds.inc({ step }, profile.seconds[step]);
        statements.observe(profile.statements);
        batchesPerTransaction.observe(profile.batches);
        messagesPerTransaction.inc(profile.messages);
      },
      batch(topic, outcome, elapsed) {
        rows.inc({ topic, outcome: "stored" }, outcome.stored);
        rows.inc({ topic, outcome: "duplicate" }, outcome.duplicates);
        rows.inc({ topic, outcome: "dead_letter" }, outcome.deadLettered);
        seconds.observe({ topic }, elapsed);
      },
    },
  };
}
