import type { PoolClient } from "@hub/common";
import type {
  AlertContent,
  AlertState,
  AlertSummary,
  CapMessageType,
  MessageStatus,
  MessageStep,
  MessageView,
  PartnerSource,
} from "@hub/contracts";
import type { MessageStore, NewMessage } from "../services/workflow.ports.js";

type Queryable = Pick<PoolClient, "query">;

export interface StoredMessage {
  id: string;
  alertId: string;
  msgType: CapMessageType;
  status: MessageStatus;
  identifier: string;
  references: string | null;
  content: AlertContent;
  draftedBy: string;
  approvedBy: string | null;
  version: number | null;
  sent: Date | null;
  capXml: string | null;
  revision: number;
}

export interface StoredAlert {
  id: string;
  state: AlertState;
  version: number;
  revision: number;
  currentMessageId: string | null;
  sent: Date | null;
  expires: Date | null;
}

interface MessageRow {
  id: string;
  alert_id: string;
  msg_type: CapMessageType;
  status: MessageStatus;
  identifier: string;
  refs: string | null;
  content: AlertContent;
  drafted_by: string;
  approved_by: string | null;
  version: number | null;
  sent: Date | null;
  cap_xml: string | null;
  revision: number;
}

const messageColumns =
  "id, alert_id, msg_type, status, identifier, refs, content, drafted_by, approved_by, version, sent, cap_xml, revision";

function message(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    alertId: row.alert_id,
    msgType: row.msg_type,
    status: row.status,
    identifier: row.identifier,
    references: row.refs,
    content: row.content,
    draftedBy: row.drafted_by,
    approvedBy: row.approved_by,
    version: row.version,
    sent: row.sent,
    capXml: row.cap_xml,
    revision: row.revision,
  };
}

interface AlertRow {
  id: string;
  state: AlertState;
  version: number;
  revision: number;
  current_message_id: string | null;
  sent: Date | null;
  expires: Date | null;
}

function alert(row: AlertRow): StoredAlert {
  return {
    id: row.id,
    state: row.state,
    version: row.version,
    revision: row.revision,
    currentMessageId: row.current_message_id,
    sent: row.sent,
    expires: row.expires,
  };
}

/** Alerts, their CAP messages and the steps each message went through (migration 0008). */
export class MessagesRepository implements MessageStore<Queryable> {
  async insertAlert(db: Queryable, id: string, createdBy: string): Promise<void> {
    await db.query("INSERT INTO alerts (id, state, created_by) VALUES ($1, 'draft', $2)", [id, createdBy]);
  }

  async insertMessage(db: Queryable, draft: NewMessage): Promise<boolean> {
    try {
      await db.query(
        `INSERT INTO alert_messages (id, alert_id, msg_type, status, identifier, refs, content, drafted_by)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7)`,
        [
          draft.id,
          draft.alertId,
          draft.msgType,
          draft.identifier,
          draft.references,
          JSON.stringify(draft.content),
          draft.draftedBy,
        ],
      );
      return true;
    } catch (err) {
      // A unique violation: alert_messages_one_open_idx allows one draft or pending message per alert.
      if ((err as { code?: string }).code === "23505") return false;
      throw err;
    }
  }

  async addStep(db: Queryable, messageId: string, step: Omit<MessageStep, "at">): Promise<void> {
    await db.query("INSERT INTO alert_message_steps (message_id, action, actor, note) VALUES ($1, $2, $3, $4)", [
      messageId,
      step.action,
      step.by,
      step.note,
    ]);
  }

  /** The message, locked for the rest of the transaction when `lock` is set. */
  async message(db: Queryable, id: string, lock = false): Promise<StoredMessage | undefined> {
    const { rows } = await db.query<MessageRow>(
      `SELECT ${messageColumns} FROM alert_messages WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
      [id],
    );
    return rows[0] && message(rows[0]);
  }

  async messageByIdentifier(db: Queryable, identifier: string): Promise<StoredMessage | undefined> {
    const { rows } = await db.query<MessageRow>(`SELECT ${messageColumns} FROM alert_messages WHERE identifier = $1`, [
      identifier,
    ]);
    return rows[0] && message(rows[0]);
  }

  async alert(db: Queryable, id: string, lock = false): Promise<StoredAlert | undefined> {
    const { rows } = await db.query<AlertRow>(
      `SELECT id, state, version, revision, current_message_id, sent, expires FROM alerts WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
      [id],
    );
    return rows[0] && alert(rows[0]);
  }

