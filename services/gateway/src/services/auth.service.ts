import { type Logger, PermissionError } from "@hub/common";
import type { LoginRequest, LoginResponse, Role } from "@hub/contracts";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { UsersRepository } from "../repositories/users.repository.js";
import type { CredentialsService } from "./credentials.service.js";
import type { Principal, SessionService } from "./sessions.service.js";

export type { Principal };

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
  constructor(
    private readonly deps: {
      users: UsersRepository;
      /** Password check, throttling and re-hash (credentials.service.ts). */
      credentials: CredentialsService;
      audit: AuditRepository;
      sessions: SessionService;
      logger: Logger;
    },
  ) {}

  /** Signs in with credentials already checked against the contract's `LoginRequest` at the HTTP edge. */
  async login({ username, password }: LoginRequest, sourceIp?: string): Promise<LoginResponse> {
    const user = await this.deps.credentials.check(username, password, sourceIp);
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
    const passwordHash = await this.deps.credentials.hash(password);
    for (const user of devUsers) await this.deps.users.upsert({ ...user, passwordHash });
  }
}
