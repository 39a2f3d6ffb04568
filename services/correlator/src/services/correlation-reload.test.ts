import { createLogger, type PoolClient } from "@hub/common";
import { describe, expect, it } from "vitest";
import { detection, MemoryIncidentStore, RecordingPublisher, reading, rule, ruleSet } from "../testing/correlation.js";
import { CorrelationService } from "./correlation.service.js";
import type { EventRow } from "./records.js";
import { DryRunStore } from "./rule-dry-run.service.js";

// Rule versions in CorrelationService (issue 15): a reload takes effect from the next batch, incidents record the
// version that opened them, a disabled rule opens nothing; and the dry run's store opens what the memory store opens.

const logger = createLogger("correlation-reload-test", "silent");
const fireAt = (east: number, s = 0) => detection({ east, s, objectClass: "fire", confidence: 0.8 });
const smokeAt = (east: number, s = 0) => reading({ east, s, sensor: "smoke-1", kind: "smoke", value: 12 });

function setup() {
  const store = new MemoryIncidentStore();
  const service = new CorrelationService(
    ruleSet(rule.fire()),
    { incidents: store, publisher: new RecordingPublisher(), logger },
    new Map([["fire", 1]]),
  );
  const evaluate = (...events: EventRow[]) => {
    store.store(events);
    return service.evaluate(store.tx, events);
  };
  return { store, service, evaluate };
}

describe("reloading rule versions", () => {
  it("records the version in force on the incidents it opens, before and after a reload", async () => {
    const { store, service, evaluate } = setup();
    await evaluate(fireAt(0), smokeAt(50));
    service.reload(ruleSet({ ...rule.fire(), radiusM: 400 }), new Map([["fire", 2]]));
    // 300 m apart: beyond version 1's 150 m, within version 2's 400 m; 10 km from the first pair.
    await evaluate(fireAt(10_000, 5), smokeAt(10_300, 5));
    expect([...store.incidents.values()].map((row) => row.rule_definition_version)).toEqual([1, 2]);
  });

  it("opens nothing for a disabled rule", async () => {
    const { store, service, evaluate } = setup();
    service.reload(ruleSet({ ...rule.fire(), enabled: false }), new Map([["fire", 3]]));
    expect(await evaluate(fireAt(0), smokeAt(50))).toBe(0);
    expect(store.incidents.size).toBe(0);
  });
});

describe("the dry run's store", () => {
  it("opens the same incidents as the in-memory store for the same batches", async () => {
    const batches = [[fireAt(0), smokeAt(60, 20)], [fireAt(5_000, 40)], [smokeAt(5_050, 50)], [fireAt(20_000, 60)]];
    const memory = setup();
    for (const batch of batches) await memory.evaluate(...batch);
    const dry = new DryRunStore({ watchList: async () => new Map(), inMaintenance: async () => new Set() });
    const service = new CorrelationService<PoolClient>(
      ruleSet(rule.fire()),
      { incidents: dry, publisher: { publish: async () => undefined }, logger },
      new Map([["fire", 1]]),
    );
    for (const batch of batches) {
      dry.store(batch);
      await service.evaluate({} as PoolClient, batch);
    }
    const expected = [...memory.store.incidents.values()].map((row) => ({
      correlationKey: row.correlation_key,
      severity: row.severity,
      evidence: memory.store.evidenceOf(row.id).length,
      ruleVersion: 1,
    }));
    expect(expected).toHaveLength(2);
    expect(
      dry.opened().map(({ correlationKey, severity, evidence, ruleVersion }) => ({
        correlationKey,
        severity,
        evidence,
        ruleVersion,
      })),
    ).toEqual(expected);
  });
});
