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
  ValidationError,
  withTransaction,
} from "@hub/common";
import type { WatchListEntryView, WatchListHitView, WatchListMatchKind, WatchListStatus } from "@hub/contracts";

/** Builds the audit entry of a change from the entry as changed. */
type Audit = (entry: WatchListEntryView) => AuditEntry;

const ENTRY_COLUMNS = `w.*, (w.status = 'active' AND w.expires_at > now()) AS matching,
  x.id AS x_id, x.expires_at AS x_expires_at, x.reason AS x_reason, x.requested_by AS x_requested_by,
  x.requested_at AS x_requested_at`;
const ENTRY_FROM = `plate_watch_list w
  LEFT JOIN plate_watch_list_extensions x ON x.entry_id = w.id AND x.status = 'pending' AND w.status = 'active'`;

/**
 * The plate watch list (migrations 0003, 0014, 0031). Each change commits with its audit entry; each read commits
 * with the audit entry of the look (the plate is personal data). The two-person rule is in the conditional UPDATEs
 * here and again in the table's CHECK constraints, so two requests at once cannot both win nor self-approve.
 */
export class WatchListRepository {
  constructor(private readonly pool: Pool) {}

  async list(status: WatchListStatus | undefined, audit: (count: number) => AuditEntry): Promise<WatchListEntryView[]> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM}
          WHERE ($1::text IS NULL OR w.status = $1) ORDER BY w.added_at DESC, w.id LIMIT 500`,
        [status ?? null],
      );
      await appendAuditIn(client, audit(result.rowCount ?? 0));
      return result.rows.map(entryView);
    });
  }

  async propose(
    entry: {
      plate: string;
      matchKind: WatchListMatchKind;
      reason: string;
      caseReference: string;
      expiresAt: Date;
      addedBy: string;
    },
    audit: Audit,
  ): Promise<WatchListEntryView> {
    return withTransaction(this.pool, async (client) => {
      const id = randomUUID();
      try {
        await client.query(
          `INSERT INTO plate_watch_list (id, plate_text, match_kind, reason, case_reference, expires_at, added_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, entry.plate, entry.matchKind, entry.reason, entry.caseReference, entry.expiresAt, entry.addedBy],
        );
      } catch (error) {
        if ((error as { code?: string }).code === "23505")
          throw new ConflictError("body.plate", "is already on the watch list (pending or active)");
        throw error;
      }
      return this.#audited(client, id, audit);
    });
  }

  /** A supervisor's decision on another person's proposal. */
  async decide(
    id: string,
    decision: { by: string; outcome: "active" | "rejected"; reason: string | null },
    audit: Audit,
  ): Promise<WatchListEntryView> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        `UPDATE plate_watch_list SET status = $3, decided_by = $2, decided_at = now(), decision_reason = $4
          WHERE id = $1 AND status = 'pending' AND added_by <> $2 AND ($3 = 'rejected' OR expires_at > now())`,
        [id, decision.by, decision.outcome, decision.reason],
      );
      if (result.rowCount === 0) {
        const entry = await this.#row(client, id);
        if (entry.added_by === decision.by)
          throw new PermissionError("the proposer of an entry cannot approve or reject it: a second person must", "id");
        if (entry.status !== "pending") throw new PreconditionError("id", `the entry is ${entry.status}, not pending`);
        throw new PreconditionError("id", "the entry expired before it was approved");
      }
      return this.#audited(client, id, audit);
    });
  }

  async requestExtension(
    id: string,
    extension: { expiresAt: Date; reason: string; requestedBy: string },
    audit: Audit,
  ): Promise<WatchListEntryView> {
    return withTransaction(this.pool, async (client) => {
      const entry = await this.#row(client, id, "FOR UPDATE");
      if (entry.status !== "active" || (entry.expires_at as Date).getTime() <= Date.now())
        throw new PreconditionError("id", "only an active, unexpired entry can be extended");
      if (extension.expiresAt.getTime() <= (entry.expires_at as Date).getTime())
        throw new ValidationError("body.expiresAt", "must be later than the entry's current expiry");
      try {
        await client.query(
          `INSERT INTO plate_watch_list_extensions (id, entry_id, expires_at, reason, requested_by)
           VALUES ($1, $2, $3, $4, $5)`,
          [randomUUID(), id, extension.expiresAt, extension.reason, extension.requestedBy],
        );
      } catch (error) {
        if ((error as { code?: string }).code === "23505")
          throw new ConflictError("id", "an extension of this entry is already waiting for approval");
        throw error;
      }
      return this.#audited(client, id, audit);
    });
  }

  /** A supervisor's decision on another person's extension; an approved one moves the expiry. */
  async decideExtension(
    id: string,
    decision: { by: string; approve: boolean },
    audit: (entry: WatchListEntryView, extension: { id: string; expiresAt: string }) => AuditEntry,
  ): Promise<WatchListEntryView> {
    return withTransaction(this.pool, async (client) => {
      const entry = await this.#row(client, id, "FOR UPDATE");
      const pending = await client.query(
        "SELECT * FROM plate_watch_list_extensions WHERE entry_id = $1 AND status = 'pending' FOR UPDATE",
        [id],
      );
      const extension = pending.rows[0];
      if (!extension || entry.status !== "active")
        throw new PreconditionError("id", "no extension of this entry is waiting for approval");
      if (extension.requested_by === decision.by)
        throw new PermissionError(
          "the requester of an extension cannot approve or reject it: a second person must",
          "id",
        );
      // An entry that expired meanwhile stays expired: bringing it back is a new proposal, not an extension.
      if (decision.approve && (entry.expires_at as Date).getTime() <= Date.now())
        throw new PreconditionError("id", "the entry expired before the extension was approved; propose it again");
      await client.query(
        `UPDATE plate_watch_list_extensions SET status = $2, decided_by = $3, decided_at = now()
          WHERE id = $1 AND status = 'pending'`,
        [extension.id, decision.approve ? "approved" : "rejected", decision.by],
      );
      if (decision.approve)
        await client.query("UPDATE plate_watch_list SET expires_at = $2 WHERE id = $1 AND status = 'active'", [
          id,
          extension.expires_at,
        ]);
      const view = await this.#view(client, id);
      await appendAuditIn(
        client,
        audit(view, { id: extension.id, expiresAt: (extension.expires_at as Date).toISOString() }),
      );
      return view;
    });
  }

  async remove(id: string, removal: { by: string; reason: string }, audit: Audit): Promise<WatchListEntryView> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        `UPDATE plate_watch_list SET status = 'removed', removed_by = $2, removed_at = now(), removal_reason = $3
          WHERE id = $1 AND status IN ('pending', 'active')`,
        [id, removal.by, removal.reason],
      );
      if (result.rowCount === 0) {
        const entry = await this.#row(client, id);
        throw new PreconditionError("id", `the entry is already ${entry.status}`);
      }
      return this.#audited(client, id, audit);
    });
  }

  /** Hits, newest first, of one entry or all; committed with the audit entry of the look. */
  async hits(
    filter: { entryId?: string; limit: number },
    audit: (hits: WatchListHitView[]) => AuditEntry,
  ): Promise<WatchListHitView[]> {
    return withTransaction(this.pool, async (client) => {
      if (filter.entryId) await this.#row(client, filter.entryId, "", "query.entryId");
      const result = await client.query(
        `SELECT h.*, w.reference, w.case_reference, w.reason FROM watch_list_hits h
           JOIN plate_watch_list w ON w.id = h.entry_id
          WHERE ($1::uuid IS NULL OR h.entry_id = $1)
          ORDER BY h.observed_at DESC, h.event_id LIMIT $2`,
        [filter.entryId ?? null, filter.limit],
      );
      const hits = result.rows.map(
        (row): WatchListHitView => ({
          entryId: row.entry_id,
          reference: row.reference,
          plate: row.plate_text,
          cameraId: row.camera_id,
          observedAt: (row.observed_at as Date).toISOString(),
          incidentId: row.incident_id ?? null,
          caseReference: row.case_reference,
          reason: row.reason,
        }),
      );
      await appendAuditIn(client, audit(hits));
      return hits;
    });
  }

  async #audited(client: PoolClient, id: string, audit: Audit): Promise<WatchListEntryView> {
    const view = await this.#view(client, id);
    await appendAuditIn(client, audit(view));
    return view;
  }

  async #view(client: PoolClient, id: string): Promise<WatchListEntryView> {
    const result = await client.query(`SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE w.id = $1`, [id]);
    return entryView(result.rows[0]);
  }

  async #row(client: PoolClient, id: string, lock = "", field = "id"): Promise<Record<string, unknown>> {
    const result = await client.query(`SELECT * FROM plate_watch_list WHERE id = $1 ${lock}`, [id]);
    if (!result.rows[0]) throw new NotFoundError(field, `no watch-list entry ${id}`);
    return result.rows[0];
  }
}

