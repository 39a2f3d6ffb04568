import { randomUUID } from "node:crypto";
import {
  ConflictError,
  isUuid,
  NotFoundError,
  PermissionError,
  PreconditionError,
  parseInput,
  ValidationError,
} from "@hub/common";
import {
  type AlertContent,
  type AlertSummary,
  type AlertTemplate,
  alertContentSchema,
  alertIdSchema,
  type ChannelDeliverySummary,
  type ChannelKind,
  type District,
  type LocalizedText,
  type MessageStep,
  type MessageView,
  messagesQuerySchema,
  messageTypeSchema,
  noteSchema,
  PUBLIC_ALERTS,
  prefillQuerySchema,
  revisionSchema,
} from "@hub/contracts";
import type { OutboundMessage } from "../channels/channel.js";
import { isPartnerDraft } from "../partners/partner-import.service.js";
import type { IncidentBrief } from "../repositories/incidents.repository.js";
import type { StoredMessage } from "../repositories/messages.repository.js";
import { DISTRICTS } from "../templates/districts.js";
import { contentFromTemplate, TEMPLATES, templateForIncidentKind } from "../templates/templates.js";
import { buildCapXml, capReference } from "./cap.js";
import type { PublicAlertSource } from "./public-record.js";
import type {
  Audience,
  AuditTrail,
  DeliveryOutbox,
  IncidentLookup,
  MessageStore,
  TransactionRunner,
} from "./workflow.ports.js";

/** Who is asking, as the gateway authenticated them. */
export interface Actor {
  username: string;
  roles: readonly string[];
  ip: string | null;
}

const DRAFTER = "alert_drafter";
const APPROVER = "alert_approver";
const READERS = [DRAFTER, APPROVER, "supervisor", "administrator"];

export interface WorkflowOptions {
  sender: string;
  identifierPrefix: string;
  capStatus: "Actual" | "Exercise" | "Test" | "System";
  publicBaseUrl: string;
  senderName: LocalizedText;
  /** Signs a CAP document (XML digital signature), when signing is configured. */
  sign?: (xml: string) => string;
}

/** `Tx` is the repositories' database handle, opaque here (see workflow.ports.ts). */
export interface WorkflowDeps<Tx> {
  transactions: TransactionRunner<Tx>;
  messages: MessageStore<Tx>;
  deliveries: DeliveryOutbox<Tx>;
  incidents: IncidentLookup;
  audit: AuditTrail<Tx>;
  channels: readonly Audience[];
  options: WorkflowOptions;
  /** Called after a publication commits: wakes the dispatcher. */
  published: () => void;
  now?: () => Date;
}

const cancelText = {
  headline: { "zh-Hant": "已取消：", pt: "Cancelado: ", en: "Cancelled: " },
  description: {
    "zh-Hant": "此警告已取消。",
    pt: "Este aviso foi cancelado.",
    en: "This warning has been cancelled.",
  },
  instruction: {
    "zh-Hant": "市民可恢復正常活動，但請繼續留意當局發放的最新消息。",
    pt: "Pode retomar as actividades normais, mas continue atento às informações mais recentes das autoridades.",
    en: "You may resume normal activities, but keep following the latest information from the authorities.",
  },
} satisfies Record<string, LocalizedText>;

/**
 * The authoring workflow: draft → submit → approve (by a second person with the approver role) → published, or
 * rejected / withdrawn. Publication is one transaction: the CAP document, the alert's new state, the audit entry
 * and one delivery row per channel and subscriber commit together or not at all.
 */
export class AlertWorkflow<Tx = unknown> {
  private readonly now: () => Date;
  private readonly outboundCache = new Map<string, OutboundMessage>();

  constructor(private readonly deps: WorkflowDeps<Tx>) {
    this.now = deps.now ?? (() => new Date());
  }

  templates(actor: Actor): readonly AlertTemplate[] {
    requireRole(actor, READERS);
    return TEMPLATES;
  }

  districts(actor: Actor): readonly District[] {
    requireRole(actor, READERS);
    return DISTRICTS;
  }

