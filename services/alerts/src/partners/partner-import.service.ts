import { createHash, randomUUID } from "node:crypto";
import { PermissionError, parseInput } from "@hub/common";
import {
  type AlertContent,
  type CapMessageType,
  PARTNER_DRAFTER_PREFIX,
  type PartnerImportView,
  type PartnerSource,
  partnerImportsQuerySchema,
} from "@hub/contracts";
import type { PartnerFeedConfig } from "../partner-feeds.config.js";
import type { NewPartnerImport, PartnerImportStore } from "../repositories/partner-imports.repository.js";
import { capReference } from "../services/cap.js";
import type { AuditTrail, MessageStore, TransactionRunner } from "../services/workflow.ports.js";
import type { Actor } from "../services/workflow.service.js";
import { contentFromTemplate } from "../templates/templates.js";
import type { PartnerCap, PartnerRefusal } from "./partner-cap.js";
import { templateForSignal } from "./partner-templates.js";

/** The drafter of a partner's draft is no person: a drafter takes it over when editing or submitting it. */
export const isPartnerDraft = (draftedBy: string): boolean => draftedBy.startsWith(PARTNER_DRAFTER_PREFIX);

export type ImportOutcome = "drafted" | "refused" | "ignored" | "repeat";

const READERS = ["alert_drafter", "alert_approver", "supervisor", "administrator"];

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** An insert that lost the race for an alert's one open message: retried as a new alert. */
class AlertBusy extends Error {}

/**
 * Turns what the poller read from a partner feed into records: each new or updated signal into a DRAFT (from the
 * matching template, the partner's text kept as its source), each untrustworthy document into a refused import with
 * its reason. The import row is written first in the transaction and is unique per feed and signal (or per refused
 * document), so a repeat — the next poll, or another alerts instance polling the same feed — makes nothing new.
 * Nothing here publishes: a draft goes through the two-person approval like any other.
 */
export class PartnerImporter<Tx> {
  private readonly now: () => Date;

