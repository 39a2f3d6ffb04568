import { randomUUID } from "node:crypto";
import { request } from "node:http";
import type { Pool } from "@hub/common";
import type { LoginResponse, Problem } from "@hub/contracts";
import { hashPassword, OWASP_SCRYPT, SignInAttemptsRepository } from "@hub/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool } from "../support/hub.js";

/**
 * Issue 12, finding 4: sign-in attacks against two real gateway instances sharing one database, at the production
 * password cost (scrypt N = 2^17). Each attacker sends from its own source address (the client socket bound to
 * 127.0.0.x, which Linux routes on loopback); X-Forwarded-For is never sent. The attacks: guessing a staff member's
 * password from other addresses to lock them out, a burst of parallel guesses, guesses spread over two instances,
 * and telling unknown from known usernames by the work the gateway does.
 */
let pool: Pool;
let a: TestStack;
let b: TestStack;
const PASSWORD = "correct horse battery staple";

beforeAll(async () => {
  pool = await migratedPool();
  const env = {
    GATEWAY_PASSWORD_SCRYPT_LOG2N: String(OWASP_SCRYPT.log2N),
    GATEWAY_SIGN_IN_FREE_PER_ADDRESS: "6",
    // Longer than any pause between two attempts on a busy machine (a scrypt at 2^17 can take seconds there).
    GATEWAY_SIGN_IN_BASE_DELAY_S: "600",
    GATEWAY_SIGN_IN_MAX_DELAY_S: "1200",
  };
  a = await startTestStack(env);
  b = await startTestStack(env);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await pool?.end();
});

/** A user of its own for one test, stored with `params` (OWASP's by default). */
async function newUser(params = OWASP_SCRYPT): Promise<string> {
  const username = `sec-${randomUUID().slice(0, 8)}`;
  await pool.query(
    "INSERT INTO users (username, display_name, password_hash, roles) VALUES ($1, $1, $2, ARRAY['operator'])",
    [username, await hashPassword(PASSWORD, params)],
  );
  return username;
}

interface Answer {
  status: number;
  type: string | undefined;
  retryAfter: string | undefined;
  body: Problem & Partial<LoginResponse>;
}

/** POST /api/v1/auth/login from `from` (a loopback source address). */
function signIn(stack: TestStack, from: string, username: string, password: string): Promise<Answer> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: stack.gateway.port,
        path: "/api/v1/auth/login",
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            type: response.headers["content-type"],
            retryAfter: response.headers["retry-after"],
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function statuses(stack: TestStack, from: string, username: string, attempts: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < attempts; i += 1) seen.push((await signIn(stack, from, username, `guess-${i}`)).status);
  return seen;
}

