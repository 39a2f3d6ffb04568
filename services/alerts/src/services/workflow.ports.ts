import type { AuditEntry } from "@hub/common";
import type {
  AlertContent,
  AlertState,
  AlertSummary,
  CapMessageType,
  ChannelDeliverySummary,
  ChannelKind,
  MessageStatus,
  MessageStep,
  MessageView,
} from "@hub/contracts";
import type { Channel } from "../channels/channel.js";
import type { IncidentBrief } from "../repositories/incidents.repository.js";
import type { StoredAlert, StoredMessage } from "../repositories/messages.repository.js";

/*
 * What the authoring workflow needs of the world, and nothing more: the repositories implement these, and the unit
 * tests pass in-memory ones. `Tx` is a database handle the workflow never looks into: the open transaction inside
 * `TransactionRunner.run`, or `TransactionRunner.outside` for a read on its own. It is only handed back.
 */

export interface TransactionRunner<Tx> {
  /** Runs `work` in one transaction: everything it wrote commits when it resolves, nothing when it throws. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The handle for a read (or a single conditional write) outside any transaction. */
  readonly outside: Tx;
}

export interface NewMessage {
  id: string;
  alertId: string;
  msgType: CapMessageType;
  identifier: string;
  references: string | null;
  content: AlertContent;
  draftedBy: string;
}

/** Alerts, their CAP messages and each message's steps (MessagesRepository). `lock` holds the row until commit. */
export interface MessageStore<Tx> {
  insertAlert(tx: Tx, id: string, createdBy: string): Promise<void>;
  /** False, and nothing stored, when the alert already has a message in progress (a draft or a pending one). */
  insertMessage(tx: Tx, draft: NewMessage): Promise<boolean>;
  addStep(tx: Tx, messageId: string, step: Omit<MessageStep, "at">): Promise<void>;
  message(tx: Tx, id: string, lock?: boolean): Promise<StoredMessage | undefined>;
  alert(tx: Tx, id: string, lock?: boolean): Promise<StoredAlert | undefined>;
  /** A partner's draft becomes this drafter's (isPartnerDraft); false if it was not a partner's draft any more. */
  claimPartnerDraft(tx: Tx, id: string, drafter: string): Promise<boolean>;
  /** The new content; the message's revision goes up by one. */
  updateContent(tx: Tx, id: string, content: AlertContent): Promise<void>;
  /** The new status; the message's revision goes up by one. */
  setStatus(tx: Tx, id: string, status: MessageStatus): Promise<void>;
  markPublished(
    tx: Tx,
    id: string,
    publication: { approvedBy: string; version: number; sent: Date; capXml: string },
  ): Promise<void>;
  /** The alert after a publication; its public revision goes up by one (the new revision is returned). */
  updateAlert(
    tx: Tx,
    id: string,
    change: { state: AlertState; version: number; currentMessageId: string; sent: Date; expires: Date | null },
  ): Promise<number>;
  touchAlert(tx: Tx, id: string): Promise<void>;
  /** Active alerts whose expiry is at or before `now`, soonest first. */
  expiredActive(tx: Tx, now: Date, limit: number): Promise<StoredAlert[]>;
  /** Marks the alert expired if it is still active at `revision`; false if something else changed it first. */
  markExpired(tx: Tx, id: string, revision: number): Promise<boolean>;
  view(tx: Tx, id: string): Promise<MessageView | undefined>;
  /** Newest draft first. */
  list(tx: Tx, status: MessageStatus | undefined, limit: number): Promise<MessageView[]>;
  /** Most recently changed first. */
  summaries(tx: Tx, limit: number): Promise<AlertSummary[]>;
}

/** The delivery outbox (DeliveriesRepository). */
export interface DeliveryOutbox<Tx> {
  /** One pending delivery per subscriber of `channel`, inside the publication's transaction. */
  enqueue(tx: Tx, messageId: string, channel: string, subscribers: string[]): Promise<void>;
  summaries(messageId: string, kinds: Map<string, ChannelKind>): Promise<ChannelDeliverySummary[]>;
}

/** The correlator's incidents, read to prefill a draft (IncidentsRepository). */
export interface IncidentLookup {
  find(id: string): Promise<IncidentBrief | undefined>;
}

/** The tamper-evident audit log (AuditRepository): an entry commits with the change it records. */
export interface AuditTrail<Tx> {
  append(tx: Tx, entry: AuditEntry): Promise<void>;
}

/** What the workflow asks of a channel: who gets a message published now. */
export type Audience = Pick<Channel, "name" | "kind" | "subscribers">;