  async claimPartnerDraft(db: Queryable, id: string, drafter: string): Promise<boolean> {
    const { rowCount } = await db.query(
      "UPDATE alert_messages SET drafted_by = $2 WHERE id = $1 AND status = 'draft' AND drafted_by LIKE 'partner:%'",
      [id, drafter],
    );
    return (rowCount ?? 0) > 0;
  }

  async updateContent(db: Queryable, id: string, content: AlertContent): Promise<void> {
    await db.query("UPDATE alert_messages SET content = $2, revision = revision + 1 WHERE id = $1", [
      id,
      JSON.stringify(content),
    ]);
  }

  async setStatus(db: Queryable, id: string, status: MessageStatus): Promise<void> {
    await db.query("UPDATE alert_messages SET status = $2, revision = revision + 1 WHERE id = $1", [id, status]);
  }

  async markPublished(
    db: Queryable,
    id: string,
    publication: { approvedBy: string; version: number; sent: Date; capXml: string },
  ): Promise<void> {
    await db.query(
      `UPDATE alert_messages SET status = 'published', approved_by = $2, version = $3, sent = $4, cap_xml = $5,
         revision = revision + 1
       WHERE id = $1`,
      [id, publication.approvedBy, publication.version, publication.sent, publication.capXml],
    );
  }

  /** The alert after a publication: its state, newest message, version and public revision. */
  async updateAlert(
    db: Queryable,
    id: string,
    change: { state: AlertState; version: number; currentMessageId: string; sent: Date; expires: Date | null },
  ): Promise<number> {
    const { rows } = await db.query<{ revision: number }>(
      `UPDATE alerts SET state = $2, version = $3, current_message_id = $4, sent = $5, expires = $6,
         revision = revision + 1, updated_at = now()
       WHERE id = $1 RETURNING revision`,
      [id, change.state, change.version, change.currentMessageId, change.sent, change.expires],
    );
    return rows[0]?.revision ?? 0;
  }

  async touchAlert(db: Queryable, id: string): Promise<void> {
    await db.query("UPDATE alerts SET updated_at = now() WHERE id = $1", [id]);
  }

  /** Active alerts whose expiry has passed. */
  async expiredActive(db: Queryable, now: Date, limit: number): Promise<StoredAlert[]> {
    const { rows } = await db.query<AlertRow>(
      `SELECT id, state, version, revision, current_message_id, sent, expires FROM alerts
       WHERE state = 'active' AND expires <= $1 ORDER BY expires LIMIT $2`,
      [now, limit],
    );
    return rows.map(alert);
  }

