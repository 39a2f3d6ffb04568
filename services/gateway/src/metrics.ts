import { createMetricsRegistry } from "@hub/common";
import { Counter, Gauge, type Registry } from "prom-client";
import type { LiveObserver } from "./services/live.service.js";

export function createGatewayMetrics(): {
  registry: Registry;
  live: LiveObserver;
  consumed: Counter<"topic" | "outcome">;
  clients: Gauge;
  checkpoints: Counter<"destination" | "outcome">;
  sessionDisconnects: Counter;
} {
  const registry = createMetricsRegistry("gateway");
  const emitted = new Counter({
    name: "hub_gateway_emits_total",
    help: "Socket.IO room emits, by event",
    labelNames: ["event"],
    registers: [registry],
  });
  const consumed = new Counter({
    name: "hub_gateway_records_total",
    help: "Kafka records read by the live feed, by topic and outcome (shown, undecodable)",
    labelNames: ["topic", "outcome"],
    registers: [registry],
  });
  const clients = new Gauge({
    name: "hub_gateway_clients",
    help: "Connected Socket.IO clients",
    registers: [registry],
  });
  const checkpoints = new Counter({
    name: "hub_gateway_audit_checkpoints_total",
    help: "Signed audit-chain checkpoints, by destination (kafka, file) and outcome (published, failed)",
    labelNames: ["destination", "outcome"],
    registers: [registry],
  });
  const sessionDisconnects = new Counter({
    name: "hub_gateway_session_disconnects_total",
    help: "Sockets disconnected because their session ended (signed out, user disabled, roles changed, expired)",
    registers: [registry],
  });
  return {
    registry,
    consumed,
    clients,
    checkpoints,
    sessionDisconnects,
    live: { emitted: (event, rooms) => emitted.inc({ event }, rooms) },
  };
}
