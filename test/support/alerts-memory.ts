import { randomUUID } from "node:crypto";
import type { AuditEntry } from "@hub/common";
import type {
  AlertSummary,
  ChannelDeliverySummary,
  ChannelKind,
  MessageStatus,
  MessageStep,
  MessageView,
} from "@hub/contracts";
import type { IncidentBrief } from "../../services/alerts/src/repositories/incidents.repository.js";
import type { StoredAlert, StoredMessage } from "../../services/alerts/src/repositories/messages.repository.js";
import type {
  Audience,
  AuditTrail,
  DeliveryOutbox,
  IncidentLookup,
  MessageStore,
  NewMessage,
  TransactionRunner,
} from "../../services/alerts/src/services/workflow.ports.js";
import type { Actor, WorkflowOptions } from "../../services/alerts/src/services/workflow.service.js";
import { alertContent } from "./alert-content.js";

/**
 * In-memory stand-ins for the alert workflow's repositories (see workflow.ports.ts), for unit tests: what the
 * workflow decides, without a database. They keep the database's rules the workflow relies on (one message in
 * progress per alert, revisions that grow with every change, delivery rows unique per subscriber) and roll back
 * everything a failed transaction wrote.
 */

/** The handle the workflow passes around: inside a transaction, or not. */
export interface MemoryTx {
  readonly inTransaction: boolean;
}

interface AlertRow extends StoredAlert {
  createdBy: string;
  updatedAt: Date;
}

interface MessageRow extends StoredMessage {
  draftedAt: number;
}

export interface DeliveryRow {
  messageId: string;
  channel: string;
  subscriber: string;
}