  /** Content to start a draft from: a template, an incident's place and evidence, or both. */
  async prefill(actor: Actor, query: { templateId?: unknown; incidentId?: unknown }): Promise<AlertContent> {
    requireRole(actor, [DRAFTER]);
    const now = this.now();
    let incident: IncidentBrief | undefined;
    if (query.incidentId !== undefined && query.incidentId !== "") {
      const incidentId = parseInput(prefillQuerySchema.shape.incidentId, query.incidentId, "query.incidentId");
      incident = await this.deps.incidents.find(incidentId as string);
      if (!incident) throw new NotFoundError("query.incidentId", `no incident ${incidentId}`);
    }
    let content: AlertContent;
    if (query.templateId !== undefined && query.templateId !== "") {
      const template = TEMPLATES.find((t) => t.id === query.templateId);
      if (!template) throw new NotFoundError("query.templateId", `no template ${String(query.templateId)}`);
      content = contentFromTemplate(template, now);
    } else {
      // Without a template: the one that fits the incident's kind (a fire → the fire warning), else public security.
      content = contentFromTemplate(templateForIncidentKind(incident?.kind), now);
    }
    if (incident) {
      const place = `${incident.lat.toFixed(5)}, ${incident.lon.toFixed(5)}`;
      content = {
        ...content,
        incidentId: incident.id,
        areas: [
          {
            description: {
              "zh-Hant": `事發地點附近 500 米範圍（${place}）`,
              pt: `Num raio de 500 m do local do incidente (${place})`,
              en: `Within 500 m of the incident (${place})`,
            },
            polygons: [],
            circles: [{ center: [incident.lon, incident.lat], radiusKm: 0.5 }],
            districts: [],
          },
        ],
      };
    }
    return content;
  }

  async create(actor: Actor, body: unknown): Promise<MessageView> {
    requireRole(actor, [DRAFTER]);
    const request = objectOf(body, "body");
    const msgType = parseInput(messageTypeSchema, request.msgType, "body.msgType");
    const id = randomUUID();
    const identifier = `${this.deps.options.identifierPrefix}-${id}`;
    const view = await this.deps.transactions.run(async (db) => {
      let alertId: string;
      let references: string | null = null;
      let content: AlertContent;
      if (msgType === "Alert") {
        content = validContent(request.content);
        alertId = randomUUID();
        await this.deps.messages.insertAlert(db, alertId, actor.username);
      } else {
        alertId = parseInput(alertIdSchema, request.alertId, "body.alertId");
        const alert = await this.deps.messages.alert(db, alertId, true);
        if (!alert) throw new NotFoundError("body.alertId", `no alert ${alertId}`);
        if (alert.state !== "active" || !alert.currentMessageId)
          throw new PreconditionError(
            "body.alertId",
            `the alert is ${alert.state}: only an active alert can be updated or cancelled`,
          );
        const current = await this.deps.messages.message(db, alert.currentMessageId);
        if (!current?.sent) throw new PreconditionError("body.alertId", "the alert has no published message");
        references = capReference(this.deps.options.sender, current.identifier, current.sent);
        content =
          request.content === undefined && msgType === "Cancel"
            ? cancellationOf(current.content, this.now())
            : validContent(request.content);
      }
      const inserted = await this.deps.messages.insertMessage(db, {
        id,
        alertId,
        msgType,
        identifier,
        references,
        content,
        draftedBy: actor.username,
      });
      if (!inserted)
        throw new ConflictError(
          "body.alertId",
          "this alert already has a message in progress: finish or withdraw it first",
        );
      await this.step(db, actor, id, "drafted", null, { alertId, msgType });
      await this.deps.messages.touchAlert(db, alertId);
      return this.viewIn(db, id);
    });
    return view;
  }

  async edit(actor: Actor, id: string, body: unknown): Promise<MessageView> {
    requireRole(actor, [DRAFTER]);
    const request = objectOf(body, "body");
    const content = validContent(request.content);
    return this.deps.transactions.run(async (db) => {
      const message = await this.locked(db, id, request.revision);
      await this.takeOverPartnerDraft(db, actor, message);
      if (message.draftedBy !== actor.username)
        throw new PermissionError("only the drafter edits a draft; start your own message instead");
      if (message.status !== "draft")
        throw new PreconditionError(
          "status",
          `a ${message.status} message cannot be edited${message.status === "pending" ? ": withdraw it first" : ""}`,
        );
      await this.deps.messages.updateContent(db, id, content);
      await this.step(db, actor, id, "edited", null);
      return this.viewIn(db, id);
    });
  }