  /** Marks the alert expired if it is still the revision the expiry was published for (an update may have won). */
  async markExpired(db: Queryable, id: string, revision: number): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE alerts SET state = 'expired', revision = revision + 1, updated_at = now()
       WHERE id = $1 AND state = 'active' AND revision = $2`,
      [id, revision],
    );
    return (rowCount ?? 0) > 0;
  }

  async markFeedPublished(db: Queryable, messageId: string): Promise<boolean> {
    const { rowCount } = await db.query(
      "UPDATE alert_messages SET feed_published_at = COALESCE(feed_published_at, now()) WHERE id = $1 AND status = 'published'",
      [messageId],
    );
    return (rowCount ?? 0) > 0;
  }

  async view(db: Queryable, id: string): Promise<MessageView | undefined> {
    return (await this.views(db, "m.id = $1", [id], 1))[0];
  }

  async list(db: Queryable, status: MessageStatus | undefined, limit: number): Promise<MessageView[]> {
    return status ? this.views(db, "m.status = $1", [status], limit) : this.views(db, "true", [], limit);
  }

  private async views(db: Queryable, where: string, params: unknown[], limit: number): Promise<MessageView[]> {
    const { rows } = await db.query<
      MessageRow & {
        steps: { action: MessageStep["action"]; by: string; at: string; note: string | null }[];
        partner: PartnerSource | null;
      }
    >(
      `SELECT m.id, m.alert_id, m.msg_type, m.status, m.identifier, m.refs, m.content, m.drafted_by, m.approved_by,
              m.version, m.sent, NULL AS cap_xml, m.revision,
              COALESCE((SELECT json_agg(json_build_object('action', s.action, 'by', s.actor, 'at', s.at, 'note', s.note)
                                 ORDER BY s.id)
                        FROM alert_message_steps s WHERE s.message_id = m.id), '[]'::json) AS steps,
              (SELECT p.source FROM alert_partner_imports p WHERE p.message_id = m.id) AS partner
       FROM alert_messages m WHERE ${where} ORDER BY m.drafted_at DESC LIMIT ${Number(limit)}`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      alertId: row.alert_id,
      version: row.version ?? 0,
      msgType: row.msg_type,
      status: row.status,
      identifier: row.identifier,
      references: row.refs,
      content: row.content,
      draftedBy: row.drafted_by,
      sent: row.sent ? row.sent.toISOString() : null,
      approvedBy: row.approved_by,
      steps: row.steps.map((step) => ({ ...step, at: new Date(step.at).toISOString() })),
      revision: row.revision,
      partner: row.partner,
    }));
  }

  async summaries(db: Queryable, limit: number): Promise<AlertSummary[]> {
    const { rows } = await db.query<{
      id: string;
      state: AlertState;
      version: number;
      sent: Date | null;
      expires: Date | null;
      current_message_id: string | null;
      pending_message_id: string | null;
      updated_at: Date;
      content: AlertContent | null;
    }>(
      `SELECT a.id, a.state, a.version, a.sent, a.expires, a.current_message_id, a.updated_at,
              (SELECT o.id FROM alert_messages o WHERE o.alert_id = a.id AND o.status IN ('draft', 'pending')) AS pending_message_id,
              COALESCE(c.content, (SELECT o.content FROM alert_messages o WHERE o.alert_id = a.id ORDER BY o.drafted_at DESC LIMIT 1)) AS content
       FROM alerts a LEFT JOIN alert_messages c ON c.id = a.current_message_id
       ORDER BY a.updated_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      state: row.state,
      version: row.version,
      event: row.content?.event ?? { "zh-Hant": "", pt: "", en: "" },
      headline: row.content?.headline ?? { "zh-Hant": "", pt: "", en: "" },
      severity: row.content?.severity ?? "Unknown",
      sent: row.sent ? row.sent.toISOString() : null,
      expires: row.expires ? row.expires.toISOString() : null,
      currentMessageId: row.current_message_id,
      pendingMessageId: row.pending_message_id,
      updatedAt: row.updated_at.toISOString(),
    }));
  }

  /** The public CAP feed: the newest message of every active alert, and the Cancel of alerts cancelled lately. */
  async feedEntries(
    db: Queryable,
    now: Date,
    cancelledWithinMs: number,
  ): Promise<{ identifier: string; sent: Date; content: AlertContent; msgType: CapMessageType; alertId: string }[]> {
    const { rows } = await db.query<{
      identifier: string;
      sent: Date;
      content: AlertContent;
      msg_type: CapMessageType;
      alert_id: string;
    }>(
      `SELECT m.identifier, m.sent, m.content, m.msg_type, m.alert_id
       FROM alerts a JOIN alert_messages m ON m.id = a.current_message_id
       WHERE m.feed_published_at IS NOT NULL
         AND ((a.state = 'active' AND a.expires > $1) OR (a.state = 'cancelled' AND a.sent > $2))
       ORDER BY m.sent DESC LIMIT 500`,
      [now, new Date(now.getTime() - cancelledWithinMs)],
    );
    return rows.map((row) => ({
      identifier: row.identifier,
      sent: row.sent,
      content: row.content,
      msgType: row.msg_type,
      alertId: row.alert_id,
    }));
  }

  /** The published document of a message on the feed (null if it is not, or no longer, public). */
  async publishedCap(db: Queryable, identifier: string): Promise<string | null> {
    const { rows } = await db.query<{ cap_xml: string }>(
      "SELECT cap_xml FROM alert_messages WHERE identifier = $1 AND status = 'published' AND feed_published_at IS NOT NULL",
      [identifier],
    );
    return rows[0]?.cap_xml ?? null;
  }
}
