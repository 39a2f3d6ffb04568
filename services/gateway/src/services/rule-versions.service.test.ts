import { HubError } from "@hub/common";
import { describe, expect, it } from "vitest";
import type { Principal } from "./auth.service.js";
import { RuleVersionsService } from "./rule-versions.service.js";

const person = (username: string, ...roles: Principal["roles"]): Principal =>
  ({ username, displayName: username, roles }) as Principal;
const supervisor = person("ana", "supervisor");
const operator = person("rui", "operator");

const rule = {
  id: "fire",
  kind: "fire",
  titles: { "zh-Hant": "火警", pt: "Incêndio", en: "Fire" },
  form: "co_occurrence",
  radiusM: 150,
  windowS: 120,
  severity: "extreme",
  require: [{ any: [{ source: "detection", objectClasses: ["fire"] }] }, { any: [{ source: "sensor_reading" }] }],
};

function setup() {
  const calls: string[] = [];
  const service = new RuleVersionsService({
    versions: {
      history: async () => {
        calls.push("history");
        return { ruleId: "fire", current: 1, versions: [] };
      },
      get: async () => {
        calls.push("get");
        return {} as never;
      },
      propose: async (proposal) => {
        calls.push(`propose ${proposal.proposedBy} ${proposal.definition.enabled}`);
        return {} as never;
      },
      decide: async (decision) => {
        calls.push(`decide ${decision.version} ${decision.approve} ${decision.decidedBy}`);
        return {} as never;
      },
    },
    dryRun: async () => {
      calls.push("dry-run");
      return { from: new Date(0), to: new Date(3_600_000), eventsRead: 0, truncated: false, wouldOpen: [], opened: [] };
    },
    audit: { record: async () => void calls.push("audit") },
  });
  return { service, calls };
}

async function refusal(work: () => Promise<unknown>): Promise<{ code: string; field: string | undefined }> {
  try {
    await work();
  } catch (error) {
    if (error instanceof HubError) return { code: error.code, field: error.fieldPath };
    throw error;
  }
  throw new Error("not refused");
}

describe("rule versions", () => {
  it("proposes with the proposer's name and the schema's defaults, decides with the decider's", async () => {
    const { service, calls } = setup();
    await service.propose(supervisor, "fire", { definition: rule, changeNote: "Wider" }, "10.0.0.1");
    await service.decide(person("bo", "administrator"), "fire", "2", true, {}, "10.0.0.1");
    expect(calls).toEqual(["propose ana true", "decide 2 true bo"]);
  });

  it("refuses other roles, another rule's definition, bad versions and bad hours before any storage", async () => {
    const { service, calls } = setup();
    expect(await refusal(() => service.history(operator, "fire"))).toMatchObject({ code: "PERMISSION_DENIED" });
    expect(
      await refusal(() => service.propose(supervisor, "flood", { definition: rule, changeNote: "Wider" }, "")),
    ).toEqual({ code: "INVALID_ARGUMENT", field: "body.definition.id" });
    expect(
      await refusal(() =>
        service.propose(supervisor, "fire", { definition: { ...rule, windowS: 0 }, changeNote: "Wider" }, ""),
      ),
    ).toEqual({ code: "INVALID_ARGUMENT", field: "body.definition.windowS" });
    expect(await refusal(() => service.decide(supervisor, "fire", "0", true, {}, ""))).toEqual({
      code: "INVALID_ARGUMENT",
      field: "version",
    });
    expect(await refusal(() => service.decide(supervisor, "FIRE!", "2", true, {}, ""))).toEqual({
      code: "INVALID_ARGUMENT",
      field: "id",
    });
    expect(await refusal(() => service.dryRun(supervisor, "fire", "2", { hours: 0 }, ""))).toEqual({
      code: "INVALID_ARGUMENT",
      field: "body.hours",
    });
    expect(calls).toEqual([]);
  });

  it("audits a dry run after the correlator answers", async () => {
    const { service, calls } = setup();
    const result = await service.dryRun(supervisor, "fire", "2", { hours: 24 }, "10.0.0.1");
    expect(result).toMatchObject({ ruleId: "fire", version: 2, wouldOpen: [], opened: [] });
    expect(calls).toEqual(["get", "dry-run", "audit"]);
  });
});
