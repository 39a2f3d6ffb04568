import { createLogger } from "@hub/common";
import type { Role, SessionEndReason } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import type { RotatedSession, SessionState } from "../repositories/sessions.repository.js";
import { SessionService, type SessionStore } from "./sessions.service.js";

interface Row {
  username: string;
  roles: Role[];
  expiresAt: number;
  generation: number;
  revoked: SessionEndReason | null;
}

/** The `sessions` and `users` tables in memory, with a clock. */
class MemoryStore implements SessionStore {
  readonly rows = new Map<string, Row>();
  readonly users = new Map<string, { roles: Role[]; disabled: boolean }>();
  lookups = 0;
  constructor(private readonly clock: { now: number }) {}

  async create(session: { id: string; username: string; roles: Role[]; expiresAt: Date }) {
    this.rows.set(session.id, { ...session, expiresAt: session.expiresAt.getTime(), generation: 0, revoked: null });
  }
  private dead(row: Row | undefined): SessionEndReason | null {
    if (!row) return "revoked";
    const user = this.users.get(row.username);
    if (row.revoked) return row.revoked;
    if (!user || user.disabled) return "user_disabled";
    if (user.roles.join() !== row.roles.join()) return "roles_changed";
    if (row.expiresAt <= this.clock.now) return "expired";
    return null;
  }
  async rotate(id: string, generation: number): Promise<RotatedSession | undefined> {
    const row = this.rows.get(id);
    if (!row || row.generation !== generation || this.dead(row)) return undefined;
    row.generation += 1;
    return {
      generation: row.generation,
      expiresAt: new Date(row.expiresAt),
      username: row.username,
      displayName: row.username,
      roles: row.roles,
    };
  }
  async state(id: string): Promise<SessionState | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const user = this.users.get(row.username);
    return {
      generation: row.generation,
      revokedReason: row.revoked,
      expired: row.expiresAt <= this.clock.now,
      userDisabled: user?.disabled ?? true,
      rolesChanged: user?.roles.join() !== row.roles.join(),
    };
  }
  async revoke(id: string, reason: SessionEndReason) {
    const row = this.rows.get(id);
    if (!row || row.revoked) return false;
    row.revoked = reason;
    return true;
  }
  async deadAmong(ids: readonly string[]) {
    this.lookups += 1;
    const dead = new Map<string, SessionEndReason>();
    for (const id of ids) {
      const reason = this.dead(this.rows.get(id));
      if (reason) dead.set(id, reason);
    }
    return dead;
  }
}

function setup(checkCacheMs = 2000) {
  const clock = { now: Date.parse("2026-12-06T08:00:00Z") };
  const store = new MemoryStore(clock);
  store.users.set("lei", { roles: ["operator"], disabled: false });
  const audits: { action: string; detail?: unknown }[] = [];
  const service = new SessionService({
    store,
    audit: { record: async (entry) => void audits.push(entry) },
    settings: { secret: "s".repeat(32), accessTtlS: 300, sessionTtlS: 12 * 3600, checkCacheMs },
    logger: createLogger("test", "silent"),
    now: () => clock.now,
  });
  const signIn = () => service.start({ username: "lei", display_name: "Lei", roles: ["operator"] });
  return { clock, store, audits, service, signIn };
}

describe("SessionService", () => {
  it("issues access tokens that last minutes, within a session that lasts the shift", async () => {
    const { clock, service, signIn } = setup();
    const session = await signIn();
    expect(Date.parse(session.expiresAt) - clock.now).toBe(300_000);
    expect(Date.parse(session.sessionExpiresAt) - clock.now).toBe(12 * 3600_000);
    expect((await service.authenticate(session.token)).principal.username).toBe("lei");
    clock.now += 301_000;
    await expect(service.authenticate(session.token)).rejects.toThrow(/expired/);
  });

  it("refreshes with a single-use token; a replay of a used one ends the session", async () => {
    const { service, signIn, audits } = setup(0);
    const first = await signIn();
    const second = await service.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await service.authenticate(second.token)).sessionId).toBeDefined();
    await expect(service.refresh(first.refreshToken)).rejects.toThrow(/refresh_token_reuse/);
    await expect(service.authenticate(second.token)).rejects.toThrow(/session ended/);
    await expect(service.refresh(second.refreshToken)).rejects.toThrow(/session ended/);
    expect(audits).toEqual([
      expect.objectContaining({ action: "session.revoked", detail: { reason: "refresh_token_reuse" } }),
    ]);
  });

  it("refuses forged refresh tokens without ending the session", async () => {
    const { service, signIn } = setup(0);
    const session = await signIn();
    const [prefix, id, generation, mac] = session.refreshToken.split(".");
    await expect(service.refresh(`${prefix}.${id}.${generation}.${"A".repeat(43)}`)).rejects.toThrow(/invalid/);
    await expect(service.refresh(`${prefix}.${id}.7.${mac}`)).rejects.toThrow(/invalid/);
    await expect(service.refresh(session.token)).rejects.toThrow(/invalid/);
    expect((await service.refresh(session.refreshToken)).token).toBeTruthy();
  });

  it("never refreshes past the end of the session", async () => {
    const { clock, service, signIn } = setup(0);
    const session = await signIn();
    clock.now = Date.parse(session.sessionExpiresAt) - 60_000;
    const late = await service.refresh(session.refreshToken);
    expect(late.expiresAt).toBe(session.sessionExpiresAt);
    clock.now += 61_000;
    await expect(service.refresh(late.refreshToken)).rejects.toThrow(/expired/);
  });

  it("trusts a liveness answer for checkCacheMs only, and a changed user ends the session", async () => {
    const { clock, store, service, signIn } = setup(2000);
    const session = await signIn();
    await service.authenticate(session.token);
    await service.authenticate(session.token);
    expect(store.lookups).toBe(1);
    store.users.set("lei", { roles: ["operator"], disabled: true });
    clock.now += 2001;
    await expect(service.authenticate(session.token)).rejects.toThrow(/user_disabled/);
    await expect(service.refresh(session.refreshToken)).rejects.toThrow(/user_disabled/);
  });

  it("ends the session on sign-out at once on this instance", async () => {
    const { service, signIn, audits } = setup(60_000);
    const session = await signIn();
    const { principal, sessionId } = await service.authenticate(session.token);
    await service.signOut(principal, sessionId);
    await expect(service.authenticate(session.token)).rejects.toThrow(/signed_out/);
    expect(audits.map((entry) => entry.action)).toEqual(["sign_out"]);
  });
});
