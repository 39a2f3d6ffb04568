import type { Role } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { newAlertSummary, newMessage } from "../testing/alert-factories";
import { alertActions, canOpenAlerts, isEditable, messageActions } from "./actions";

const user = (username: string, ...roles: Role[]) => ({ username, roles });
const drafter = user("dora", "alert_drafter");
const approver = user("alex", "alert_approver");
const both = user("bea", "alert_drafter", "alert_approver");
const supervisor = user("sam", "supervisor");

const enabledOf = (actions: ReturnType<typeof messageActions>) =>
  Object.entries(actions)
    .filter(([, state]) => state.enabled)
    .map(([name]) => name)
    .sort();
const visibleOf = (actions: ReturnType<typeof messageActions>) =>
  Object.entries(actions)
    .filter(([, state]) => state.visible)
    .map(([name]) => name)
    .sort();

describe("who may open the alerts view", () => {
  it("is authors, approvers, supervisors and administrators, not operators or investigators", () => {
    expect(canOpenAlerts(drafter)).toBe(true);
    expect(canOpenAlerts(approver)).toBe(true);
    expect(canOpenAlerts(supervisor)).toBe(true);
    expect(canOpenAlerts(user("ada", "administrator"))).toBe(true);
    expect(canOpenAlerts(user("otto", "operator", "investigator"))).toBe(false);
  });
});

describe("messageActions", () => {
  it("lets a drafter save and submit a new alert, and nobody else", () => {
    expect(enabledOf(messageActions(drafter, null))).toEqual(["save", "submit"]);
    expect(visibleOf(messageActions(approver, null))).toEqual([]);
    expect(visibleOf(messageActions(supervisor, null))).toEqual([]);
  });

  it("lets the drafter edit, submit and withdraw their own draft; another drafter sees why not", () => {
    const draft = newMessage({ status: "draft", draftedBy: "dora" });
    expect(enabledOf(messageActions(drafter, draft))).toEqual(["save", "submit", "withdraw"]);
    expect(isEditable(messageActions(drafter, draft))).toBe(true);
    const other = messageActions(user("dan", "alert_drafter"), draft);
    expect(other.submit).toEqual({ visible: true, enabled: false, reason: "notOwnMessage" });
    expect(isEditable(other)).toBe(false);
  });

  it("lets any drafter take over a partner's draft, but nobody decide on it before a drafter submits it", () => {
    const partnerDraft = newMessage({ status: "draft", draftedBy: "partner:smg" });
    expect(enabledOf(messageActions(drafter, partnerDraft))).toEqual(["save", "submit", "withdraw"]);
    expect(visibleOf(messageActions(approver, partnerDraft))).toEqual([]);
  });

  it("lets the drafter only withdraw a pending message, and an approver approve or reject it", () => {
    const pending = newMessage({ status: "pending", draftedBy: "dora" });
    expect(enabledOf(messageActions(drafter, pending))).toEqual(["withdraw"]);
    expect(isEditable(messageActions(drafter, pending))).toBe(false);
    expect(enabledOf(messageActions(approver, pending))).toEqual(["approve", "reject"]);
  });

  it("applies the two-person rule: the drafter may not decide on their own message, and is told why", () => {
    const own = newMessage({ status: "pending", draftedBy: "bea" });
    const actions = messageActions(both, own);
    expect(actions.approve).toEqual({ visible: true, enabled: false, reason: "ownMessage" });
    expect(actions.reject).toEqual({ visible: true, enabled: false, reason: "ownMessage" });
    expect(actions.withdraw.enabled).toBe(true);
    // Someone else's pending message: this user may decide.
    expect(messageActions(both, newMessage({ status: "pending", draftedBy: "dora" })).approve.enabled).toBe(true);
  });

  it("offers nothing on published, rejected or withdrawn messages, nor to supervisors", () => {
    for (const status of ["published", "rejected", "withdrawn"] as const)
      expect(visibleOf(messageActions(both, newMessage({ status, draftedBy: "dora" }))), status).toEqual([]);
    expect(visibleOf(messageActions(supervisor, newMessage({ status: "pending" })))).toEqual([]);
  });
});

describe("alertActions", () => {
  it("offers Update and Cancel of an active alert to drafters", () => {
    expect(alertActions(drafter, newAlertSummary({ state: "active" })).update).toEqual({
      visible: true,
      enabled: true,
      reason: null,
    });
    expect(alertActions(approver, newAlertSummary({ state: "active" })).cancel.visible).toBe(false);
    for (const state of ["draft", "cancelled", "expired"] as const)
      expect(alertActions(drafter, newAlertSummary({ state })).cancel.visible, state).toBe(false);
  });

  it("blocks them while another change of the alert is in progress", () => {
    const busy = newAlertSummary({ state: "active", pendingMessageId: "msg-9" });
    expect(alertActions(drafter, busy).cancel).toEqual({ visible: true, enabled: false, reason: "changeInProgress" });
  });
});