  async submit(actor: Actor, id: string, body: unknown): Promise<MessageView> {
    requireRole(actor, [DRAFTER]);
    const request = objectOf(body, "body");
    return this.deps.transactions.run(async (db) => {
      const message = await this.locked(db, id, request.revision);
      await this.takeOverPartnerDraft(db, actor, message);
      if (message.draftedBy !== actor.username) throw new PermissionError("only the drafter submits a draft");
      if (message.status !== "draft")
        throw new PreconditionError("status", `a ${message.status} message cannot be submitted`);
      this.checkPublishable(message);
      await this.deps.messages.setStatus(db, id, "pending");
      await this.step(db, actor, id, "submitted", null);
      return this.viewIn(db, id);
    });
  }

  async withdraw(actor: Actor, id: string, body: unknown): Promise<MessageView> {
    requireRole(actor, [DRAFTER, APPROVER]);
    const request = objectOf(body, "body");
    const note = optionalNote(request.note);
    return this.deps.transactions.run(async (db) => {
      const message = await this.locked(db, id, request.revision);
      if (message.draftedBy !== actor.username && !actor.roles.includes(APPROVER) && !isPartnerDraft(message.draftedBy))
        throw new PermissionError("only the drafter or an approver withdraws a message");
      if (message.status !== "draft" && message.status !== "pending")
        throw new PreconditionError("status", `a ${message.status} message cannot be withdrawn`);
      await this.deps.messages.setStatus(db, id, "withdrawn");
      await this.step(db, actor, id, "withdrawn", note);
      return this.viewIn(db, id);
    });
  }

  async reject(actor: Actor, id: string, body: unknown): Promise<MessageView> {
    requireRole(actor, [APPROVER]);
    const request = objectOf(body, "body");
    const note = optionalNote(request.note);
    if (!note) throw new ValidationError("body.note", "say why the message is rejected");
    return this.deps.transactions.run(async (db) => {
      const message = await this.locked(db, id, request.revision);
      if (message.draftedBy === actor.username)
        throw new PermissionError("the drafter cannot decide on their own message (two-person rule)");
      if (message.status !== "pending")
        throw new PreconditionError("status", `a ${message.status} message cannot be rejected`);
      await this.deps.messages.setStatus(db, id, "rejected");
      await this.step(db, actor, id, "rejected", note);
      return this.viewIn(db, id);
    });
  }

  /** The second person's approval publishes the message. */
  async approve(actor: Actor, id: string, body: unknown): Promise<MessageView> {
    requireRole(actor, [APPROVER]);
    const request = objectOf(body, "body");
    // Who gets it is decided now, before the transaction: a transaction holds the embedded database's one session,
    // so nothing inside it may wait for another connection.
    const subscribers = await Promise.all(
      this.deps.channels.map(async (channel) => ({ channel: channel.name, list: await channel.subscribers() })),
    );
    const view = await this.deps.transactions.run(async (db) => {
      const message = await this.locked(db, id, request.revision);
      if (message.draftedBy === actor.username)
        throw new PermissionError("the drafter cannot approve their own message (two-person rule)");
      if (message.status !== "pending")
        throw new PreconditionError("status", `a ${message.status} message cannot be published`);
      this.checkPublishable(message);
      const alert = await this.deps.messages.alert(db, message.alertId, true);
      if (!alert) throw new NotFoundError("alertId", `no alert ${message.alertId}`);
      // An alert past its expiry is the expiry sweep's (which publishes it as expired): never updated after that.
      if (message.msgType !== "Alert" && (alert.state !== "active" || (alert.expires && alert.expires <= this.now())))
        throw new PreconditionError(
          "alertId",
          `the alert is ${alert.state === "active" ? "expired" : alert.state} now: this ${message.msgType} can no longer be published`,
        );
      const sent = this.capNow();
      const version = alert.version + 1;
      const { options } = this.deps;
      let capXml = this.capOf(message, sent);
      if (options.sign) capXml = options.sign(capXml);
      await this.deps.messages.markPublished(db, id, { approvedBy: actor.username, version, sent, capXml });
      await this.deps.messages.updateAlert(db, message.alertId, {
        state: message.msgType === "Cancel" ? "cancelled" : "active",
        version,
        currentMessageId: id,
        sent,
        expires: new Date(message.content.expires),
      });
      await this.step(db, actor, id, "approved", null, {
        alertId: message.alertId,
        version,
        identifier: message.identifier,
      });
      for (const { channel, list } of subscribers) await this.deps.deliveries.enqueue(db, id, channel, list);
      return this.viewIn(db, id);
    });
    this.deps.published();
    return view;
  }