interface State {
  alerts: Map<string, AlertRow>;
  messages: Map<string, MessageRow>;
  steps: Map<string, MessageStep[]>;
  deliveries: DeliveryRow[];
  audit: AuditEntry[];
}

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryAlertsDatabase {
  state: State = { alerts: new Map(), messages: new Map(), steps: new Map(), deliveries: [], audit: [] };
  /** Transactions committed and rolled back, for tests about atomicity. */
  readonly outcomes = { committed: 0, rolledBack: 0 };
  private drafted = 0;

  constructor(private readonly now: () => Date) {}

  readonly transactions: TransactionRunner<MemoryTx> = {
    outside: { inTransaction: false },
    run: async (work) => {
      const before = copy(this.state);
      try {
        const result = await work({ inTransaction: true });
        this.outcomes.committed += 1;
        return result;
      } catch (err) {
        this.state = before;
        this.outcomes.rolledBack += 1;
        throw err;
      }
    },
  };

  readonly messages: MessageStore<MemoryTx> = {
    insertAlert: async (_tx, id, createdBy) => {
      this.state.alerts.set(id, {
        id,
        state: "draft",
        version: 0,
        revision: 0,
        currentMessageId: null,
        sent: null,
        expires: null,
        createdBy,
        updatedAt: this.now(),
      });
    },
    insertMessage: async (_tx, draft: NewMessage) => {
      if ([...this.state.messages.values()].some((m) => m.alertId === draft.alertId && isOpen(m.status))) return false;
      this.drafted += 1;
      this.state.messages.set(draft.id, {
        ...copy(draft),
        status: "draft",
        approvedBy: null,
        version: null,
        sent: null,
        capXml: null,
        revision: 1,
        draftedAt: this.drafted,
      });
      return true;
    },
    addStep: async (_tx, messageId, step) => {
      const steps = this.state.steps.get(messageId) ?? [];
      steps.push({ ...step, at: this.now().toISOString() });
      this.state.steps.set(messageId, steps);
    },
    message: async (_tx, id) => {
      const row = this.state.messages.get(id);
      return row && storedMessage(row);
    },
    alert: async (_tx, id) => {
      const row = this.state.alerts.get(id);
      return row && storedAlert(row);
    },
    claimPartnerDraft: async (_tx, id, drafter) => {
      const row = this.state.messages.get(id);
      if (row?.status !== "draft" || !row.draftedBy.startsWith("partner:")) return false;
      row.draftedBy = drafter;
      return true;
    },
    updateContent: async (_tx, id, content) => this.changeMessage(id, { content: copy(content) }),
    setStatus: async (_tx, id, status) => this.changeMessage(id, { status }),
    markPublished: async (_tx, id, publication) =>
      this.changeMessage(id, { status: "published", ...copy(publication) }),
    updateAlert: async (_tx, id, change) => {
      const row = this.state.alerts.get(id);
      if (!row) return 0;
      Object.assign(row, copy(change), { revision: row.revision + 1, updatedAt: this.now() });
      return row.revision;
    },
    touchAlert: async (_tx, id) => {
      const row = this.state.alerts.get(id);
      if (row) row.updatedAt = this.now();
    },
    expiredActive: async (_tx, now, limit) =>
      [...this.state.alerts.values()]
        .filter((a) => a.state === "active" && a.expires !== null && a.expires <= now)
        .sort((a, b) => Number(a.expires) - Number(b.expires))
        .slice(0, limit)
        .map(storedAlert),
    markExpired: async (_tx, id, revision) => {
      const row = this.state.alerts.get(id);
      if (row?.state !== "active" || row.revision !== revision) return false;
      Object.assign(row, { state: "expired", revision: row.revision + 1, updatedAt: this.now() });
      return true;
    },
    view: async (_tx, id) => {
      const row = this.state.messages.get(id);
      return row && this.viewOf(row);
    },
    list: async (_tx, status, limit) =>
      [...this.state.messages.values()]
        .filter((m) => status === undefined || m.status === status)
        .sort((a, b) => b.draftedAt - a.draftedAt)
        .slice(0, limit)
        .map((m) => this.viewOf(m)),
    summaries: async (_tx, limit) =>
      [...this.state.alerts.values()]
        .sort((a, b) => Number(b.updatedAt) - Number(a.updatedAt))
        .slice(0, limit)
        .map((a) => this.summaryOf(a)),
  };

  readonly deliveries: DeliveryOutbox<MemoryTx> = {
    enqueue: async (_tx, messageId, channel, subscribers) => {
      for (const subscriber of subscribers) {
        const known = this.state.deliveries.some(
          (d) => d.messageId === messageId && d.channel === channel && d.subscriber === subscriber,
        );
        if (!known) this.state.deliveries.push({ messageId, channel, subscriber });
      }
    },
    summaries: async (messageId, kinds: Map<string, ChannelKind>) => {
      const byChannel = new Map<string, ChannelDeliverySummary>();
      for (const row of this.state.deliveries.filter((d) => d.messageId === messageId)) {
        const summary = byChannel.get(row.channel) ?? {
          channel: row.channel,
          kind: kinds.get(row.channel) ?? "webhook",
          counts: { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0 },
          problems: [],
        };
        summary.counts.pending += 1;
        byChannel.set(row.channel, summary);
      }
      return [...byChannel.values()];
    },
  };

  readonly audit: AuditTrail<MemoryTx> = {
    append: async (tx, entry) => {
      // As appendAuditIn: an entry is only ever written with the change it records.
      if (!tx.inTransaction) throw new Error("audit entry outside a transaction");
      this.state.audit.push(copy(entry));
    },
  };

  readonly incidentRows = new Map<string, IncidentBrief>();
  readonly incidents: IncidentLookup = { find: async (id) => this.incidentRows.get(id) };

  /** Every delivery row of a message, as "channel/subscriber", sorted. */
  deliveriesOf(messageId: string): string[] {
    return this.state.deliveries
      .filter((d) => d.messageId === messageId)
      .map((d) => `${d.channel}/${d.subscriber}`)
      .sort();
  }

  /** Sets an alert's expiry directly, as time passing would make it due. */
  setExpires(alertId: string, expires: Date): void {
    const row = this.state.alerts.get(alertId);
    if (!row) throw new Error(`no alert ${alertId}`);
    row.expires = expires;
  }

  private changeMessage(id: string, change: Partial<MessageRow>): void {
    const row = this.state.messages.get(id);
    if (row) Object.assign(row, change, { revision: row.revision + 1 });
  }

  private viewOf(row: MessageRow): MessageView {
    return {
      id: row.id,
      alertId: row.alertId,
      version: row.version ?? 0,
      msgType: row.msgType,
      status: row.status,
      identifier: row.identifier,
      references: row.references,
      content: copy(row.content),
      draftedBy: row.draftedBy,
      sent: row.sent ? row.sent.toISOString() : null,
      approvedBy: row.approvedBy,
      steps: copy(this.state.steps.get(row.id) ?? []),
      revision: row.revision,
    };
  }

  private summaryOf(alert: AlertRow): AlertSummary {
    const own = [...this.state.messages.values()].filter((m) => m.alertId === alert.id);
    const current = alert.currentMessageId ? this.state.messages.get(alert.currentMessageId) : undefined;
    const content = current?.content ?? own.sort((a, b) => b.draftedAt - a.draftedAt)[0]?.content;
    const empty = { "zh-Hant": "", pt: "", en: "" };
    return {
      id: alert.id,
      state: alert.state,
      version: alert.version,
      event: content?.event ?? empty,
      headline: content?.headline ?? empty,
      severity: content?.severity ?? "Unknown",
      sent: alert.sent ? alert.sent.toISOString() : null,
      expires: alert.expires ? alert.expires.toISOString() : null,
      currentMessageId: alert.currentMessageId,
      pendingMessageId: own.find((m) => isOpen(m.status))?.id ?? null,
      updatedAt: alert.updatedAt.toISOString(),
    };
  }
}

