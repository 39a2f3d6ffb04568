import { describe, expect, it } from "vitest";
import shipped from "../../procedures/procedures.v1.json" with { type: "json" };
import { parseProcedures } from "./procedures-file.repository.js";

const title = { "zh-Hant": "通知消防局", pt: "Notificar o Corpo de Bombeiros", en: "Notify the fire services" };

describe("standard operating procedures file", () => {
  it("accepts the shipped file, with a fire procedure in the three languages", () => {
    const procedures = parseProcedures(shipped, "shipped");
    expect(procedures.get("fire")?.map((step) => step.id)).toEqual([
      "notify_fire_services",
      "check_nearby_cameras",
      "consider_public_alert",
    ]);
    for (const steps of procedures.values())
      for (const step of steps) for (const text of Object.values(step.title)) expect(text.trim()).not.toBe("");
  });

  it("refuses duplicate step ids, a missing language, a bad id and an unknown version, naming each", () => {
    const bad = {
      version: 1,
      kinds: {
        fire: [
          { id: "notify", title },
          { id: "notify", title },
        ],
        flood: [{ id: "Bad Id", title: { en: "x", pt: "x" } }],
      },
    };
    expect(() => parseProcedures(bad, "test")).toThrow(/kinds\.fire: step ids must be unique/);
    expect(() => parseProcedures(bad, "test")).toThrow(/kinds\.flood\.0\.id/);
    expect(() => parseProcedures(bad, "test")).toThrow(/kinds\.flood\.0\.title\.zh-Hant/);
    expect(() => parseProcedures({ version: 2, kinds: {} }, "test")).toThrow(/^test: version/);
  });
});
