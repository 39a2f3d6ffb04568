import { isUuid, NotFoundError, parseInput } from "@hub/common";
import {
  WATCH_LIST_APPROVER_ROLES,
  WATCH_LIST_PROPOSER_ROLES,
  WATCH_LIST_ROLES,
  type WatchListEntryView,
  type WatchListHitView,
  watchListExtensionRequestSchema,
  watchListHitsQuerySchema,
  watchListProposalSchema,
  watchListQuerySchema,
  watchListReasonRequestSchema,
} from "@hub/contracts";
import type { AuditEntry } from "../repositories/audit.repository.js";
import type { WatchListRepository } from "../repositories/watch-list.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/**
 * The plate watch list, run by staff (README "Watch lists"): an investigator proposes, a supervisor other than the
 * proposer approves or rejects; an extension of the expiry takes a second person too; an investigator or a
 * supervisor removes. The plate is personal data: only investigators and supervisors see entries and hits, and every
 * look and every change is audited (in the same transaction). The audit entries name the entry by its reference,
 * never by its plate: the audit trail is read by administrators, who may not see plates.
 */
export class WatchListService {
  constructor(private readonly entries: WatchListRepository) {}

  async list(user: Principal, query: unknown, sourceIp: string): Promise<WatchListEntryView[]> {
    AuthService.require(user, ...WATCH_LIST_ROLES);
    const { status } = parseInput(watchListQuerySchema, query ?? {}, "query");
    return this.entries.list(status, (count) => ({
      actor: user.username,
      action: "watch-list.list",
      personalData: true,
      criteria: { status: status ?? null },
      resultCount: count,
      sourceIp,
    }));
  }

  async hits(user: Principal, query: unknown, sourceIp: string): Promise<WatchListHitView[]> {
    AuthService.require(user, ...WATCH_LIST_ROLES);
    const { entryId, limit } = parseInput(watchListHitsQuerySchema, query ?? {}, "query");
    return this.entries.hits({ ...(entryId ? { entryId } : {}), limit }, (hits) => ({
      actor: user.username,
      action: "watch-list.hits.view",
      personalData: true,
      criteria: { entryId: entryId ?? null, limit },
      resultCount: hits.length,
      detail: { references: [...new Set(hits.map((hit) => hit.reference))] },
      sourceIp,
    }));
  }

  async propose(user: Principal, body: unknown, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_PROPOSER_ROLES);
    const proposal = parseInput(watchListProposalSchema, body ?? {}, "body");
    return this.entries.propose(
      {
        plate: proposal.plate,
        matchKind: proposal.matchKind,
        reason: proposal.reason,
        caseReference: proposal.caseReference,
        expiresAt: new Date(proposal.expiresAt),
        addedBy: user.username,
      },
      (entry) => this.#change(user, "watch-list.propose", entry, sourceIp, { expiresAt: entry.expiresAt }),
    );
  }

  async approve(user: Principal, id: string, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_APPROVER_ROLES);
    return this.entries.decide(this.#id(id), { by: user.username, outcome: "active", reason: null }, (entry) =>
      this.#change(user, "watch-list.approve", entry, sourceIp, { proposedBy: entry.addedBy }),
    );
  }

  async reject(user: Principal, id: string, body: unknown, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_APPROVER_ROLES);
    const { reason } = parseInput(watchListReasonRequestSchema, body ?? {}, "body");
    return this.entries.decide(this.#id(id), { by: user.username, outcome: "rejected", reason }, (entry) =>
      this.#change(user, "watch-list.reject", entry, sourceIp, { proposedBy: entry.addedBy, reason }),
    );
  }

  async requestExtension(user: Principal, id: string, body: unknown, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_ROLES);
    const request = parseInput(watchListExtensionRequestSchema, body ?? {}, "body");
    return this.entries.requestExtension(
      this.#id(id),
      { expiresAt: new Date(request.expiresAt), reason: request.reason, requestedBy: user.username },
      (entry) =>
        this.#change(user, "watch-list.extension.request", entry, sourceIp, {
          from: entry.expiresAt,
          to: new Date(request.expiresAt).toISOString(),
          reason: request.reason,
        }),
    );
  }

  async approveExtension(user: Principal, id: string, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_APPROVER_ROLES);
    return this.entries.decideExtension(this.#id(id), { by: user.username, approve: true }, (entry, extension) =>
      this.#change(user, "watch-list.extension.approve", entry, sourceIp, { extension }),
    );
  }

  async rejectExtension(user: Principal, id: string, body: unknown, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_APPROVER_ROLES);
    const { reason } = parseInput(watchListReasonRequestSchema, body ?? {}, "body");
    return this.entries.decideExtension(this.#id(id), { by: user.username, approve: false }, (entry, extension) =>
      this.#change(user, "watch-list.extension.reject", entry, sourceIp, { extension, reason }),
    );
  }

  async remove(user: Principal, id: string, body: unknown, sourceIp: string): Promise<WatchListEntryView> {
    AuthService.require(user, ...WATCH_LIST_ROLES);
    const { reason } = parseInput(watchListReasonRequestSchema, body ?? {}, "body");
    return this.entries.remove(this.#id(id), { by: user.username, reason }, (entry) =>
      this.#change(user, "watch-list.remove", entry, sourceIp, { reason }),
    );
  }

  #id(id: string): string {
    if (!isUuid(id)) throw new NotFoundError("id", `no watch-list entry ${id}`);
    return id;
  }

  #change(
    user: Principal,
    action: string,
    entry: WatchListEntryView,
    sourceIp: string,
    detail: Record<string, unknown>,
  ): AuditEntry {
    return {
      actor: user.username,
      action,
      subject: entry.reference,
      personalData: true,
      caseReference: entry.caseReference,
      criteria: { id: entry.id, matchKind: entry.matchKind, status: entry.status, expiresAt: entry.expiresAt },
      detail,
      sourceIp,
    };
  }
}
