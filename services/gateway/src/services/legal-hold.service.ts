import { isUuid, NotFoundError, parseInput } from "@hub/common";
import {
  type LegalHoldReleaseView,
  type LegalHoldView,
  legalHoldReleaseRequestSchema,
  placeLegalHoldRequestSchema,
} from "@hub/contracts";
import type { LegalHoldsRepository } from "../repositories/legal-holds.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/**
 * Legal holds: an investigator or supervisor places one; ending it takes two supervisors, one who asks (with a
 * reason) and another who approves. The two-person rule is enforced again by the database (migration 0012), so a
 * bug or a compromised gateway here cannot clear a hold in one step; every step is audited with its change.
 */
export class LegalHoldService {
  constructor(
    private readonly holds: Pick<LegalHoldsRepository, "place" | "active" | "requestRelease" | "approveRelease">,
  ) {}

  async place(user: Principal, body: unknown, sourceIp: string): Promise<LegalHoldView> {
    AuthService.require(user, "investigator", "supervisor");
    const { caseReference, reason } = parseInput(placeLegalHoldRequestSchema, body ?? {}, "body");
    return this.holds.place(
      { caseReference, reason, placedBy: user.username },
      {
        actor: user.username,
        action: "legal-hold.place",
        subject: caseReference,
        caseReference,
        detail: { reason },
        sourceIp,
      },
    );
  }

  async list(user: Principal): Promise<LegalHoldView[]> {
    AuthService.require(user, "investigator", "supervisor", "administrator");
    return this.holds.active();
  }

  async requestRelease(user: Principal, body: unknown, sourceIp: string): Promise<LegalHoldReleaseView> {
    AuthService.require(user, "supervisor");
    const { caseReference, reason } = parseInput(legalHoldReleaseRequestSchema, body ?? {}, "body");
    return this.holds.requestRelease({ caseReference, requestedBy: user.username, reason }, (id) => ({
      actor: user.username,
      action: "legal-hold.release.request",
      subject: id,
      caseReference,
      detail: { reason },
      sourceIp,
    }));
  }

  async approveRelease(user: Principal, id: string, sourceIp: string): Promise<LegalHoldReleaseView> {
    AuthService.require(user, "supervisor");
    if (!isUuid(id)) throw new NotFoundError("id", `no release request ${id}`);
    return this.holds.approveRelease(id, user.username, (caseReference) => ({
      actor: user.username,
      action: "legal-hold.release.approve",
      subject: id,
      caseReference,
      sourceIp,
    }));
  }
}
