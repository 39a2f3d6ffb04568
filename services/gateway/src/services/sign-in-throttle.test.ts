import { describe, expect, it } from "vitest";
import {
  DEFAULT_THROTTLE_POLICY,
  delayAfter,
  type SignInAttemptsStore,
  SignInThrottle,
  SignInThrottledError,
  type ThrottleCounter,
  type ThrottleKey,
} from "./sign-in-throttle.js";

/** The table in memory, with a clock the test moves. */
class MemoryStore implements SignInAttemptsStore {
  readonly rows = new Map<string, ThrottleCounter>();
  now = new Date("2026-12-06T08:00:00Z");

  async claim<T>(
    keys: ThrottleKey[],
    decide: (counters: ThrottleCounter[], now: Date) => { save: ThrottleCounter[]; result: T },
  ): Promise<T> {
    const counters = keys.map((key) => this.rows.get(id(key)) ?? { ...key, failures: 0, lastFailureAt: this.now });
    const { save, result } = decide(counters, this.now);
    for (const counter of save) this.rows.set(id(counter), counter);
    return result;
  }

  async release(lower: ThrottleKey[], forget: ThrottleKey[]): Promise<void> {
    for (const key of lower) {
      const row = this.rows.get(id(key));
      if (row) row.failures = Math.max(0, row.failures - 1);
    }
    for (const key of forget) this.rows.delete(id(key));
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

const id = (key: ThrottleKey) => `${key.scope}|${key.key}`;

/** n failed attempts (admitted, never succeeded), or the first refusal. */
async function fail(throttle: SignInThrottle, user: string, address: string, n: number): Promise<number> {
  for (let i = 0; i < n; i += 1) {
    try {
      await throttle.admit(user, address);
    } catch (error) {
      if (error instanceof SignInThrottledError) return i;
      throw error;
    }
  }
  return n;
}

describe("delayAfter", () => {
  it("is free up to the allowance, then doubles up to the maximum", () => {
    const policy = { ...DEFAULT_THROTTLE_POLICY, baseDelayMs: 1000, maxDelayMs: 10_000 };
    expect([4, 5, 6, 7, 8, 20].map((n) => delayAfter(n, 5, policy))).toEqual([0, 1000, 2000, 4000, 8000, 10_000]);
  });
});

describe("SignInThrottle", () => {
  it("delays one address guessing one username after its free failures, with Retry-After", async () => {
    const store = new MemoryStore();
    const throttle = new SignInThrottle(store);
    expect(await fail(throttle, "operator", "10.0.0.2", 10)).toBe(5);
    const refusal = await throttle.admit("operator", "10.0.0.2").catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SignInThrottledError);
    expect((refusal as SignInThrottledError).retryAfterMs).toBe(30_000);
    store.advance(30_000);
    expect(await fail(throttle, "operator", "10.0.0.2", 1)).toBe(1);
    expect(((await throttle.admit("operator", "10.0.0.2").catch((e) => e)) as SignInThrottledError).retryAfterMs).toBe(
      60_000,
    );
  });

  it("never refuses the user's own address because of failures from other addresses", async () => {
    const store = new MemoryStore();
    const throttle = new SignInThrottle(store);
    for (let i = 0; i < 50; i += 1) await fail(throttle, "supervisor", `10.0.1.${i}`, 3);
    const ticket = await throttle.admit("supervisor", "10.0.9.9");
    await throttle.succeeded(ticket);
  });

  it("gives each address one free failure at a username under attack", async () => {
    const store = new MemoryStore();
    const throttle = new SignInThrottle(store);
    await fail(throttle, "approver", "10.0.2.1", 5);
    await fail(throttle, "approver", "10.0.2.2", 5);
    // 10 failures at "approver": a fresh address fails once, then waits.
    expect(await fail(throttle, "approver", "10.0.2.3", 5)).toBe(1);
    // Another username from that address is not affected.
    expect(await fail(throttle, "drafter", "10.0.2.3", 2)).toBe(2);
  });

  it("limits one address across usernames (password spraying)", async () => {
    const store = new MemoryStore();
    const throttle = new SignInThrottle(store, { ...DEFAULT_THROTTLE_POLICY, freePerAddress: 8 });
    let admitted = 0;
    for (let i = 0; i < 20; i += 1) admitted += await fail(throttle, `user${i}`, "10.0.3.1", 1);
    expect(admitted).toBe(8);
  });

  it("forgets a success and counters older than the window", async () => {
    const store = new MemoryStore();
    const throttle = new SignInThrottle(store);
    await fail(throttle, "investigator", "10.0.4.1", 4);
    await throttle.succeeded(await throttle.admit("investigator", "10.0.4.1"));
    expect(await fail(throttle, "investigator", "10.0.4.1", 10)).toBe(5);
    store.advance(DEFAULT_THROTTLE_POLICY.windowMs + 1);
    expect(await fail(throttle, "investigator", "10.0.4.1", 10)).toBe(5);
    // The address counts failures only: the success lowered what it had counted in advance.
    expect(store.rows.get("address|10.0.4.1")?.failures).toBe(5);
  });
});