  constructor(
    private readonly deps: {
      transactions: TransactionRunner<Tx>;
      messages: MessageStore<Tx>;
      imports: PartnerImportStore<Tx>;
      audit: AuditTrail<Tx>;
      /** Our CAP sender and identifier prefix (for the drafts and their references). */
      sender: string;
      identifierPrefix: string;
      feeds: readonly PartnerFeedConfig[];
      now?: () => Date;
    },
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A feed or document refused as a whole; recorded once per distinct document. */
  async refuse(
    feed: PartnerFeedConfig,
    refusal: PartnerRefusal,
    document: { digest: string; link: string },
  ): Promise<ImportOutcome> {
    const stored = await this.deps.imports.insert(this.deps.transactions.outside, {
      ...this.blank(feed, `refused ${document.digest}`),
      status: "refused",
      reason: refusal.message,
      link: document.link,
    });
    return stored ? "refused" : "repeat";
  }

  async signal(feed: PartnerFeedConfig, cap: PartnerCap, link: string): Promise<ImportOutcome> {
    const key = `signal ${cap.sender} ${cap.identifier} ${cap.sent.toISOString()}`;
    if (await this.deps.imports.exists(this.deps.transactions.outside, feed.id, key)) return "repeat";
    try {
      return await this.draft(feed, cap, link, key, false);
    } catch (err) {
      if (!(err instanceof AlertBusy)) throw err;
      // The alert the signal updates has a message in progress already: draft it as an alert of its own.
      return this.draft(feed, cap, link, key, true);
    }
  }

  private draft(
    feed: PartnerFeedConfig,
    cap: PartnerCap,
    link: string,
    key: string,
    standalone: boolean,
  ): Promise<ImportOutcome> {
    const drafter = `${PARTNER_DRAFTER_PREFIX}${feed.id}`;
    return this.deps.transactions.run(async (db) => {
      const { messages } = this.deps;
      const row = {
        ...this.blank(feed, key),
        identifier: cap.identifier,
        sender: cap.sender,
        sent: cap.sent,
        link,
      };
      const earlier =
        cap.msgType === "Alert" ? undefined : await this.deps.imports.earlier(db, feed.id, cap.references);
      const source: PartnerSource = {
        feedId: feed.id,
        partnerName: feed.name,
        identifier: cap.identifier,
        sender: cap.sender,
        sent: cap.sent.toISOString(),
        msgType: cap.msgType,
        references: cap.referencesText,
        link,
        event: cap.infos[0]?.event ?? "",
        texts: cap.infos.map((info) => ({
          language: info.language,
          headline: info.headline,
          description: info.description,
          instruction: info.instruction,
        })),
        earlierIdentifier: earlier?.identifier ?? null,
        earlierMessageId: earlier?.messageId ?? null,
      };
      const ignore = async (reason: string) =>
        (await this.deps.imports.insert(db, { ...row, status: "ignored", reason, source })) ? "ignored" : "repeat";

      // An Update or Cancel of a signal whose draft was published becomes an Update or Cancel of that alert.
      let target: { alertId: string; references: string; content: AlertContent } | undefined;
      if (earlier && !standalone) {
        const earlierMessage = await messages.message(db, earlier.messageId);
        const alert = earlierMessage && (await messages.alert(db, earlierMessage.alertId, true));
        const current = alert?.currentMessageId ? await messages.message(db, alert.currentMessageId) : undefined;
        if (alert?.state === "active" && current?.sent) {
          target = {
            alertId: alert.id,
            references: capReference(this.deps.sender, current.identifier, current.sent),
            content: current.content,
          };
        }
      }
      if (cap.msgType === "Cancel" && !target) {
        return ignore(
          earlier
            ? `cancels ${earlier.identifier}, whose draft was never published: withdraw that draft instead`
            : "cancels a signal this hub never imported: nothing to cancel",
        );
      }
      const template = templateForSignal(cap, feed);
      if (!template && !target) {
        const codes = cap.infos.flatMap((info) => info.eventCodes.map((c) => `${c.valueName}=${c.value}`));
        const reason = `no template for event "${cap.infos[0]?.event}"${codes.length ? ` (${codes.join(", ")})` : ""}: add a rule to ALERTS_PARTNER_FEEDS`;
        return (await this.deps.imports.insert(db, { ...row, status: "refused", reason, source }))
          ? "refused"
          : "repeat";
      }
      const now = this.now();
      let content = template ? contentFromTemplate(template, now) : (target?.content as AlertContent);
      const partnerExpires = cap.infos.find((info) => info.expires)?.expires;
      if (partnerExpires && partnerExpires.getTime() > now.getTime() + 60_000)
        content = { ...content, expires: partnerExpires.toISOString() };

      const messageId = randomUUID();
      const msgType: CapMessageType = target ? (cap.msgType === "Cancel" ? "Cancel" : "Update") : "Alert";
      // The gate: a repeat stops here, with nothing written.
      const first = await this.deps.imports.insert(db, {
        ...row,
        status: "drafted",
        messageId,
        templateId: template?.id ?? null,
        source,
      });
      if (!first) return "repeat";
      const alertId = target?.alertId ?? randomUUID();
      if (!target) await messages.insertAlert(db, alertId, drafter);
      const inserted = await messages.insertMessage(db, {
        id: messageId,
        alertId,
        msgType,
        identifier: `${this.deps.identifierPrefix}-${messageId}`,
        references: target?.references ?? null,
        content,
        draftedBy: drafter,
      });
      if (!inserted) throw new AlertBusy();
      const note = `from ${feed.name.en}: ${cap.identifier} sent ${cap.sent.toISOString()}`;
      await messages.addStep(db, messageId, { action: "drafted", by: drafter, note });
      await this.deps.audit.append(db, {
        actor: drafter,
        action: "alert.drafted",
        subject: messageId,
        detail: { alertId, msgType, partner: feed.id, identifier: cap.identifier, sent: cap.sent.toISOString(), note },
        sourceIp: null,
      });
      await messages.touchAlert(db, alertId);
      return "drafted";
    });
  }

  /** Imports for drafters and approvers, newest first (refused and ignored ones by default). */
  async list(actor: Actor, query: { status?: unknown; limit?: unknown }): Promise<PartnerImportView[]> {
    if (!READERS.some((role) => actor.roles.includes(role)))
      throw new PermissionError(`needs one of the roles ${READERS.join(", ")}`);
    const { status, limit = 100 } = parseInput(
      partnerImportsQuerySchema,
      { status: query.status === "" ? undefined : query.status, limit: query.limit },
      "query",
    );
    const rows = await this.deps.imports.list(
      this.deps.transactions.outside,
      status ? [status] : ["refused", "ignored"],
      limit,
    );
    return rows.map((row) => ({
      id: row.id,
      feedId: row.feedId,
      partnerName: this.deps.feeds.find((feed) => feed.id === row.feedId)?.name ?? {
        "zh-Hant": row.feedId,
        pt: row.feedId,
        en: row.feedId,
      },
      status: row.status,
      reason: row.reason,
      identifier: row.identifier,
      sent: row.sent ? row.sent.toISOString() : null,
      link: row.link,
      messageId: row.messageId,
      templateId: row.templateId,
      receivedAt: row.receivedAt.toISOString(),
    }));
  }

  private blank(feed: PartnerFeedConfig, dedupeKey: string): NewPartnerImport {
    return {
      id: randomUUID(),
      feedId: feed.id,
      dedupeKey: dedupeKey.slice(0, 600),
      status: "refused",
      reason: null,
      identifier: null,
      sender: null,
      sent: null,
      link: null,
      messageId: null,
      templateId: null,
      source: null,
    };
  }
}
