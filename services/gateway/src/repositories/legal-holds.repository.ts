import { randomUUID } from "node:crypto";
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
import type { LegalHoldReleaseView, LegalHoldView } from "@hub/contracts";

/**
 * Legal holds (migration 0012). Placing a hold is an INSERT; requesting and approving a release go through the
 * owner's functions request_legal_hold_release / approve_legal_hold_release, because this service's role has no
 * UPDATE on the hold tables. Each change and its audit entry commit together.
 */
export class LegalHoldsRepository {
  constructor(private readonly pool: Pool) {}

  async place(
    hold: { caseReference: string; reason: string; placedBy: string },
    audit: AuditEntry,
  ): Promise<LegalHoldView> {
    return this.#withAudit(audit, async (client) => {
      const result = await client.query(
        `INSERT INTO legal_holds (id, case_reference, reason, placed_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (case_reference) WHERE released_at IS NULL DO NOTHING RETURNING *`,
        [randomUUID(), hold.caseReference, hold.reason, hold.placedBy],
      );
      const row = result.rows[0];
      if (!row) throw new ConflictError("caseReference", `case ${hold.caseReference} is already under legal hold`);
      return holdView(row, null);
    });
  }

  /** Holds in force, each with its pending release if any. */
  async active(): Promise<LegalHoldView[]> {
    const result = await this.pool.query(
      `SELECT h.*, r.id AS r_id, r.requested_by, r.reason AS r_reason, r.requested_at
         FROM legal_holds h LEFT JOIN legal_hold_releases r ON r.hold_id = h.id AND r.approved_by IS NULL
        WHERE h.released_at IS NULL ORDER BY h.placed_at DESC LIMIT 1000`,
    );
    return result.rows.map((row) =>
      holdView(
        row,
        row.r_id
          ? releaseView({
              id: row.r_id,
              case_reference: row.case_reference,
              requested_by: row.requested_by,
              reason: row.r_reason,
              requested_at: row.requested_at,
              approved_by: null,
              approved_at: null,
            })
          : null,
      ),
    );
  }

  async requestRelease(
    request: { caseReference: string; requestedBy: string; reason: string },
    audit: (id: string) => AuditEntry,
  ): Promise<LegalHoldReleaseView> {
    const id = randomUUID();
    return this.#withAudit(audit(id), async (client) => {
      await client
        .query("SELECT request_legal_hold_release($1, $2, $3, $4)", [
          id,
          request.caseReference,
          request.requestedBy,
          request.reason,
        ])
        .catch(domainError);
      return this.#release(client, id);
    });
  }

  async approveRelease(
    id: string,
    approvedBy: string,
    audit: (caseReference: string) => AuditEntry,
  ): Promise<LegalHoldReleaseView> {
    return withTransaction(this.pool, async (client) => {
      const caseReference = await client
        .query<{ case_reference: string }>("SELECT approve_legal_hold_release($1, $2) AS case_reference", [
          id,
          approvedBy,
        ])
        .catch(domainError);
      await appendAuditIn(client, audit(caseReference.rows[0]?.case_reference ?? ""));
      return this.#release(client, id);
    });
  }

  async #release(client: PoolClient, id: string): Promise<LegalHoldReleaseView> {
    const result = await client.query(
      `SELECT r.*, h.case_reference FROM legal_hold_releases r JOIN legal_holds h ON h.id = r.hold_id WHERE r.id = $1`,
      [id],
    );
    return releaseView(result.rows[0]);
  }

  async #withAudit<T>(audit: AuditEntry, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      const result = await work(client);
      await appendAuditIn(client, audit);
      return result;
    });
  }
}

/** The functions' SQLSTATEs (migration 0012) as domain errors. */
function domainError(error: unknown): never {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "P0002") throw new NotFoundError("", message);
  if (code === "23505") throw new ConflictError("", "a release of this hold is already waiting for approval");
  if (code === "23514") throw new PermissionError("the supervisor who requested a release cannot approve it");
  if (code === "55000") throw new PreconditionError("", message);
  throw error;
}

// biome-ignore lint/suspicious/noExplicitAny: a pg row
type Row = any;

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}

function holdView(row: Row, pendingRelease: LegalHoldReleaseView | null): LegalHoldView {
  return {
    id: row.id,
    caseReference: row.case_reference,
    reason: row.reason,
    placedBy: row.placed_by,
    placedAt: row.placed_at.toISOString(),
    releasedAt: iso(row.released_at),
    releasedBy: row.released_by,
    pendingRelease,
  };
}

function releaseView(row: Row): LegalHoldReleaseView {
  return {
    id: row.id,
    caseReference: row.case_reference,
    requestedBy: row.requested_by,
    reason: row.reason,
    requestedAt: row.requested_at.toISOString(),
    approvedBy: row.approved_by,
    approvedAt: iso(row.approved_at),
  };
}
