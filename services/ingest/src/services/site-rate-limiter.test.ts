import { describe, expect, it } from "vitest";
import { SiteRateLimiter } from "./site-rate-limiter.js";

function limiter(options: { ratePerSecond: number; burst: number; maxBuckets?: number }) {
  const clock = { now: 1_000_000 };
  const limit = new SiteRateLimiter({ maxBuckets: 1000, ...options, now: () => clock.now });
  return { limit, clock };
}

describe("SiteRateLimiter (token bucket per site)", () => {
  it("lets a burst through, then refuses with the time until enough tokens have refilled", () => {
    const { limit, clock } = limiter({ ratePerSecond: 100, burst: 500 });
    expect(limit.take("a", 400)).toEqual({ ok: true });
    expect(limit.take("a", 100)).toEqual({ ok: true });
    expect(limit.take("a", 50)).toEqual({ ok: false, retryAfterMs: 500 });
    clock.now += 499;
    expect(limit.take("a", 50)).toMatchObject({ ok: false });
    clock.now += 1;
    expect(limit.take("a", 50)).toEqual({ ok: true });
    expect(limit.take("a", 1)).toEqual({ ok: false, retryAfterMs: 10 });
  });

  it("keeps sites apart: one site's exhaustion does not touch another's bucket", () => {
    const { limit } = limiter({ ratePerSecond: 10, burst: 20 });
    expect(limit.take("hostile", 20)).toEqual({ ok: true });
    expect(limit.take("hostile", 1)).toMatchObject({ ok: false });
    expect(limit.take("quiet", 20)).toEqual({ ok: true });
  });

  it("refills at the rate up to the burst, never beyond", () => {
    const { limit, clock } = limiter({ ratePerSecond: 10, burst: 20 });
    expect(limit.take("a", 20)).toEqual({ ok: true });
    clock.now += 60_000; // a minute idle refills 600 tokens' worth, but the bucket holds 20
    expect(limit.take("a", 20)).toEqual({ ok: true });
    expect(limit.take("a", 1)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it("charges a request larger than the burst as a full bucket, so it is not refused forever", () => {
    const { limit, clock } = limiter({ ratePerSecond: 10, burst: 20 });
    expect(limit.take("a", 5)).toEqual({ ok: true });
    expect(limit.take("a", 1000)).toEqual({ ok: false, retryAfterMs: 500 });
    clock.now += 500;
    expect(limit.take("a", 1000)).toEqual({ ok: true });
  });

  it("forgets buckets that have refilled, so memory follows the active sites only", () => {
    const { limit, clock } = limiter({ ratePerSecond: 10, burst: 20 });
    for (let site = 0; site < 100; site += 1) limit.take(`site-${site}`, 20);
    expect(limit.size).toBe(100);
    clock.now += 2000; // every bucket is full again
    limit.take("newcomer", 1);
    expect(limit.size).toBe(1);
  });

  it("never keeps more than maxBuckets, forgetting the least recently used first", () => {
    const { limit } = limiter({ ratePerSecond: 1, burst: 10, maxBuckets: 50 });
    for (let site = 0; site < 1000; site += 1) limit.take(`site-${site}`, 10);
    expect(limit.size).toBe(50);
    // The most recent sites are still limited.
    expect(limit.take("site-999", 1)).toMatchObject({ ok: false });
  });
});
