import type { Pool, PoolClient } from "@hub/common";
import type { RuleSet } from "../services/rules.js";

/** Who approves the versions the rules file seeds (never a person; migration 0032 allows it to be its own proposer). */
export const RULES_FILE_ACTOR = "@rules-file";

/** An approved rule version as stored (correlation_rule_versions, migration 0032). */
export interface ApprovedRule {
  ruleId: string;
  version: number;
  definition: unknown;
}

/**
 * The rule versions staff edit through the gateway. The correlator seeds version 1 of each rule of its file (only
 * for a rule with no version yet, so a restart never overwrites staff's edits) and reads the approved versions.
 */
export class RuleVersionsRepository {
  constructor(private readonly pool: Pool) {}

  /** Version 1 of every rule of the file that has no version in the database; concurrent starts insert it once. */
  async seed(client: PoolClient, rules: RuleSet): Promise<string[]> {
    const result = await client.query<{ rule_id: string }>(
      `INSERT INTO correlation_rule_versions
         (rule_id, version, definition, status, change_note, proposed_by, decided_by, decided_at)
       SELECT r.id, 1, r.definition, 'approved', $1, $2, $2, now()
         FROM unnest($3::text[], $4::jsonb[]) AS r(id, definition)
        WHERE NOT EXISTS (SELECT 1 FROM correlation_rule_versions v WHERE v.rule_id = r.id)
       ON CONFLICT DO NOTHING
       RETURNING rule_id`,
      [
        `rules file version ${rules.version}`,
        RULES_FILE_ACTOR,
        rules.rules.map((rule) => rule.id),
        rules.rules.map((rule) => JSON.stringify(rule)),
      ],
    );
    return result.rows.map((row) => row.rule_id);
  }

  /** The approved version of every rule, by rule id. */
  async approved(): Promise<ApprovedRule[]> {
    const result = await this.pool.query<{ rule_id: string; version: number; definition: unknown }>(
      `SELECT rule_id, version, definition FROM correlation_rule_versions WHERE status = 'approved' ORDER BY rule_id`,
    );
    return result.rows.map((row) => ({ ruleId: row.rule_id, version: row.version, definition: row.definition }));
  }

  /** One version of a rule, whatever its status (for a dry run). */
  async find(ruleId: string, version: number): Promise<{ definition: unknown; status: string } | undefined> {
    const result = await this.pool.query<{ definition: unknown; status: string }>(
      "SELECT definition, status FROM correlation_rule_versions WHERE rule_id = $1 AND version = $2",
      [ruleId, version],
    );
    return result.rows[0];
  }
}
