import { z } from "zod";
import { Traffic } from "./traffic.js";

/**
 * Scripted scenarios: a JSON file of timed steps, each an `action` with its own parameters. New actions are added
 * to the discriminated union and to ActiveEffects; existing files stay valid.
 *
 *   { "name": "...", "version": 1, "steps": [{ "at": 30, "action": "fire", "near": {"lat": 22.19, "lon": 113.54}, ... }] }
 */
const point = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });
const step = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("fire"),
    at: z.number().min(0),
    near: point,
    radiusM: z.number().positive().default(150),
    durationS: z.number().positive(),
  }),
  z.object({
    action: z.literal("storm_surge"),
    at: z.number().min(0),
    /** Water above road level at the inner harbour at the peak, metres. */
    peakLevelM: z.number().min(-2).max(6),
    riseS: z.number().positive(),
    holdS: z.number().min(0),
    /** Rainfall during the surge, mm/h, and wind, m/s. */
    rainfallMmH: z.number().min(0).default(40),
    windMs: z.number().min(0).default(25),
  }),
  z.object({
    action: z.literal("crowd"),
    at: z.number().min(0),
    near: point,
    radiusM: z.number().positive().default(200),
    peakCount: z.number().int().positive(),
    durationS: z.number().positive(),
  }),
  z.object({
    action: z.literal("camera_offline"),
    at: z.number().min(0),
    camera: z.string(),
    durationS: z.number().positive(),
  }),
  z.object({
    action: z.literal("traffic_accident"),
    at: z.number().min(0),
    near: point,
    radiusM: z.number().positive().default(120),
    durationS: z.number().positive(),
  }),
]);

export const scenarioSchema = z.object({
  name: z.string().min(1),
  version: z.literal(1),
  description: z.string().optional(),
  steps: z.array(step),
});

export type Scenario = z.infer<typeof scenarioSchema>;
type Step = Scenario["steps"][number];

/** Checks a scenario document (already parsed JSON); `source` names it in the error. */
export function parseScenario(document: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(document);
  if (!parsed.success) {
    throw new Error(
      `invalid scenario ${source}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

type Located = { id?: string; position?: { lat: number; lon: number } | undefined };

/** What the scenario makes true at one moment; the traffic generator asks it. */
export interface ActiveEffects {
  fireNear(device: Located): boolean;
  crowdNear(device: Located): number | undefined;
  cameraOffline(cameraId: string): boolean;
  accidentNear(device: Located): boolean;
  surgeLevel(): number;
  rainfall(): number;
  wind(): number;
}

export const noEffects: ActiveEffects = {
  fireNear: () => false,
  crowdNear: () => undefined,
  cameraOffline: () => false,
  accidentNear: () => false,
  surgeLevel: () => -Infinity,
  rainfall: () => 0,
  wind: () => 0,
};

function activeAt(steps: Step[], elapsedS: number): Step[] {
  return steps.filter((candidate) => {
    if (elapsedS < candidate.at) return false;
    const length = candidate.action === "storm_surge" ? candidate.riseS * 2 + candidate.holdS : candidate.durationS;
    return elapsedS <= candidate.at + length;
  });
}

/** The effects of `scenario` at `elapsedS` seconds after it started. */
export function effectsAt(scenario: Scenario | undefined, elapsedS: number): ActiveEffects {
  if (!scenario) return noEffects;
  const active = activeAt(scenario.steps, elapsedS);
  if (active.length === 0) return noEffects;
  const surge = active.filter((candidate) => candidate.action === "storm_surge");
  const surgeLevel = () =>
    Math.max(
      -Infinity,
      ...surge.map((candidate) => {
        const t = elapsedS - candidate.at;
        const base = -1.2;
        const up = Math.min(1, t / candidate.riseS);
        const down = Math.max(0, (t - candidate.riseS - candidate.holdS) / candidate.riseS);
        return base + (candidate.peakLevelM - base) * Math.max(0, up - down);
      }),
    );
  return {
    fireNear: (device) =>
      active.some(
        (candidate) => candidate.action === "fire" && Traffic.within(device, candidate.near, candidate.radiusM),
      ),
    crowdNear: (device) => {
      const crowd = active.find(
        (candidate) => candidate.action === "crowd" && Traffic.within(device, candidate.near, candidate.radiusM),
      );
      if (crowd?.action !== "crowd") return undefined;
      const progress = (elapsedS - crowd.at) / crowd.durationS;
      return Math.round(crowd.peakCount * Math.sin(Math.PI * Math.min(1, Math.max(0, progress))));
    },
    accidentNear: (device) =>
      active.some(
        (candidate) =>
          candidate.action === "traffic_accident" && Traffic.within(device, candidate.near, candidate.radiusM),
      ),
    cameraOffline: (cameraId) =>
      active.some((candidate) => candidate.action === "camera_offline" && candidate.camera === cameraId),
    surgeLevel,
    rainfall: () => Math.max(0, ...surge.map((candidate) => candidate.rainfallMmH)),
    wind: () => Math.max(0, ...surge.map((candidate) => candidate.windMs)),
  };
}
