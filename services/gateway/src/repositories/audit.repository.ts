import type { Pool } from "@hub/common";

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | undefined;
  /** Whether personal data (plates, detections of people or vehicles) was shown. */
  personalData?: boolean;
  detail?: Record<string, unknown>;
  sourceIp?: string | undefined;
}

/** The audit log: who signed in, who changed what, and every access to personal data. */
export class AuditRepository {
  constructor(private readonly pool: Pool) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.pool.query(
      "INSERT INTO audit_log (actor, action, subject, personal_data, detail, source_ip) VALUES ($1, $2, $3, $4, $5, $6)",
      [
        entry.actor,
        entry.action,
        entry.subject ?? null,
        entry.personalData ?? false,
        JSON.stringify(entry.detail ?? {}),
        entry.sourceIp ?? null,
      ],
    );
  }
}