function entryView(row: Record<string, unknown>): WatchListEntryView {
  const iso = (value: unknown) => (value as Date).toISOString();
  const isoOrNull = (value: unknown) => (value ? iso(value) : null);
  return {
    id: row.id as string,
    reference: row.reference as string,
    matchKind: row.match_kind as WatchListMatchKind,
    plate: row.plate_text as string,
    reason: row.reason as string,
    caseReference: row.case_reference as string,
    status: row.status as WatchListStatus,
    expiresAt: iso(row.expires_at),
    matching: row.matching as boolean,
    addedBy: row.added_by as string,
    addedAt: iso(row.added_at),
    decidedBy: (row.decided_by as string | null) ?? null,
    decidedAt: isoOrNull(row.decided_at),
    decisionReason: (row.decision_reason as string | null) ?? null,
    removedBy: (row.removed_by as string | null) ?? null,
    removedAt: isoOrNull(row.removed_at),
    removalReason: (row.removal_reason as string | null) ?? null,
    pendingExtension: row.x_id
      ? {
          id: row.x_id as string,
          expiresAt: iso(row.x_expires_at),
          reason: row.x_reason as string,
          requestedBy: row.x_requested_by as string,
          requestedAt: iso(row.x_requested_at),
        }
      : null,
  };
}
