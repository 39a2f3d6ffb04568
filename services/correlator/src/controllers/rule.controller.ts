import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { type GrpcContext, unary, ValidationError } from "@hub/common";
import type { DryRunIncident, DryRunRuleRequest, DryRunRuleResponse } from "@hub/proto";
import type { DryRunIncidentRow } from "../repositories/dry-run.repository.js";
import type { RuleDryRunService } from "../services/rule-dry-run.service.js";

function toMessage(row: DryRunIncidentRow): DryRunIncident {
  return {
    correlationKey: row.correlationKey,
    severity: row.severity,
    firstEventAt: row.firstEventAt,
    lastEventAt: row.lastEventAt,
    evidence: row.evidence,
    ruleVersion: row.ruleVersion ?? 0,
  };
}

/** hub.v1.RuleService */
export function ruleController(service: RuleDryRunService, context: GrpcContext<string>): UntypedServiceImplementation {
  return {
    dryRunRule: unary<DryRunRuleRequest, DryRunRuleResponse, string>("DryRunRule", context, async (request) => {
      if (!request.ruleId) throw new ValidationError("rule_id", "is required");
      if (!request.version) throw new ValidationError("version", "is required");
      const result = await service.run(request.ruleId, request.version, request.hours);
      return {
        from: result.from,
        to: result.to,
        eventsRead: result.eventsRead,
        truncated: result.truncated,
        wouldOpen: result.wouldOpen.map(toMessage),
        opened: result.opened.map(toMessage),
      };
    }),
  };
}
