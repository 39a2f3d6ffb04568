import type { Logger } from "@hub/common";
import type { ApprovedRule } from "../repositories/rule-versions.repository.js";
import { parseRules, type RuleSet } from "./rules.js";

/**
 * Hot reload of approved rule versions: each poll reads the approved version of every rule and, when that set has
 * changed, hands the new rules to `apply` (CorrelationService.reload). The rules file still gives the set-wide
 * settings (lateness bound, file version). A stored set the schema refuses keeps the rules in force (and says so).
 */
export class RulesReloadService {
  private fingerprint = "";
  private rules: RuleSet;

  constructor(
    private readonly deps: {
      approved: () => Promise<ApprovedRule[]>;
      file: RuleSet;
      apply: (rules: RuleSet, versions: ReadonlyMap<string, number>) => void;
      logger: Logger;
    },
  ) {
    this.rules = deps.file;
  }

  /** The rules in force. */
  get current(): RuleSet {
    return this.rules;
  }

  /** Reads the approved versions; true when they changed and were applied. */
  async poll(): Promise<boolean> {
    const approved = await this.deps.approved();
    const fingerprint = approved.map((rule) => `${rule.ruleId}:${rule.version}`).join(",");
    if (fingerprint === this.fingerprint) return false;
    let rules: RuleSet;
    try {
      rules = parseRules(
        {
          version: this.deps.file.version,
          latenessS: this.deps.file.latenessS,
          rules: approved.map((rule) => rule.definition),
        },
        "correlation_rule_versions",
      );
    } catch (err) {
      this.deps.logger.error({ err }, "approved rule versions refused; the rules in force stay");
      this.fingerprint = fingerprint;
      return false;
    }
    const versions = new Map(approved.map((rule) => [rule.ruleId, rule.version]));
    this.deps.apply(rules, versions);
    this.rules = rules;
    const first = this.fingerprint === "";
    this.fingerprint = fingerprint;
    this.deps.logger.info(
      { versions: Object.fromEntries(versions) },
      first ? "rule versions in force" : "approved rule versions reloaded",
    );
    return true;
  }
}
