import { AuthenticationError, HubError, type Logger, PermissionError } from "@hub/common";
import { type LoginRequest, type LoginResponse, ROLES, type Role, type UserView } from "@hub/contracts";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { UsersRepository } from "../repositories/users.repository.js";
import type { CredentialsService } from "./credentials.service.js";

export interface Principal extends UserView {}

const ISSUER = "macao-event-hub";
const AUDIENCE = "hub-gateway";

/** The users seeded in development mode: one per role, all with DEV_USER_PASSWORD. */
export const devUsers: readonly { username: string; displayName: string; roles: Role[] }[] = [
  { username: "operator", displayName: "Duty operator (development)", roles: ["operator"] },
  { username: "investigator", displayName: "Investigator (development)", roles: ["investigator"] },
  { username: "supervisor", displayName: "Supervisor (development)", roles: ["supervisor"] },
  { username: "drafter", displayName: "Alert drafter (development)", roles: ["alert_drafter"] },
  { username: "approver", displayName: "Alert approver (development)", roles: ["alert_approver"] },
  { username: "admin", displayName: "Administrator (development)", roles: ["administrator"] },
];

/** Sign-in with username and password; short-lived signed tokens (JWT, HS256) carry the user's roles. */
export class AuthService {
  private readonly key: Uint8Array;

  constructor(
    private readonly deps: {
      users: UsersRepository;
      /** Password check, throttling and re-hash (credentials.service.ts). */
      credentials: CredentialsService;
      audit: AuditRepository;
      secret: string;
      ttlS: number;
      logger: Logger;
    },
  ) {
    this.key = new TextEncoder().encode(deps.secret);
  }

  /** Signs in with credentials already checked against the contract's `LoginRequest` at the HTTP edge. */
  async login({ username, password }: LoginRequest, sourceIp?: string): Promise<LoginResponse> {
    const user = await this.deps.credentials.check(username, password, sourceIp);
    const expiresAt = new Date(Date.now() + this.deps.ttlS * 1000);
    const token = await new SignJWT({ name: user.display_name, roles: user.roles })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user.username)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    await this.deps.audit.record({ actor: user.username, action: "sign_in", sourceIp });
    return {
      token,
      expiresAt: expiresAt.toISOString(),
      user: { username: user.username, displayName: user.display_name, roles: user.roles },
    };
  }

  /** The signed-in user of a bearer token; AuthenticationError if it is missing, forged or expired. */
  async verify(token: string | undefined): Promise<Principal> {
    if (!token) throw new AuthenticationError("sign-in required: no bearer token");
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((role): role is Role => ROLES.includes(role as Role))
        : [];
      if (!payload.sub) throw new AuthenticationError("token has no subject");
      return { username: payload.sub, displayName: String(payload.name ?? payload.sub), roles };
    } catch (error) {
      if (error instanceof HubError) throw error;
      const reason = error instanceof joseErrors.JWTExpired ? "token expired; sign in again" : "invalid token";
      throw new AuthenticationError(reason);
    }
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
