import { type AlertSummary, type MessageView, PARTNER_DRAFTER_PREFIX, type Role, type UserView } from "@hub/contracts";

/** Who may open the alerts view: authors, approvers, and supervisors and administrators (read only). */
export const ALERT_ROLES: readonly Role[] = ["alert_drafter", "alert_approver", "supervisor", "administrator"];

export const canOpenAlerts = (user: Pick<UserView, "roles">): boolean =>
  user.roles.some((role) => ALERT_ROLES.includes(role));
export const canDraft = (user: Pick<UserView, "roles">): boolean => user.roles.includes("alert_drafter");
export const canApprove = (user: Pick<UserView, "roles">): boolean => user.roles.includes("alert_approver");

export const MESSAGE_ACTIONS = ["save", "submit", "withdraw", "approve", "reject"] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

/** Why a shown action cannot be taken (the UI says so next to the disabled button). */
export type ActionBlock =
  /** Drafters edit, submit and withdraw only their own messages. */
  | "notOwnMessage"
  /** Two-person rule: the drafter of a message may not approve or reject it. */
  | "ownMessage"
  /** The alert already has a message in progress: open that one. */
  | "changeInProgress";

export interface ActionState {
  /** Shown at all (the user has the role, and the message is in a state where the action exists). */
  visible: boolean;
  enabled: boolean;
  reason: ActionBlock | null;
}

const hidden: ActionState = { visible: false, enabled: false, reason: null };
const allowed: ActionState = { visible: true, enabled: true, reason: null };
const blocked = (reason: ActionBlock): ActionState => ({ visible: true, enabled: false, reason });

/**
 * What the user may do with a message (null: a new one, not saved yet), as the service decides it: drafters save,
 * submit and withdraw their own drafts (and withdraw their own pending messages); approvers approve or reject
 * pending messages someone else drafted.
 */
export function messageActions(
  user: Pick<UserView, "username" | "roles">,
  message: Pick<MessageView, "status" | "draftedBy"> | null,
): Record<MessageAction, ActionState> {
  const drafter = canDraft(user);
  const approver = canApprove(user);
  if (!message) {
    const state = drafter ? allowed : hidden;
    return { save: state, submit: state, withdraw: hidden, approve: hidden, reject: hidden };
  }
  // A partner's draft is nobody's yet: the drafter who saves or submits it takes it over (the service records it).
  const own =
    message.draftedBy === user.username ||
    (message.status === "draft" && message.draftedBy.startsWith(PARTNER_DRAFTER_PREFIX));
  const ifOwn = own ? allowed : blocked("notOwnMessage");
  const draft = message.status === "draft";
  const pending = message.status === "pending";
  const decision = !approver || !pending ? hidden : own ? blocked("ownMessage") : allowed;
  return {
    save: drafter && draft ? ifOwn : hidden,
    submit: drafter && draft ? ifOwn : hidden,
    withdraw: drafter && (draft || pending) ? ifOwn : hidden,
    approve: decision,
    reject: decision,
  };
}

/** The fields of a message can be changed only where saving it is allowed. */
export const isEditable = (actions: Record<MessageAction, ActionState>): boolean => actions.save.enabled;

export type AlertAction = "update" | "cancel";

/** Update and Cancel of a published, active alert: drafters, when no other change of it is in progress. */
export function alertActions(
  user: Pick<UserView, "roles">,
  alert: Pick<AlertSummary, "state" | "pendingMessageId"> | null,
): Record<AlertAction, ActionState> {
  if (!alert || !canDraft(user) || alert.state !== "active") return { update: hidden, cancel: hidden };
  const state = alert.pendingMessageId ? blocked("changeInProgress") : allowed;
  return { update: state, cancel: state };
}
