import { describe, expect, it } from "vitest";
import {
  type Derive,
  HasherBusyError,
  hashPassword,
  PasswordHasher,
  type ScryptParams,
  scryptDerive,
} from "./passwords.js";

/** A cheap cost for the tests of behaviour; the production cost is checked once, by its format. */
const CHEAP: ScryptParams = { log2N: 10, r: 8, p: 1 };

describe("PasswordHasher", () => {
  it("verifies the password it hashed and nothing else", async () => {
    const hasher = new PasswordHasher({ params: CHEAP });
    const hash = await hasher.hash("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(hash).not.toContain("correct");
    expect(await hasher.verify("correct horse battery staple", hash)).toEqual({ ok: true, rehash: false });
    expect((await hasher.verify("correct horse battery stapler", hash)).ok).toBe(false);
    expect((await hasher.verify("x", "plain-text")).ok).toBe(false);
    // Two hashes of one password differ (salted).
    expect(await hasher.hash("same")).not.toBe(await hasher.hash("same"));
  });

  it("hashes at OWASP's cost by default (N = 2^17, r = 8, p = 1) within scrypt's memory limit", {
    timeout: 60_000,
  }, async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
  });

  it("asks for a re-hash of a correct password stored at a lower cost, never of a higher one", async () => {
    const weak = await new PasswordHasher({ params: { ...CHEAP, log2N: 9 } }).hash("pw");
    const strong = await new PasswordHasher({ params: { ...CHEAP, log2N: 11 } }).hash("pw");
    const hasher = new PasswordHasher({ params: CHEAP });
    expect(await hasher.verify("pw", weak)).toEqual({ ok: true, rehash: true });
    expect(await hasher.verify("wrong", weak)).toEqual({ ok: false, rehash: false });
    expect(await hasher.verify("pw", strong)).toEqual({ ok: true, rehash: false });
  });

  it("spends the same scrypt work on an unknown user, a garbled hash and a real one", async () => {
    const costs: ScryptParams[] = [];
    const hasher = new PasswordHasher({ params: CHEAP, onHash: (params) => costs.push(params) });
    const stored = await hasher.hash("pw");
    costs.length = 0;
    await hasher.verify("guess", stored);
    await hasher.verifyUnknown("guess");
    await hasher.verify("guess", "scrypt$not-a-hash");
    expect(costs).toEqual([CHEAP, CHEAP, CHEAP]);
  });

  it("refuses a stored hash whose cost would exhaust memory instead of computing it", async () => {
    const hasher = new PasswordHasher({ params: CHEAP });
    const huge = `scrypt$${2 ** 30}$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g`;
    expect((await hasher.verify("pw", huge)).ok).toBe(false);
  });

  it("runs at most `concurrency` derivations at once and refuses beyond `maxWaiting`", async () => {
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const derive: Derive = async (password, salt, length, params) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
      return scryptDerive(password, salt, length, params);
    };
    const hasher = new PasswordHasher({ params: CHEAP, concurrency: 2, maxWaiting: 2, derive });
    const accepted = [hasher.hash("a"), hasher.hash("b"), hasher.hash("c"), hasher.hash("d")];
    await expect(hasher.hash("e")).rejects.toBeInstanceOf(HasherBusyError);
    while (accepted.length > 0 && (gates.length > 0 || running > 0)) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (gates.length === 0 && running === 0) break;
    }
    await Promise.all(accepted);
    expect(most).toBe(2);
  });
});