  async list(actor: Actor, query: { status?: unknown; limit?: unknown }): Promise<MessageView[]> {
    requireRole(actor, READERS);
    const { status, limit = 100 } = parseInput(
      messagesQuerySchema,
      { status: query.status === "" ? undefined : query.status, limit: query.limit },
      "query",
    );
    return this.deps.messages.list(this.deps.transactions.outside, status, limit);
  }

  async get(actor: Actor, id: string): Promise<MessageView> {
    requireRole(actor, READERS);
    return this.viewIn(this.deps.transactions.outside, checkId(id));
  }

  async alerts(actor: Actor): Promise<AlertSummary[]> {
    requireRole(actor, READERS);
    return this.deps.messages.summaries(this.deps.transactions.outside, 200);
  }

  /** The published CAP document, or a preview of a draft (with the time of the preview as its `sent`). */
  async capXml(actor: Actor, id: string): Promise<string> {
    requireRole(actor, READERS);
    const message = await this.deps.messages.message(this.deps.transactions.outside, checkId(id));
    if (!message) throw new NotFoundError("id", `no message ${id}`);
    if (message.capXml) return message.capXml;
    return this.capOf(message, this.capNow());
  }

  /** CAP times have whole seconds; the stored time is exactly what the document and later references say. */
  private capNow(): Date {
    return new Date(Math.floor(this.now().getTime() / 1000) * 1000);
  }

  /** The message's CAP document (unsigned), as it would be published at `sent`. */
  private capOf(message: StoredMessage, sent: Date): string {
    const { options } = this.deps;
    return buildCapXml({
      identifier: message.identifier,
      sender: options.sender,
      sent,
      status: options.capStatus,
      msgType: message.msgType,
      references: message.references,
      senderName: options.senderName,
      web: new URL(PUBLIC_ALERTS.page, options.publicBaseUrl).toString(),
      contact: null,
      note: message.content.incidentId ? `Incident ${message.content.incidentId}` : null,
      content: message.content,
    });
  }

  async deliveries(actor: Actor, id: string): Promise<ChannelDeliverySummary[]> {
    requireRole(actor, READERS);
    const kinds = new Map<string, ChannelKind>(this.deps.channels.map((c) => [c.name, c.kind]));
    return this.deps.deliveries.summaries(checkId(id), kinds);
  }

  /** What the channels send for a published message (immutable once published, so cached). */
  async outbound(messageId: string): Promise<OutboundMessage> {
    const cached = this.outboundCache.get(messageId);
    if (cached) return cached;
    const message = await this.deps.messages.message(this.deps.transactions.outside, messageId);
    if (message?.status !== "published" || !message.sent || !message.capXml || message.version === null)
      throw new PreconditionError("messageId", `message ${messageId} is not published`);
    const outbound: OutboundMessage = {
      messageId,
      alertId: message.alertId,
      version: message.version,
      msgType: message.msgType,
      identifier: message.identifier,
      sender: this.deps.options.sender,
      sent: message.sent.toISOString(),
      references: message.references,
      content: message.content,
      capXml: message.capXml,
      capUrl: this.capUrl(message.identifier),
    };
    if (this.outboundCache.size > 1000) this.outboundCache.clear();
    this.outboundCache.set(messageId, outbound);
    return outbound;
  }

  /** The alert as it stands now, for the public page (undefined while nothing is published). */
  async current(alertId: string): Promise<PublicAlertSource | undefined> {
    const alert = await this.deps.messages.alert(this.deps.transactions.outside, alertId);
    if (!alert || alert.state === "draft" || !alert.currentMessageId) return undefined;
    const message = await this.deps.messages.message(this.deps.transactions.outside, alert.currentMessageId);
    if (!message?.sent) return undefined;
    return {
      alertId,
      state: alert.state,
      revision: alert.revision,
      msgType: message.msgType,
      identifier: message.identifier,
      sent: message.sent,
      capUrl: this.capUrl(message.identifier),
      content: message.content,
    };
  }

