import { createMetricsRegistry } from "@hub/common";
import { Counter, Gauge, type Registry } from "prom-client";
import type { LiveObserver } from "./services/live.service.js";

export function createGatewayMetrics(): {
  registry: Registry;
  live: LiveObserver;
  consumed: Counter<"topic" | "outcome">;
  clients: Gauge;
  passwordHashes: Counter<"log2n">;
  signIns: Counter<"outcome">;
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
  const passwordHashes = new Counter({
    name: "hub_gateway_password_hashes_total",
    help: "scrypt derivations (sign-ins, also of unknown users, and re-hashes), by log2 of N",
    labelNames: ["log2n"],
    registers: [registry],
  });
  const signIns = new Counter({
    name: "hub_gateway_sign_ins_total",
    help: "Password sign-ins, by outcome (success, failure, throttled, busy)",
    labelNames: ["outcome"],
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
    passwordHashes,
    signIns,
    checkpoints,
    sessionDisconnects,
    live: { emitted: (event, rooms) => emitted.inc({ event }, rooms) },
  };
}
