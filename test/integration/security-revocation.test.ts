import { randomBytes, randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import type { LoginResponse, Problem, Role, SessionEndReason, UserAccountView, UserView } from "@hub/contracts";
import { type GatewayApp, readConfig as gatewayConfig, hashPassword, startGateway } from "@hub/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, connect, type HubClient, login, startTestStack, type TestStack } from "../support/gateway.js";
import { infra, migratedPool, settles, testLogger } from "../support/hub.js";

/**
 * Issue 12, finding 5 (revocation), performed against two real gateway instances on one database: a user signed in
 * on both, with REST calls and open sockets on both; then the user is disabled, their roles change, they sign out,
 * or a stolen refresh token is replayed, through one instance. Access must end on both instances within seconds:
 * REST answers 401, the sockets are told why and disconnected, and old tokens stay refused.
 */
const secret = randomBytes(32).toString("base64url");
const password = `revocation-${randomUUID()}`;
let pool: Pool;
let stack: TestStack;
let second: GatewayApp;
/** The two instances' base URLs. */
let instances: [string, string];
let admin: LoginResponse;

beforeAll(async () => {
  pool = await migratedPool();
  // Both instances share the production-style settings that matter here: one signing key, default session checks.
  stack = await startTestStack({ GATEWAY_JWT_SECRET: secret });
  const { brokers, databaseUrl } = infra();
  second = await startGateway(
    gatewayConfig({
      HUB_MODE: "test",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      KAFKA_BROKERS: brokers.join(","),
      DATABASE_URL: databaseUrl,
      GATEWAY_HOST: "127.0.0.1",
      GATEWAY_PORT: "0",
      GATEWAY_OPS_PORT: "0",
      GATEWAY_INSTANCE_ID: `revocation-${randomUUID().slice(0, 8)}`,
      CORRELATOR_GRPC_ADDRESS: `127.0.0.1:${stack.correlator.grpcPort}`,
      GATEWAY_JWT_SECRET: secret,
    }),
    testLogger,
  );
  instances = [stack.url, `http://127.0.0.1:${second.port}`];
  admin = await login(instances[0], await newUser(["administrator"]), password);
});

afterAll(async () => {
  await second?.stop();
  await stack?.stop();
  await pool?.end();
});

/** A user of this test alone (the seeded ones are shared with other test files). */
async function newUser(roles: Role[]): Promise<string> {
  const username = `rv-${randomUUID().slice(0, 8)}`;
  await pool.query("INSERT INTO users (username, display_name, password_hash, roles) VALUES ($1, $1, $2, $3)", [
    username,
    await hashPassword(password),
    roles,
  ]);
  return username;
}

/** A socket that records why the server ended its session and whether it was disconnected. */
interface WatchedSocket {
  socket: HubClient;
  ended: SessionEndReason[];
  disconnected: string[];
}

async function openSocket(url: string, token: string): Promise<WatchedSocket> {
  const socket = await connect(url, token);
  const watched: WatchedSocket = { socket, ended: [], disconnected: [] };
  socket.on("session:ended", ({ reason }) => watched.ended.push(reason));
  socket.on("disconnect", (reason) => watched.disconnected.push(reason));
  return watched;
}

/** A user signed in on both instances (one session each), with a live socket on each. */
async function signedInEverywhere(username: string) {
  const sessions = [await login(instances[0], username, password), await login(instances[1], username, password)];
  const sockets = [
    await openSocket(instances[0], sessions[0]?.token as string),
    await openSocket(instances[1], sessions[1]?.token as string),
  ];
  for (const [index, url] of instances.entries())
    for (const session of sessions) {
      const me = await api<UserView>(url, session.token, "/api/v1/auth/me");
      expect(me.status, `instance ${index} before`).toBe(200);
    }
  return { sessions, sockets };
}

/** Every token refused on every instance, every socket told why and disconnected by the server. */
async function expectEndedEverywhere(
  sessions: LoginResponse[],
  sockets: WatchedSocket[],
  reason: SessionEndReason,
): Promise<void> {
  await settles(async () => {
    for (const url of instances)
      for (const session of sessions) {
        const me = await api<Problem>(url, session.token, "/api/v1/auth/me");
        expect(me.status).toBe(401);
        const snapshot = await api<Problem>(url, session.token, "/api/v1/snapshot?area=city");
        expect(snapshot.status).toBe(401);
      }
    for (const watched of sockets) {
      expect(watched.ended).toEqual([reason]);
      expect(watched.disconnected).toEqual(["io server disconnect"]);
    }
  }, 30_000);
  // The old access token no longer opens a socket on either instance either.
  for (const url of instances)
    for (const session of sessions)
      await expect(connect(url, session.token)).rejects.toMatchObject({ data: { status: 401 } });
}

function refresh(url: string, refreshToken: string) {
  return api<LoginResponse & Problem>(url, undefined, "/api/v1/auth/refresh", {
    method: "POST",
    body: JSON.stringify({ refreshToken }),
  });
}

async function auditOf(action: string, subject: string) {
  const result = await pool.query<{ actor: string; detail: Record<string, unknown> }>(
    "SELECT actor, detail FROM audit_log WHERE action = $1 AND subject = $2",
    [action, subject],
  );
  return result.rows;
}

describe("revocation across gateway instances", () => {
  it("disabling a user through one instance ends their REST access and sockets on both within seconds", async () => {
    const username = await newUser(["operator"]);
    const { sessions, sockets } = await signedInEverywhere(username);

    const disabled = await api<UserAccountView>(instances[0], admin.token, `/api/v1/users/${username}/disable`, {
      method: "POST",
      body: JSON.stringify({ reason: "dismissed" }),
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).not.toBeNull();

    await expectEndedEverywhere(sessions, sockets, "user_disabled");
    for (const [index, session] of sessions.entries())
      expect((await refresh(instances[index] as string, session.refreshToken)).status).toBe(401);
    await expect(login(instances[1], username, password)).rejects.toThrow(/401/);
    expect(await auditOf("user.disabled", username)).toEqual([
      expect.objectContaining({ actor: admin.user.username, detail: expect.objectContaining({ reason: "dismissed" }) }),
    ]);
  });

  it("a role change through the other instance ends the sessions; a new sign-in gets the new roles", async () => {
    const username = await newUser(["operator", "investigator"]);
    const { sessions, sockets } = await signedInEverywhere(username);

    const changed = await api<UserAccountView>(instances[1], admin.token, `/api/v1/users/${username}/roles`, {
      method: "PUT",
      body: JSON.stringify({ roles: ["operator"], reason: "left the investigation unit" }),
    });
    expect(changed.status).toBe(200);
    expect(changed.body.roles).toEqual(["operator"]);

    await expectEndedEverywhere(sessions, sockets, "roles_changed");
    const again = await login(instances[0], username, password);
    expect(again.user.roles).toEqual(["operator"]);
    expect(
      (await api<Problem>(instances[1], again.token, "/api/v1/cases/search", { method: "POST", body: "{}" })).status,
    ).toBe(403);
    expect(await auditOf("user.roles_changed", username)).toEqual([
      expect.objectContaining({
        actor: admin.user.username,
        detail: expect.objectContaining({ from: ["operator", "investigator"], to: ["operator"] }),
      }),
    ]);
  });

  it("a role removed outside the API (directly in the database) also disconnects the user's sockets", async () => {
    const username = await newUser(["operator", "investigator"]);
    const { sessions, sockets } = await signedInEverywhere(username);
    await pool.query("UPDATE users SET roles = ARRAY['operator'] WHERE username = $1", [username]);
    await expectEndedEverywhere(sessions, sockets, "roles_changed");
  });

  it("signing out ends the session on both instances; its old access token and refresh token are refused", async () => {
    const username = await newUser(["operator"]);
    const session = await login(instances[0], username, password);
    const sockets = [await openSocket(instances[0], session.token), await openSocket(instances[1], session.token)];
    expect((await api<UserView>(instances[1], session.token, "/api/v1/auth/me")).status).toBe(200);

    const out = await fetch(`${instances[0]}/api/v1/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(out.status).toBe(204);
    // Refused at once where the sign-out happened.
    expect((await api<Problem>(instances[0], session.token, "/api/v1/auth/me")).status).toBe(401);

    await expectEndedEverywhere([session], sockets, "signed_out");
    expect((await refresh(instances[1], session.refreshToken)).status).toBe(401);
    expect(await auditOf("sign_out", (await sessionIdOf(username)) as string)).toHaveLength(1);
  });

  it("a replayed refresh token is refused and ends the session (the thief's and the user's tokens alike)", async () => {
    const username = await newUser(["operator"]);
    const session = await login(instances[0], username, password);

    const refreshed = await refresh(instances[1], session.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(session.refreshToken);
    expect(refreshed.body.sessionExpiresAt).toBe(session.sessionExpiresAt);
    expect((await api<UserView>(instances[0], refreshed.body.token, "/api/v1/auth/me")).status).toBe(200);
    const sockets = [
      await openSocket(instances[0], refreshed.body.token),
      await openSocket(instances[1], refreshed.body.token),
    ];

    // The attacker replays the stolen, already used refresh token.
    const replay = await refresh(instances[0], session.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.token).toBeUndefined();

    await expectEndedEverywhere([session, refreshed.body], sockets, "refresh_token_reuse");
    expect((await refresh(instances[1], refreshed.body.refreshToken)).status).toBe(401);
    const sessionId = await sessionIdOf(username);
    expect(await auditOf("session.revoked", sessionId as string)).toEqual([
      expect.objectContaining({ detail: { reason: "refresh_token_reuse" } }),
    ]);
  });

  it("a forged refresh token is refused without ending the real session", async () => {
    const username = await newUser(["operator"]);
    const session = await login(instances[0], username, password);
    const [prefix, sessionId, generation] = session.refreshToken.split(".");
    for (const forged of [
      `${prefix}.${sessionId}.${generation}.${randomBytes(32).toString("base64url")}`,
      `${prefix}.${sessionId}.${Number(generation) + 1}.${session.refreshToken.split(".")[3]}`,
      "not-a-token",
    ])
      expect((await refresh(instances[1], forged)).status).toBe(401);
    expect((await api<UserView>(instances[1], session.token, "/api/v1/auth/me")).status).toBe(200);
    expect((await refresh(instances[0], session.refreshToken)).status).toBe(200);
  });

  it("only the right roles may disable accounts or change roles, and nobody their own", async () => {
    const operator = await login(instances[0], await newUser(["operator"]), password);
    const supervisor = await login(instances[0], await newUser(["supervisor"]), password);
    const victim = await newUser(["operator"]);
    const post = (token: string, path: string, body: unknown, method = "POST") =>
      api<Problem>(instances[1], token, path, { method, body: JSON.stringify(body) });

    expect((await post(operator.token, `/api/v1/users/${victim}/disable`, { reason: "x" })).status).toBe(403);
    expect((await api<Problem>(instances[1], operator.token, "/api/v1/users")).status).toBe(403);
    const escalate = { roles: ["administrator"], reason: "x" };
    expect(
      (await post(supervisor.token, `/api/v1/users/${supervisor.user.username}/roles`, escalate, "PUT")).status,
    ).toBe(403);
    expect((await post(supervisor.token, `/api/v1/users/${admin.user.username}/disable`, { reason: "x" })).status).toBe(
      403,
    );
    expect((await post(admin.token, `/api/v1/users/${admin.user.username}/disable`, { reason: "x" })).status).toBe(403);
    const rows = await pool.query<{ roles: Role[]; disabled_at: Date | null }>(
      "SELECT roles, disabled_at FROM users WHERE username = ANY($1)",
      [[victim, supervisor.user.username, admin.user.username]],
    );
    expect(rows.rows.every((row) => row.disabled_at === null)).toBe(true);
    expect(rows.rows.some((row) => row.roles.includes("administrator") && row.roles.includes("supervisor"))).toBe(
      false,
    );
    // A supervisor may disable an ordinary account.
    expect((await post(supervisor.token, `/api/v1/users/${victim}/disable`, { reason: "lost badge" })).status).toBe(
      200,
    );
  });
});

async function sessionIdOf(username: string): Promise<string | undefined> {
  const result = await pool.query<{ id: string }>("SELECT id::text FROM sessions WHERE username = $1", [username]);
  return result.rows[0]?.id;
}
