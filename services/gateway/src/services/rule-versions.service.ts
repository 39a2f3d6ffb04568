import { type AuditEntry, parseInput, ValidationError } from "@hub/common";
import {
  type DryRunIncident,
  proposeRuleVersionRequestSchema,
  RULE_EDITOR_ROLES,
  RULE_ID_PATTERN,
  type RuleDryRun,
  type RuleHistory,
  type RuleVersionView,
  ruleDecisionRequestSchema,
  ruleDryRunRequestSchema,
} from "@hub/contracts";
import type { DryRunIncident as DryRunIncidentMessage, DryRunRuleResponse } from "@hub/proto";
import type { RuleVersionsRepository } from "../repositories/rule-versions.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/**
 * Correlation rules staff edit (issue 15): a supervisor or administrator proposes a version (checked with the
 * schema the correlator runs), a different one approves or rejects it (the two-person rule), and any of them may
 * dry-run a version in the correlator first. Every change is audited with the change itself.
 */
export class RuleVersionsService {
  constructor(
    private readonly deps: {
      versions: Pick<RuleVersionsRepository, "history" | "get" | "propose" | "decide">;
      dryRun: (ruleId: string, version: number, hours: number) => Promise<DryRunRuleResponse>;
      audit: { record(entry: AuditEntry): Promise<void> };
    },
  ) {}

  async history(principal: Principal, ruleId: string): Promise<RuleHistory> {
    AuthService.require(principal, ...RULE_EDITOR_ROLES);
    return this.deps.versions.history(checkId(ruleId));
  }

  async propose(principal: Principal, ruleId: string, body: unknown, sourceIp: string): Promise<RuleVersionView> {
    AuthService.require(principal, ...RULE_EDITOR_ROLES);
    const request = parseInput(proposeRuleVersionRequestSchema, body ?? {}, "body");
    if (request.definition.id !== checkId(ruleId)) throw new ValidationError("body.definition.id", `must be ${ruleId}`);
    return this.deps.versions.propose(
      { ruleId, definition: request.definition, changeNote: request.changeNote, proposedBy: principal.username },
      (created) => ({
        actor: principal.username,
        action: "rules.version.propose",
        subject: `rule:${ruleId}`,
        criteria: { version: created.version, changeNote: created.changeNote, definition: created.definition },
        sourceIp,
      }),
    );
  }

  async decide(
    principal: Principal,
    ruleId: string,
    version: string,
    approve: boolean,
    body: unknown,
    sourceIp: string,
  ): Promise<RuleVersionView> {
    AuthService.require(principal, ...RULE_EDITOR_ROLES);
    const { note } = parseInput(ruleDecisionRequestSchema, body ?? {}, "body");
    return this.deps.versions.decide(
      { ruleId: checkId(ruleId), version: checkVersion(version), approve, decidedBy: principal.username },
      (decided) => ({
        actor: principal.username,
        action: approve ? "rules.version.approve" : "rules.version.reject",
        subject: `rule:${ruleId}`,
        criteria: { version: decided.version, proposedBy: decided.proposedBy, ...(note ? { note } : {}) },
        sourceIp,
      }),
    );
  }

  async dryRun(principal: Principal, ruleId: string, version: string, body: unknown, sourceIp: string) {
    AuthService.require(principal, ...RULE_EDITOR_ROLES);
    const { hours } = parseInput(ruleDryRunRequestSchema, body ?? {}, "body");
    const number = checkVersion(version);
    await this.deps.versions.get(checkId(ruleId), number);
    const answer = await this.deps.dryRun(ruleId, number, hours);
    const result: RuleDryRun = {
      ruleId,
      version: number,
      from: (answer.from ?? new Date()).toISOString(),
      to: (answer.to ?? new Date()).toISOString(),
      eventsRead: answer.eventsRead,
      truncated: answer.truncated,
      wouldOpen: answer.wouldOpen.map(fromMessage),
      opened: answer.opened.map(fromMessage),
    };
    // The run reads stored events (detections among them); what it read and returned is recorded.
    await this.deps.audit.record({
      actor: principal.username,
      action: "rules.version.dry_run",
      subject: `rule:${ruleId}`,
      criteria: { version: number, hours, eventsRead: result.eventsRead, truncated: result.truncated },
      resultCount: result.wouldOpen.length,
      sourceIp,
    });
    return result;
  }
}

function checkId(ruleId: string): string {
  if (!RULE_ID_PATTERN.test(ruleId)) throw new ValidationError("id", "must be a rule id (a-z, 0-9, -; 2 to 40)");
  return ruleId;
}

function checkVersion(version: string): number {
  const number = Number(version);
  if (!/^[1-9][0-9]{0,8}$/.test(version)) throw new ValidationError("version", "must be a version number");
  return number;
}

function fromMessage(message: DryRunIncidentMessage): DryRunIncident {
  return {
    correlationKey: message.correlationKey,
    severity: message.severity as DryRunIncident["severity"],
    firstEventAt: (message.firstEventAt ?? new Date(0)).toISOString(),
    lastEventAt: (message.lastEventAt ?? new Date(0)).toISOString(),
    evidence: message.evidence,
    ruleVersion: message.ruleVersion || null,
  };
}
