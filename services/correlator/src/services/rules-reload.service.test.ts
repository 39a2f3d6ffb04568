import { createLogger } from "@hub/common";
import { describe, expect, it } from "vitest";
import type { ApprovedRule } from "../repositories/rule-versions.repository.js";
import { rule, ruleSet } from "../testing/correlation.js";
import type { RuleSet } from "./rules.js";
import { RulesReloadService } from "./rules-reload.service.js";

const logger = createLogger("test", "silent");

function reloader(approved: ApprovedRule[][]) {
  const applied: { rules: RuleSet; versions: ReadonlyMap<string, number> }[] = [];
  let round = 0;
  const service = new RulesReloadService({
    approved: async () => approved[Math.min(round++, approved.length - 1)] ?? [],
    file: ruleSet(rule.fire()),
    apply: (rules, versions) => applied.push({ rules, versions }),
    logger,
  });
  return { service, applied };
}

describe("RulesReloadService", () => {
  it("applies the approved versions once, and again only when one changes", async () => {
    const v1 = [{ ruleId: "fire", version: 1, definition: rule.fire() }];
    const v2 = [{ ruleId: "fire", version: 2, definition: { ...rule.fire(), radiusM: 300, enabled: false } }];
    const { service, applied } = reloader([v1, v1, v2, v2]);
    expect(await service.poll()).toBe(true);
    expect(await service.poll()).toBe(false);
    expect(await service.poll()).toBe(true);
    expect(await service.poll()).toBe(false);
    expect(applied.map((a) => [a.versions.get("fire"), a.rules.rules[0]?.enabled])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(service.current.rules[0]).toMatchObject({ radiusM: 300 });
    // The file's set-wide settings stay.
    expect(service.current.latenessS).toBe(120);
  });

  it("keeps the rules in force when a stored version is refused by the schema", async () => {
    const good = [{ ruleId: "fire", version: 1, definition: rule.fire() }];
    const bad = [{ ruleId: "fire", version: 2, definition: { ...rule.fire(), radiusM: -5 } }];
    const { service, applied } = reloader([good, bad, bad]);
    await service.poll();
    expect(await service.poll()).toBe(false);
    expect(await service.poll()).toBe(false);
    expect(applied).toHaveLength(1);
    expect(service.current.rules[0]).toMatchObject({ radiusM: 150 });
  });
});
