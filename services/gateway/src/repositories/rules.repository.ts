import type { Pool } from "@hub/common";
import { type LocalizedText, type RulesView, type RuleView, ruleDefinitionSchema, type Severity } from "@hub/contracts";

interface StoredRule {
  id: string;
  kind: string;
  form: string;
  titles: LocalizedText;
  severity: Severity;
  radiusM?: number;
  windowS?: number;
  minCount?: number;
  silenceS?: number;
  enabled?: boolean;
}

/**
 * The correlation rules as the correlators run them (the approved version of each, correlation_rule_versions), each
 * with its pending versions and its false alarms: incidents
 * of the rule in state false_alarm whose first event is within the last 7 / 30 days (incidents_false_alarms_idx).
 */
export class RulesRepository {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<RulesView> {
    const result = await this.pool.query<{
      definition: StoredRule;
      rule_version: number;
      pending: string;
      week: string;
      month: string;
      now: Date;
    }>(
      `SELECT r.definition, r.version AS rule_version, now() AS now,
              (SELECT count(*) FROM correlation_rule_versions p WHERE p.rule_id = r.rule_id AND p.status = 'pending')
                AS pending,
              count(i.id) FILTER (WHERE i.first_event_at >= now() - interval '7 days') AS week,
              count(i.id) AS month
         FROM correlation_rule_versions r
         LEFT JOIN incidents i
           ON i.rule_id = r.rule_id AND i.status = 'false_alarm' AND i.first_event_at >= now() - interval '30 days'
        WHERE r.status = 'approved'
        GROUP BY r.rule_id, r.definition, r.version
        ORDER BY r.rule_id`,
    );
    const rules: RuleView[] = result.rows.map(({ definition: rule, week, month, rule_version, pending }) => ({
      id: rule.id,
      kind: rule.kind,
      form: rule.form,
      titles: rule.titles,
      severity: rule.severity,
      radiusM: rule.radiusM ?? null,
      windowS: rule.windowS ?? null,
      minCount: rule.minCount ?? null,
      silenceS: rule.silenceS ?? null,
      falseAlarms7d: Number(week),
      falseAlarms30d: Number(month),
      enabled: rule.enabled !== false,
      ruleVersion: rule_version,
      pendingVersions: Number(pending),
      // With the schema's defaults filled in (distinctSources, enabled, …): the editor starts from the whole rule.
      definition: (ruleDefinitionSchema.safeParse(rule).data ?? rule) as Record<string, unknown>,
    }));
    return {
      version: Math.max(0, ...result.rows.map((row) => row.rule_version)),
      computedAt: (result.rows[0]?.now ?? new Date()).toISOString(),
      rules,
    };
  }
}
