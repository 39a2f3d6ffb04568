import type { Pool } from "@hub/common";
import type { LocalizedText, RulesView, RuleView, Severity } from "@hub/contracts";

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
}

/**
 * The correlation rules as the correlator last loaded them (correlation_rules), each with its false alarms: incidents
 * of the rule in state false_alarm whose first event is within the last 7 / 30 days (incidents_false_alarms_idx).
 */
export class RulesRepository {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<RulesView> {
    const result = await this.pool.query<{
      definition: StoredRule;
      rules_version: number;
      week: string;
      month: string;
      now: Date;
    }>(
      `SELECT r.definition, r.rules_version, now() AS now,
              count(i.id) FILTER (WHERE i.first_event_at >= now() - interval '7 days') AS week,
              count(i.id) AS month
         FROM correlation_rules r
         LEFT JOIN incidents i
           ON i.rule_id = r.id AND i.status = 'false_alarm' AND i.first_event_at >= now() - interval '30 days'
        GROUP BY r.id, r.definition, r.rules_version
        ORDER BY r.id`,
    );
    const rules: RuleView[] = result.rows.map(({ definition: rule, week, month }) => ({
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
    }));
    return {
      version: Math.max(0, ...result.rows.map((row) => row.rules_version)),
      computedAt: (result.rows[0]?.now ?? new Date()).toISOString(),
      rules,
    };
  }
}
