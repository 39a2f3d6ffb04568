import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../repositories/scenario-file.repository.js";
import { effectsAt, type Scenario, scenarioSchema } from "./scenario.js";

const scenariosDir = fileURLToPath(new URL("../../scenarios", import.meta.url));
const near = { lat: 22.1935, lon: 113.5405 };
const camera = (lat: number, lon: number) => ({ id: "C", position: { lat, lon } });

describe("scenarios", () => {
  it("loads every shipped scenario", () => {
    const files = readdirSync(scenariosDir).filter((file) => file.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(loadScenario(join(scenariosDir, file)).steps.length).toBeGreaterThan(0);
  });

  it("refuses an unknown action and names the step", () => {
    const parsed = scenarioSchema.safeParse({ name: "x", version: 1, steps: [{ action: "earthquake", at: 0 }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["steps", 0, "action"]);
  });

  it("applies a fire only near its place and only during its time", () => {
    const scenario: Scenario = scenarioSchema.parse({
      name: "f",
      version: 1,
      steps: [{ action: "fire", at: 10, near, radiusM: 150, durationS: 60 }],
    });
    expect(effectsAt(scenario, 5).fireNear(camera(near.lat, near.lon))).toBe(false);
    expect(effectsAt(scenario, 20).fireNear(camera(near.lat, near.lon))).toBe(true);
    expect(effectsAt(scenario, 20).fireNear(camera(near.lat + 0.01, near.lon))).toBe(false); // ~1.1 km away
    expect(effectsAt(scenario, 71).fireNear(camera(near.lat, near.lon))).toBe(false);
  });

  it("raises the storm surge to its peak, holds it, and lets it recede", () => {
    const scenario = scenarioSchema.parse({
      name: "s",
      version: 1,
      steps: [{ action: "storm_surge", at: 0, peakLevelM: 1.5, riseS: 100, holdS: 50 }],
    });
    const level = (t: number) => effectsAt(scenario, t).surgeLevel();
    expect(level(50)).toBeGreaterThan(level(10));
    expect(level(120)).toBeCloseTo(1.5);
    expect(level(200)).toBeLessThan(level(120));
    expect(effectsAt(scenario, 120).rainfall()).toBe(40);
  });
});
