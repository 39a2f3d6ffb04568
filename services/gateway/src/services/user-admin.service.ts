import { NotFoundError, PermissionError, parseInput } from "@hub/common";
import { type Role, type UserAccountView, userRolesRequestSchema, userStatusRequestSchema } from "@hub/contracts";
import type { AuditEntry } from "../repositories/audit.repository.js";
import type { UserRow } from "../repositories/users.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/** What account administration needs of storage (the users repository). */
export interface AccountStore {
  list(): Promise<UserRow[]>;
  change(
    username: string,
    change: { roles?: Role[]; disabled?: boolean },
    endSessions: "user_disabled" | "roles_changed" | null,
    audit: (before: UserRow) => AuditEntry,
  ): Promise<UserRow | undefined>;
}

/** Accounts a supervisor may not disable (only an administrator may). */
const PRIVILEGED: readonly Role[] = ["administrator", "supervisor"];

export function accountView(row: UserRow): UserAccountView {
  return {
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    disabledAt: row.disabled_at ? row.disabled_at.toISOString() : null,
  };
}

/**
 * Account administration: supervisors and administrators disable accounts (a dismissed employee, a lost device),
 * administrators change roles and enable accounts again. Every change is audited and ends the account's sessions
 * (its tokens stop working and its sockets are disconnected within seconds on every gateway instance).
 */
export class UserAdminService {
  constructor(private readonly deps: { accounts: AccountStore }) {}

  async list(actor: Principal): Promise<UserAccountView[]> {
    AuthService.require(actor, "supervisor", "administrator");
    return (await this.deps.accounts.list()).map(accountView);
  }

  async setRoles(actor: Principal, username: string, body: unknown, sourceIp?: string): Promise<UserAccountView> {
    AuthService.require(actor, "administrator");
    const { roles, reason } = parseInput(userRolesRequestSchema, body ?? {}, "body");
    if (username === actor.username) throw new PermissionError("you cannot change your own roles");
    return this.apply(username, { roles }, "roles_changed", (before) => ({
      actor: actor.username,
      action: "user.roles_changed",
      subject: username,
      detail: { from: before.roles, to: roles, reason },
      sourceIp,
    }));
  }

  async disable(actor: Principal, username: string, body: unknown, sourceIp?: string): Promise<UserAccountView> {
    AuthService.require(actor, "supervisor", "administrator");
    const { reason } = parseInput(userStatusRequestSchema, body ?? {}, "body");
    if (username === actor.username) throw new PermissionError("you cannot disable your own account");
    const isAdministrator = actor.roles.includes("administrator");
    return this.apply(username, { disabled: true }, "user_disabled", (before) => {
      if (!isAdministrator && before.roles.some((role) => PRIVILEGED.includes(role)))
        throw new PermissionError("only an administrator can disable a supervisor or administrator");
      return { actor: actor.username, action: "user.disabled", subject: username, detail: { reason }, sourceIp };
    });
  }

  async enable(actor: Principal, username: string, body: unknown, sourceIp?: string): Promise<UserAccountView> {
    AuthService.require(actor, "administrator");
    const { reason } = parseInput(userStatusRequestSchema, body ?? {}, "body");
    return this.apply(username, { disabled: false }, null, () => ({
      actor: actor.username,
      action: "user.enabled",
      subject: username,
      detail: { reason },
      sourceIp,
    }));
  }

  private async apply(
    username: string,
    change: { roles?: Role[]; disabled?: boolean },
    endSessions: "user_disabled" | "roles_changed" | null,
    audit: (before: UserRow) => AuditEntry,
  ): Promise<UserAccountView> {
    const row = await this.deps.accounts.change(username, change, endSessions, audit);
    if (!row) throw new NotFoundError("username", `no user ${username}`);
    return accountView(row);
  }
}