function isOpen(status: MessageStatus): boolean {
  return status === "draft" || status === "pending";
}

function storedMessage({ draftedAt: _, ...row }: MessageRow): StoredMessage {
  return copy(row);
}

function storedAlert({ createdBy: _, updatedAt: __, ...row }: AlertRow): StoredAlert {
  return copy(row);
}

// ---- Factories ----------------------------------------------------------------------------------------------------

/** A clock the test moves: starts at a fixed time with milliseconds (CAP times drop them). */
export function newClock(start = "2026-03-01T08:00:00.250Z") {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

export const ROLES = { drafter: "alert_drafter", approver: "alert_approver", operator: "operator" } as const;

export function newActor(username: string, roles: string[], ip: string | null = "192.0.2.10"): Actor {
  return { username, roles, ip };
}

/** The cast of the two-person rule: two drafters, two approvers, an operator and someone holding both roles. */
export function newCast() {
  return {
    drafter: newActor("drafter", [ROLES.drafter]),
    otherDrafter: newActor("drafter-2", [ROLES.drafter]),
    approver: newActor("approver", [ROLES.approver]),
    otherApprover: newActor("approver-2", [ROLES.approver]),
    operator: newActor("operator", [ROLES.operator]),
    both: newActor("both", [ROLES.drafter, ROLES.approver]),
    supervisor: newActor("supervisor", ["supervisor"]),
  };
}

/** Valid alert content expiring `hours` after `now`; each test overrides only what it is about. */
export const newContent = alertContent;

export function newIncident(overrides: Partial<IncidentBrief> = {}): IncidentBrief {
  return {
    id: randomUUID(),
    kind: "fire",
    severity: "severe",
    title: "Smoke and flames, Rua do Campo",
    lat: 22.1987,
    lon: 113.5439,
    firstEventAt: new Date("2026-03-01T07:55:00Z"),
    lastEventAt: new Date("2026-03-01T08:00:00Z"),
    evidenceCount: 3,
    ...overrides,
  };
}

/** A channel that names its subscribers, and counts how often it was asked. */
export function newAudience(name: string, subscribers: string[], kind: ChannelKind = "webhook") {
  const audience = {
    name,
    kind,
    asked: 0,
    subscribers: async () => {
      audience.asked += 1;
      return [...subscribers];
    },
  } satisfies Audience & { asked: number };
  return audience;
}

export const TEST_OPTIONS: WorkflowOptions = {
  sender: "cpc.gov.mo",
  identifierPrefix: "MO-CPC",
  capStatus: "Exercise",
  publicBaseUrl: "https://alerts.example.mo/",
  senderName: { "zh-Hant": "民防行動中心", pt: "Centro de Operações de Protecção Civil", en: "Civil Protection" },
};
