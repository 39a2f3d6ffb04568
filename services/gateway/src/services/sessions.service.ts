import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { type AuditEntry, AuthenticationError, type Logger } from "@hub/common";
import { type LoginResponse, ROLES, type Role, type SessionEndReason, type UserView } from "@hub/contracts";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { RotatedSession, SessionState } from "../repositories/sessions.repository.js";

/** The signed-in user of a request or socket. */
export interface Principal extends UserView {}

/** A verified access token: who, and which session it belongs to. */
export interface Authenticated {
  principal: Principal;
  sessionId: string;
}

/** What the session logic needs of storage (the `sessions` table in production, memory in unit tests). */
export interface SessionStore {
  create(session: { id: string; username: string; roles: Role[]; expiresAt: Date }): Promise<void>;
  rotate(id: string, generation: number): Promise<RotatedSession | undefined>;
  state(id: string): Promise<SessionState | undefined>;
  revoke(id: string, reason: SessionEndReason): Promise<boolean>;
  deadAmong(ids: readonly string[]): Promise<Map<string, SessionEndReason>>;
}

export interface SessionSettings {
  /** HMAC key of the access tokens (GATEWAY_JWT_SECRET); the refresh tokens' key is derived from it. */
  secret: string;
  /** Lifetime of an access token (minutes). */
  accessTtlS: number;
  /** Lifetime of a sign-in (a shift); refreshing never goes past it. */
  sessionTtlS: number;
  /** How long this instance trusts its last answer to "is this session live?" (0: ask every time). */
  checkCacheMs: number;
}

const ISSUER = "macao-event-hub";
const AUDIENCE = "hub-gateway";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REFRESH_PREFIX = "r1";
/** Liveness answers kept per instance at most (sessions, not requests); beyond it the cache starts over. */
const CACHE_LIMIT = 10_000;

/**
 * Server-side sessions behind short-lived access tokens. An access token (JWT, HS256) lasts minutes and names its
 * session (`sid`); every use checks that the session is live — not revoked, not expired, its user enabled and with
 * the roles it signed in with — through a per-instance cache of `checkCacheMs`. A refresh token is single use: it is
 * `r1.<session>.<generation>.<HMAC>`, so the database keeps only the generation expected next, a replayed older one
 * is recognised as genuine-but-used (and ends the session: someone holds a copy), and a forged one is simply refused.
 */
export class SessionService {
  private readonly accessKey: Uint8Array;
  private readonly refreshKey: Buffer;
  private readonly cache = new Map<string, { until: number; dead: SessionEndReason | null }>();
  private readonly pending = new Map<string, Promise<SessionEndReason | null>>();

