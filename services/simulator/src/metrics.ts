import { createMetricsRegistry } from "@hub/common";
import { Counter, type Registry } from "prom-client";
import type { SimulatorObserver } from "./services/simulator.service.js";

export interface SimulatorMetrics {
  registry: Registry;
  observer: SimulatorObserver;
}

export function createSimulatorMetrics(): SimulatorMetrics {
  const registry = createMetricsRegistry("simulator");
  const events = new Counter({
    name: "hub_simulator_events_total",
    help: "Simulated events sent, by kind and by what ingest made of them (failed = dropped after its retries)",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  const retries = new Counter({
    name: "hub_simulator_retries_total",
    help: "Calls repeated after ingest was unavailable or too slow, by call",
    labelNames: ["call"],
    registers: [registry],
  });
  const registrations = new Counter({
    name: "hub_simulator_registrations_total",
    help: "Device registrations, by device kind and outcome",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  return {
    registry,
    observer: {
      events: (kind, outcome, count) => {
        if (count > 0) events.inc({ kind, outcome }, count);
      },
      retried: (call) => retries.inc({ call }),
      registration: (kind, outcome) => registrations.inc({ kind, outcome }),
    },
  };
}
