import {
  type AuditEntry,
  appendAuditIn,
  ConflictError,
  NotFoundError,
  PermissionError,
  type Pool,
  type PoolClient,
  PreconditionError,
  withTransaction,
} from "@hub/common";
import type { RuleDefinition, RuleHistory, RuleVersionView } from "@hub/contracts";

interface VersionRow {
  rule_id: string;
  version: number;
  status: RuleVersionView["status"];
  definition: Record<string, unknown>;
  change_note: string;
  proposed_by: string;
  proposed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
}

const view = (row: VersionRow): RuleVersionView => ({
  ruleId: row.rule_id,
  version: row.version,
  status: row.status,
  definition: row.definition,
  changeNote: row.change_note,
  proposedBy: row.proposed_by,
  proposedAt: row.proposed_at.toISOString(),
  decidedBy: row.decided_by,
  decidedAt: row.decided_at?.toISOString() ?? null,
});

/**
 * Rule versions (correlation_rule_versions, migration 0032) as staff propose and decide them. Each change commits
 * with its audit entry; approving supersedes the approved version in the same transaction, and the correlators pick
 * the new one up on their next poll.
 */
export class RuleVersionsRepository {
  constructor(private readonly pool: Pool) {}

  async history(ruleId: string): Promise<RuleHistory> {
    const result = await this.pool.query<VersionRow>(
      "SELECT * FROM correlation_rule_versions WHERE rule_id = $1 ORDER BY version DESC LIMIT 100",
      [ruleId],
    );
    if (result.rows.length === 0) throw new NotFoundError("id", `no rule ${ruleId}`);
    const current = result.rows.find((row) => row.status === "approved");
    return { ruleId, current: current?.version ?? null, versions: result.rows.map(view) };
  }

  async get(ruleId: string, version: number): Promise<RuleVersionView> {
    const result = await this.pool.query<VersionRow>(
      "SELECT * FROM correlation_rule_versions WHERE rule_id = $1 AND version = $2",
      [ruleId, version],
    );
    if (!result.rows[0]) throw new NotFoundError("version", `no version ${version} of rule ${ruleId}`);
    return view(result.rows[0]);
  }

  /** A new pending version, numbered after the rule's last; a concurrent proposal of the same number is refused. */
  async propose(
    proposal: { ruleId: string; definition: RuleDefinition; changeNote: string; proposedBy: string },
    audit: (created: RuleVersionView) => AuditEntry,
  ): Promise<RuleVersionView> {
    return withTransaction(this.pool, async (client) => {
      const approved = await client.query<{ definition: { form: string } }>(
        "SELECT definition FROM correlation_rule_versions WHERE rule_id = $1 AND status = 'approved'",
        [proposal.ruleId],
      );
      const current = approved.rows[0];
      if (!current) throw new NotFoundError("id", `no rule ${proposal.ruleId}`);
      if (current.definition.form !== proposal.definition.form)
        throw new PreconditionError("body.definition.form", `must stay ${current.definition.form}`);
      const inserted = await client.query<VersionRow>(
        `INSERT INTO correlation_rule_versions (rule_id, version, definition, status, change_note, proposed_by)
         SELECT $1, coalesce(max(version), 0) + 1, $2, 'pending', $3, $4
           FROM correlation_rule_versions WHERE rule_id = $1
         ON CONFLICT (rule_id, version) DO NOTHING RETURNING *`,
        [proposal.ruleId, JSON.stringify(proposal.definition), proposal.changeNote, proposal.proposedBy],
      );
      const row = inserted.rows[0];
      if (!row) throw new ConflictError("id", "another version of this rule was proposed at the same time; retry");
      const created = view(row);
      await appendAuditIn(client, audit(created));
      return created;
    });
  }

  /**
   * Approves or rejects a pending version, never by its proposer (checked in the same statement: two people
   * deciding at once, or the proposer, change nothing). Approving supersedes the rule's approved version.
   */
  async decide(
    decision: { ruleId: string; version: number; approve: boolean; decidedBy: string },
    audit: (decided: RuleVersionView) => AuditEntry,
  ): Promise<RuleVersionView> {
    return withTransaction(this.pool, async (client) => {
      const target = await this.#lock(client, decision.ruleId, decision.version);
      if (target.status !== "pending")
        throw new PreconditionError("version", `version ${decision.version} is ${target.status}, not pending`);
      if (target.proposed_by === decision.decidedBy)
        throw new PermissionError(
          "a version must be approved or rejected by someone other than its proposer",
          "version",
        );
      if (decision.approve) {
        await client.query(
          `UPDATE correlation_rule_versions SET status = 'superseded'
            WHERE rule_id = $1 AND status = 'approved'`,
          [decision.ruleId],
        );
      }
      const updated = await client
        .query<VersionRow>(
          `UPDATE correlation_rule_versions SET status = $3, decided_by = $4, decided_at = now()
            WHERE rule_id = $1 AND version = $2 AND status = 'pending' AND proposed_by <> $4 RETURNING *`,
          [decision.ruleId, decision.version, decision.approve ? "approved" : "rejected", decision.decidedBy],
        )
        .catch((error: unknown) => {
          // Another version of the rule approved at the same moment (one approved per rule: a unique index).
          if ((error as { code?: string }).code === "23505")
            throw new ConflictError("version", "another version of this rule was approved meanwhile; reload");
          throw error;
        });
      const row = updated.rows[0];
      if (!row) throw new ConflictError("version", "the version changed meanwhile; reload");
      const decided = view(row);
      await appendAuditIn(client, audit(decided));
      return decided;
    });
  }

  async #lock(client: PoolClient, ruleId: string, version: number): Promise<VersionRow> {
    const result = await client.query<VersionRow>(
      "SELECT * FROM correlation_rule_versions WHERE rule_id = $1 AND version = $2 FOR UPDATE",
      [ruleId, version],
    );
    if (!result.rows[0]) throw new NotFoundError("version", `no version ${version} of rule ${ruleId}`);
    return result.rows[0];
  }
}