  constructor(
    private readonly deps: {
      store: SessionStore;
      audit: { record(entry: AuditEntry): Promise<void> };
      settings: SessionSettings;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.accessKey = new TextEncoder().encode(deps.settings.secret);
    // A key of its own for refresh tokens, so neither kind of token can stand in for the other.
    this.refreshKey = createHmac("sha256", deps.settings.secret).update("hub refresh tokens v1").digest();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Opens a session for a user whose password has just been checked. */
  async start(user: { username: string; display_name: string; roles: Role[] }): Promise<LoginResponse> {
    const id = randomUUID();
    const sessionExpiresAt = new Date(this.now() + this.deps.settings.sessionTtlS * 1000);
    await this.deps.store.create({ id, username: user.username, roles: user.roles, expiresAt: sessionExpiresAt });
    return this.tokens(id, 0, sessionExpiresAt, {
      username: user.username,
      displayName: user.display_name,
      roles: user.roles,
    });
  }

  /** The user and session of an access token; AuthenticationError if it is missing, forged, expired or ended. */
  async authenticate(token: string | undefined): Promise<Authenticated> {
    if (!token) throw new AuthenticationError("sign-in required: no bearer token");
    let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
    try {
      ({ payload } = await jwtVerify(token, this.accessKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      const reason =
        error instanceof joseErrors.JWTExpired ? "token expired; refresh it or sign in again" : "invalid token";
      throw new AuthenticationError(reason);
    }
    if (!payload.sub) throw new AuthenticationError("token has no subject");
    const sessionId = typeof payload.sid === "string" && UUID.test(payload.sid) ? payload.sid : undefined;
    if (!sessionId) throw new AuthenticationError("token names no session; sign in again");
    const dead = await this.deadReason(sessionId);
    if (dead) throw new AuthenticationError(`session ended (${dead}); sign in again`);
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((role): role is Role => ROLES.includes(role as Role))
      : [];
    return { principal: { username: payload.sub, displayName: String(payload.name ?? payload.sub), roles }, sessionId };
  }

  /**
   * A new access token and refresh token for a refresh token. A replayed (already used) refresh token ends the
   * session; so does a refresh after the user was disabled or their roles changed.
   */
  async refresh(refreshToken: string, sourceIp?: string): Promise<LoginResponse> {
    const parsed = this.parseRefreshToken(refreshToken);
    if (!parsed) throw new AuthenticationError("invalid refresh token");
    const { sessionId, generation } = parsed;
    const rotated = await this.deps.store.rotate(sessionId, generation);
    if (rotated) {
      this.cache.delete(sessionId);
      return this.tokens(sessionId, rotated.generation, rotated.expiresAt, {
        username: rotated.username,
        displayName: rotated.displayName,
        roles: rotated.roles,
      });
    }
    const state = await this.deps.store.state(sessionId);
    if (!state) throw new AuthenticationError("invalid refresh token");
    let reason: SessionEndReason | null = null;
    if (state.revokedReason === null) {
      if (generation < state.generation) reason = "refresh_token_reuse";
      else if (state.userDisabled) reason = "user_disabled";
      else if (state.rolesChanged) reason = "roles_changed";
    }
    if (reason) {
      if (await this.deps.store.revoke(sessionId, reason)) {
        this.cache.set(sessionId, { until: this.now() + this.deps.settings.checkCacheMs, dead: reason });
        if (reason === "refresh_token_reuse")
          this.deps.logger.warn({ session: sessionId }, "refresh token replayed: session revoked");
        await this.deps.audit.record({
          actor: "gateway",
          action: "session.revoked",
          subject: sessionId,
          detail: { reason },
          sourceIp,
        });
      }
      throw new AuthenticationError(`session ended (${reason}); sign in again`);
    }
    if (state.revokedReason) throw new AuthenticationError(`session ended (${state.revokedReason}); sign in again`);
    throw new AuthenticationError(state.expired ? "session expired; sign in again" : "invalid refresh token");
  }

  /** Ends the session of a signed-in request (sign-out). */
  async signOut(principal: Principal, sessionId: string, sourceIp?: string): Promise<void> {
    this.cache.set(sessionId, { until: this.now() + this.deps.settings.checkCacheMs, dead: "signed_out" });
    if (await this.deps.store.revoke(sessionId, "signed_out"))
      await this.deps.audit.record({ actor: principal.username, action: "sign_out", subject: sessionId, sourceIp });
  }

  /**
   * Of the given sessions, those that have ended, with why (one store query, never cached: the socket sweep uses it
   * and its answers refresh this instance's cache).
   */
  async deadAmong(ids: readonly string[]): Promise<Map<string, SessionEndReason>> {
    const dead = await this.deps.store.deadAmong(ids);
    const until = this.now() + this.deps.settings.checkCacheMs;
    for (const id of ids) this.remember(id, { until, dead: dead.get(id) ?? null });
    return dead;
  }

  /** Forgets what this instance knows about a session (after changing it here). */
  forget(sessionId: string): void {
    this.cache.delete(sessionId);
  }

  private async deadReason(sessionId: string): Promise<SessionEndReason | null> {
    const cached = this.cache.get(sessionId);
    if (cached && cached.until > this.now()) return cached.dead;
    // Concurrent requests of one session wait for one query.
    let lookup = this.pending.get(sessionId);
    if (!lookup) {
      lookup = this.deps.store
        .deadAmong([sessionId])
        .then((dead) => {
          const reason = dead.get(sessionId) ?? null;
          this.remember(sessionId, { until: this.now() + this.deps.settings.checkCacheMs, dead: reason });
          return reason;
        })
        .finally(() => this.pending.delete(sessionId));
      this.pending.set(sessionId, lookup);
    }
    return lookup;
  }

  private remember(sessionId: string, entry: { until: number; dead: SessionEndReason | null }): void {
    if (this.deps.settings.checkCacheMs <= 0) return;
    if (!this.cache.has(sessionId) && this.cache.size >= CACHE_LIMIT) {
      const now = this.now();
      for (const [id, cached] of this.cache) if (cached.until <= now) this.cache.delete(id);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    }
    this.cache.set(sessionId, entry);
  }

  private async tokens(sessionId: string, generation: number, sessionExpiresAt: Date, user: UserView) {
    const accessEnd = Math.min(this.now() + this.deps.settings.accessTtlS * 1000, sessionExpiresAt.getTime());
    const token = await new SignJWT({ name: user.displayName, roles: user.roles, sid: sessionId })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user.username)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(Math.floor(accessEnd / 1000))
      .sign(this.accessKey);
    return {
      token,
      expiresAt: new Date(accessEnd).toISOString(),
      refreshToken: this.refreshToken(sessionId, generation),
      sessionExpiresAt: sessionExpiresAt.toISOString(),
      user,
    } satisfies LoginResponse;
  }

  private refreshMac(sessionId: string, generation: number): Buffer {
    return createHmac("sha256", this.refreshKey).update(`${sessionId}.${generation}`).digest();
  }

  private refreshToken(sessionId: string, generation: number): string {
    return `${REFRESH_PREFIX}.${sessionId}.${generation}.${this.refreshMac(sessionId, generation).toString("base64url")}`;
  }

  private parseRefreshToken(token: string): { sessionId: string; generation: number } | undefined {
    const [prefix, sessionId, generationText, mac, ...rest] = token.split(".");
    if (prefix !== REFRESH_PREFIX || !sessionId || !generationText || !mac || rest.length > 0) return undefined;
    if (!UUID.test(sessionId) || !/^\d{1,9}$/.test(generationText)) return undefined;
    const generation = Number(generationText);
    const expected = this.refreshMac(sessionId, generation);
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { sessionId, generation };
  }
}