/** scrypt derivations at `log2n` the instance has done (its /metrics). */
async function hashesDone(stack: TestStack, log2n: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${stack.gateway.opsPort}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith("hub_gateway_password_hashes_total{") && l.includes(`log2n="${log2n}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

function expectThrottled(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.type).toContain("application/problem+json");
  expect(answer.body.status).toBe(429);
  expect(answer.body.detail).toMatch(/too many failed sign-ins/);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(answer.body.token).toBeUndefined();
}

// Each sign-in costs a scrypt at 2^17 (seconds on a busy two-core machine): generous budgets, no duration asserted.
describe("sign-in throttling", { timeout: 300_000 }, () => {
  it("does not let guesses from other addresses lock the real user out of their own address", async () => {
    const victim = await newUser();
    // Two attackers, each until refused: five failures each, then 429.
    for (const attacker of ["127.0.0.2", "127.0.0.3"]) {
      expect(await statuses(a, attacker, victim, 5)).toEqual([401, 401, 401, 401, 401]);
      expectThrottled(await signIn(a, attacker, victim, "guess-again"));
    }
    // A throttled address is refused before its password is looked at, even the right one.
    expectThrottled(await signIn(a, "127.0.0.3", victim, PASSWORD));
    // The username is now under attack: a fresh attacking address gets one free failure, then waits.
    expect((await signIn(a, "127.0.0.4", victim, "guess-x")).status).toBe(401);
    expectThrottled(await signIn(a, "127.0.0.4", victim, "guess-y"));
    // The real user, from their own address, signs in at once, on either instance.
    const own = await signIn(a, "127.0.0.9", victim, PASSWORD);
    expect(own.status).toBe(200);
    expect(own.body.user?.username).toBe(victim);
    expect((await signIn(b, "127.0.0.9", victim, PASSWORD)).status).toBe(200);

    // Every refusal is in the audit trail (written in batches), with the attacker's address.
    const audited = await eventually(async () => {
      const { rows } = await pool.query<{ action: string; source_ip: string; attempts: number }>(
        `SELECT action, source_ip, sum((detail->>'attempts')::int)::int AS attempts FROM audit_log
          WHERE actor = $1 AND action IN ('sign_in_failed', 'sign_in_throttled') GROUP BY action, source_ip`,
        [victim],
      );
      const count = (action: string, ip: string) =>
        rows.find((row) => row.action === action && row.source_ip === ip)?.attempts ?? 0;
      return (
        count("sign_in_failed", "127.0.0.2") === 5 &&
        count("sign_in_failed", "127.0.0.3") === 5 &&
        count("sign_in_throttled", "127.0.0.3") === 2 &&
        count("sign_in_failed", "127.0.0.4") === 1
      );
    });
    expect(audited).toBe(true);
  });

  it("counts guesses spread over two gateway instances together", async () => {
    const victim = await newUser();
    const answers: number[] = [];
    for (let i = 0; i < 5; i += 1) answers.push((await signIn(i % 2 ? b : a, "127.0.0.20", victim, `g${i}`)).status);
    expect(answers).toEqual([401, 401, 401, 401, 401]);
    // Instance b has seen only two failures itself; the shared counters say five.
    expectThrottled(await signIn(b, "127.0.0.20", victim, "g5"));
    expectThrottled(await signIn(a, "127.0.0.20", victim, PASSWORD));
  });

  it("lets no more than the free guesses through a burst of parallel attempts", async () => {
    const victim = await newUser();
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signIn(i % 2 ? b : a, "127.0.0.21", victim, `parallel-${i}`)),
    );
    const counted = burst.map((answer) => answer.status);
    // Each attempt is counted before its password is checked: at most five are judged, the rest wait.
    expect(counted.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(counted.filter((status) => status === 429).length).toBeGreaterThanOrEqual(7);
    expect(counted.every((status) => status === 401 || status === 429)).toBe(true);
  });

  it("limits one address trying many usernames (password spraying)", async () => {
    // Six failures per address at any usernames (GATEWAY_SIGN_IN_FREE_PER_ADDRESS), on either instance.
    const names = Array.from({ length: 8 }, () => `spray-${randomUUID().slice(0, 8)}`);
    const answers: number[] = [];
    for (const [i, name] of names.entries())
      answers.push((await signIn(i % 2 ? b : a, "127.0.0.22", name, "Summer2026!")).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
  });

  it("forgets counters after their window", async () => {
    const attempts = new SignInAttemptsRepository(pool);
    const key = `127.0.1.${Math.floor(Math.random() * 250)}-${randomUUID()}`;
    await pool.query(
      `INSERT INTO sign_in_throttle (scope, key, failures, last_failure_at)
       VALUES ('address', $1, 9, now() - interval '2 hours'), ('address', $2, 3, now())`,
      [`old-${key}`, `new-${key}`],
    );
    await attempts.prune(3600);
    expect(await attempts.counter("address", `old-${key}`)).toBeUndefined();
    expect(await attempts.counter("address", `new-${key}`)).toBe(3);
  });
});

describe("password hashing", { timeout: 300_000 }, () => {
  it("does the same scrypt work for an unknown username as for a known one, and answers the same", async () => {
    const known = await newUser();
    const before = await hashesDone(a, OWASP_SCRYPT.log2N);
    const wrong = await signIn(a, "127.0.0.30", known, "not it");
    const afterKnown = await hashesDone(a, OWASP_SCRYPT.log2N);
    const unknown = await signIn(a, "127.0.0.30", `nobody-${randomUUID().slice(0, 8)}`, "not it");
    const afterUnknown = await hashesDone(a, OWASP_SCRYPT.log2N);
    expect(afterKnown - before).toBe(1);
    expect(afterUnknown - afterKnown).toBe(1);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it("re-hashes a password stored with weaker parameters at N = 2^17 when its user signs in", async () => {
    const username = await newUser({ log2N: 15, r: 8, p: 1 });
    const stored = async () =>
      (await pool.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = $1", [username]))
        .rows[0]?.password_hash ?? "";
    expect(await stored()).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect((await signIn(a, "127.0.0.31", username, PASSWORD)).status).toBe(200);
    const raised = await stored();
    expect(raised).toMatch(/^scrypt\$131072\$8\$1\$/);
    // The new hash is the same password's, and is kept from now on.
    expect((await signIn(b, "127.0.0.31", username, PASSWORD)).status).toBe(200);
    expect(await stored()).toBe(raised);
    expect((await signIn(b, "127.0.0.31", username, "not it")).status).toBe(401);
  });
});
