import { readFileSync } from "node:fs";
import { parseScenario, type Scenario } from "../services/scenario.js";

/** Reads and checks a scenario file (SIMULATOR_SCENARIO, e.g. scenarios/fire-and-crowd.json). */
export function loadScenario(path: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(path, "utf8")), path);
}
