import { type AuditEntry, appendAudit, type Pool } from "@hub/common";
import type { AuditEntryView } from "@hub/contracts";

export type { AuditEntry };

/** The audit trail: who signed in, who changed what, every look at personal data (append-only, hash-chained). */
export class AuditRepository {
  constructor(private readonly pool: Pool) {}

  async record(entry: AuditEntry): Promise<void> {
    await appendAudit(this.pool, entry);
  }

  /** Newest first; `before` pages back (an id). */
  async list(options: { limit: number; before?: number; caseReference?: string }): Promise<AuditEntryView[]> {
    const result = await this.pool.query(
      `SELECT id, at, actor, action, subject, case_reference, purpose, criteria, result_count, source_ip, hash
         FROM audit_log WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR case_reference = $2)
        ORDER BY id DESC LIMIT $3`,
      [options.before ?? null, options.caseReference ?? null, options.limit],
    );
    return result.rows.map((row) => ({
      id: Number(row.id),
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      caseReference: row.case_reference,
      purpose: row.purpose,
      criteria: row.criteria,
      resultCount: row.result_count,
      sourceIp: row.source_ip,
      hash: row.hash,
    }));
  }
}
