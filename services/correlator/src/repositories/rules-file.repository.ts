import { readFileSync } from "node:fs";
import { parseRules, type RuleSet } from "../services/rules.js";

/** The rules file shipped with the correlator (rules/rules.v1.json), from src/ or dist/src/ alike. */
export const defaultRulesPath: string = new URL("../../rules/rules.v1.json", import.meta.url).pathname.replace(
  /\/dist\/rules\//,
  "/rules/",
);

/** Reads and checks the correlation rules file (CORRELATOR_RULES_FILE); a bad file stops start-up with its reason. */
export function loadRules(path: string = defaultRulesPath): RuleSet {
  return parseRules(JSON.parse(readFileSync(path, "utf8")), path);
}