  /**
   * Expires active alerts whose time has passed: each is published as expired first (so the public views drop it
   * even if this process dies next), then marked expired. A repeat publishes the same revision again: harmless.
   */
  async expireDue(publish: (source: PublicAlertSource) => Promise<boolean>): Promise<number> {
    let expired = 0;
    for (const alert of await this.deps.messages.expiredActive(this.deps.transactions.outside, this.now(), 100)) {
      const current = await this.current(alert.id);
      if (current && !(await publish({ ...current, state: "expired", revision: alert.revision + 1 }))) continue;
      if (await this.deps.messages.markExpired(this.deps.transactions.outside, alert.id, alert.revision)) expired += 1;
    }
    return expired;
  }

  capUrl(identifier: string): string {
    return new URL(PUBLIC_ALERTS.cap(identifier), this.deps.options.publicBaseUrl).toString();
  }

  private checkPublishable(message: StoredMessage): void {
    if (message.msgType === "Cancel") return;
    if (message.content.areas.length === 0)
      throw new ValidationError("content.areas", "an alert needs at least one area");
    if (Date.parse(message.content.expires) <= this.now().getTime() + 60_000)
      throw new ValidationError("content.expires", "is in the past (or within a minute): edit the draft");
  }

  /**
   * A draft made from a partner's warning has no drafter yet: the first drafter who edits or submits it takes it
   * over and is its drafter from then on, so the two-person rule applies to them as to any draft.
   */
  private async takeOverPartnerDraft(db: Tx, actor: Actor, message: StoredMessage): Promise<void> {
    if (!isPartnerDraft(message.draftedBy) || message.status !== "draft") return;
    if (!(await this.deps.messages.claimPartnerDraft(db, message.id, actor.username))) return;
    await this.deps.audit.append(db, {
      actor: actor.username,
      action: "alert.partner_draft_taken_over",
      subject: message.id,
      detail: { from: message.draftedBy },
      sourceIp: actor.ip,
    });
    message.draftedBy = actor.username;
  }

  private async locked(db: Tx, id: string, revision: unknown): Promise<StoredMessage> {
    const message = await this.deps.messages.message(db, checkId(id), true);
    if (!message) throw new NotFoundError("id", `no message ${id}`);
    if (parseInput(revisionSchema, revision, "body.revision") !== message.revision)
      throw new ConflictError(
        "body.revision",
        `the message changed since you saw it (revision ${message.revision} now): reload it`,
      );
    return message;
  }

  private async step(
    db: Tx,
    actor: Actor,
    messageId: string,
    action: MessageStep["action"],
    note: string | null,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.messages.addStep(db, messageId, { action, by: actor.username, note });
    await this.deps.audit.append(db, {
      actor: actor.username,
      action: `alert.${action}`,
      subject: messageId,
      detail: note ? { ...detail, note } : detail,
      sourceIp: actor.ip,
    });
  }

  private async viewIn(db: Tx, id: string): Promise<MessageView> {
    const view = await this.deps.messages.view(db, id);
    if (!view) throw new NotFoundError("id", `no message ${id}`);
    return view;
  }
}

function requireRole(actor: Actor, roles: readonly string[]): void {
  if (!roles.some((role) => actor.roles.includes(role)))
    throw new PermissionError(`needs one of the roles ${roles.join(", ")}`);
}

function objectOf(body: unknown, path: string): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ValidationError(path, "must be a JSON object");
  return body as Record<string, unknown>;
}

function validContent(input: unknown): AlertContent {
  return parseInput(alertContentSchema, input, "body.content", "dots");
}

function optionalNote(note: unknown): string | null {
  return parseInput(noteSchema, note, "body.note")?.trim() || null;
}

function checkId(id: string): string {
  if (!isUuid(id)) throw new ValidationError("id", "must be a message uuid");
  return id;
}

/** The default text of a Cancel: the alert's own event and areas, saying it no longer applies. */
function cancellationOf(content: AlertContent, now: Date): AlertContent {
  const prefix = (lang: keyof LocalizedText) => `${cancelText.headline[lang]}${content.headline[lang]}`.slice(0, 160);
  return {
    ...content,
    responseTypes: ["AllClear"],
    urgency: "Past",
    severity: "Minor",
    certainty: "Observed",
    headline: { "zh-Hant": prefix("zh-Hant"), pt: prefix("pt"), en: prefix("en") },
    description: cancelText.description,
    instruction: cancelText.instruction,
    onset: null,
    expires: new Date(now.getTime() + 6 * 3600_000).toISOString(),
  };
}
