import type { PoolClient } from "@hub/common";
import type { PartnerImportStatus, PartnerSource } from "@hub/contracts";

type Queryable = Pick<PoolClient, "query">;

export interface NewPartnerImport {
  id: string;
  feedId: string;
  dedupeKey: string;
  status: PartnerImportStatus;
  reason: string | null;
  identifier: string | null;
  sender: string | null;
  sent: Date | null;
  link: string | null;
  messageId: string | null;
  templateId: string | null;
  source: PartnerSource | null;
}

export interface StoredPartnerImport {
  id: string;
  feedId: string;
  status: PartnerImportStatus;
  reason: string | null;
  identifier: string | null;
  sent: Date | null;
  link: string | null;
  messageId: string | null;
  templateId: string | null;
  receivedAt: Date;
}

/** What the partner importer needs of the database (PartnerImportsRepository; in-memory in unit tests). */
export interface PartnerImportStore<Tx> {
  /** Records an import; false, and nothing stored, when the feed already has one with this dedupe key (a repeat). */
  insert(tx: Tx, row: NewPartnerImport): Promise<boolean>;
  exists(tx: Tx, feedId: string, dedupeKey: string): Promise<boolean>;
  /** The newest drafted import of the feed for one of these partner signals (an Update's or Cancel's references). */
  earlier(
    tx: Tx,
    feedId: string,
    signals: readonly { sender: string; identifier: string }[],
  ): Promise<{ identifier: string; messageId: string } | undefined>;
  list(tx: Tx, statuses: readonly PartnerImportStatus[], limit: number): Promise<StoredPartnerImport[]>;
}

/** Warnings read from partner feeds (alert_partner_imports, migration 0034). */
export class PartnerImportsRepository implements PartnerImportStore<Queryable> {
  async insert(db: Queryable, row: NewPartnerImport): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO alert_partner_imports
         (id, feed_id, dedupe_key, status, reason, identifier, sender, sent, link, message_id, template_id, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (feed_id, dedupe_key) DO NOTHING`,
      [
        row.id,
        row.feedId,
        row.dedupeKey,
        row.status,
        row.reason?.slice(0, 1000) ?? null,
        row.identifier,
        row.sender,
        row.sent,
        row.link,
        row.messageId,
        row.templateId,
        row.source ? JSON.stringify(row.source) : null,
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  async exists(db: Queryable, feedId: string, dedupeKey: string): Promise<boolean> {
    const { rows } = await db.query("SELECT 1 FROM alert_partner_imports WHERE feed_id = $1 AND dedupe_key = $2", [
      feedId,
      dedupeKey,
    ]);
    return rows.length > 0;
  }

  async earlier(
    db: Queryable,
    feedId: string,
    signals: readonly { sender: string; identifier: string }[],
  ): Promise<{ identifier: string; messageId: string } | undefined> {
    if (signals.length === 0) return undefined;
    const { rows } = await db.query<{ identifier: string; message_id: string }>(
      `SELECT identifier, message_id FROM alert_partner_imports
       WHERE feed_id = $1 AND status = 'drafted'
         AND (sender, identifier) IN (SELECT * FROM unnest($2::text[], $3::text[]))
       ORDER BY sent DESC, received_at DESC LIMIT 1`,
      [feedId, signals.map((s) => s.sender), signals.map((s) => s.identifier)],
    );
    return rows[0] && { identifier: rows[0].identifier, messageId: rows[0].message_id };
  }

  async list(db: Queryable, statuses: readonly PartnerImportStatus[], limit: number): Promise<StoredPartnerImport[]> {
    const { rows } = await db.query<{
      id: string;
      feed_id: string;
      status: PartnerImportStatus;
      reason: string | null;
      identifier: string | null;
      sent: Date | null;
      link: string | null;
      message_id: string | null;
      template_id: string | null;
      received_at: Date;
    }>(
      `SELECT id, feed_id, status, reason, identifier, sent, link, message_id, template_id, received_at
       FROM alert_partner_imports WHERE status = ANY($1::text[]) ORDER BY received_at DESC LIMIT $2`,
      [statuses, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      feedId: row.feed_id,
      status: row.status,
      reason: row.reason,
      identifier: row.identifier,
      sent: row.sent,
      link: row.link,
      messageId: row.message_id,
      templateId: row.template_id,
      receivedAt: row.received_at,
    }));
  }
}
