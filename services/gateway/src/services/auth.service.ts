import { AuthenticationError, HubError, type Logger, PermissionError } from "@hub/common";
import type { LoginRequest, LoginResponse, Role } from "@hub/contracts";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { UsersRepository } from "../repositories/users.repository.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import type { Principal, SessionService } from "./sessions.service.js";

export type { Principal };

/** Failed sign-ins per username before it is refused for a while (against password guessing). */
const MAX_FAILURES = 5;
const LOCKOUT_MS = 5 * 60 * 1000;

/** The users seeded in development mode: one per role, all with DEV_USER_PASSWORD. */
export const devUsers: readonly { username: string; displayName: string; roles: Role[] }[] = [
  { username: "operator", displayName: "Duty operator (development)", roles: ["operator"] },
  { username: "investigator", displayName: "Investigator (development)", roles: ["investigator"] },
  { username: "supervisor", displayName: "Supervisor (development)", roles: ["supervisor"] },
  { username: "drafter", displayName: "Alert drafter (development)", roles: ["alert_drafter"] },
  { username: "approver", displayName: "Alert approver (development)", roles: ["alert_approver"] },
  { username: "admin", displayName: "Administrator (development)", roles: ["administrator"] },
];

/** Sign-in with username and password; the session and its tokens come from the SessionService. */
export class AuthService {
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly deps: {
      users: UsersRepository;
      audit: AuditRepository;
      sessions: SessionService;
      logger: Logger;
    },
  ) {}

  /** Signs in with credentials already checked against the contract's `LoginRequest` at the HTTP edge. */
  async login({ username, password }: LoginRequest, sourceIp?: string): Promise<LoginResponse> {
    const name = username.toLowerCase();
    const failed = this.failures.get(name);
    if (failed && failed.count >= MAX_FAILURES && failed.until > Date.now())
      throw new HubError("RESOURCE_EXHAUSTED", "too many failed sign-ins; try again in a few minutes", {
        retriable: true,
      });
    const user = await this.deps.users.find(name);
    const ok = user && !user.disabled_at && (await verifyPassword(password, user.password_hash));
    if (!user || !ok) {
      const count = (failed && failed.until > Date.now() ? failed.count : 0) + 1;
      this.failures.set(name, { count, until: Date.now() + LOCKOUT_MS });
      await this.deps.audit.record({ actor: name, action: "sign_in_failed", sourceIp });
      throw new AuthenticationError("wrong username or password");
    }
    this.failures.delete(name);
    const session = await this.deps.sessions.start(user);
    await this.deps.audit.record({ actor: user.username, action: "sign_in", sourceIp });
    return session;
  }

  /** PermissionError unless the user has one of `roles`. */
  static require(principal: Principal, ...roles: Role[]): void {
    if (!roles.some((role) => principal.roles.includes(role)))
      throw new PermissionError(`requires the ${roles.join(" or ")} role`);
  }

  /** Creates or updates the development users (development and test mode only). */
  async seedDevelopmentUsers(password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    for (const user of devUsers) await this.deps.users.upsert({ ...user, passwordHash });
  }
}
