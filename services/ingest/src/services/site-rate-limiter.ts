/** What a rate limit answers: take the events now, or wait `retryAfterMs` before the same request can pass. */
export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export interface SiteRateLimiterOptions {
  /** Events per second a site may publish, sustained. */
  ratePerSecond: number;
  /** Events a site may publish at once after being quiet (the bucket's size). */
  burst: number;
  /** At most this many buckets are kept; above it the least recently used are forgotten (see take). */
  maxBuckets: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per site, so that one site cannot take the capacity of the others. State is per ingest instance:
 * with N instances behind a load balancer a site gets up to N times the rate (operators divide the configured rate
 * by the instance count).
 *
 * Memory is bounded: buckets are kept in least-recently-used order and a bucket idle long enough to have refilled
 * completely is forgotten (a fresh bucket is full, so forgetting it changes nothing). Sites are authenticated, so
 * their number is that of the registered credentials; `maxBuckets` is a backstop that forgets the least recently
 * used bucket even if it has not refilled, which can only make the limit more lenient for that site.
 */
export class SiteRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: SiteRateLimiterOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new Error("rate and burst must be positive");
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes `events` tokens from the site's bucket, or none and says how long until there are enough. */
  take(siteId: string, events: number): Admission {
    const now = this.now();
    const cost = Math.min(Math.max(events, 0), this.options.burst);
    const bucket = this.buckets.get(siteId);
    const tokens = bucket
      ? Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond)
      : this.options.burst;
    // Re-inserting keeps the map in order of last use, so the idle buckets are at its front.
    this.buckets.delete(siteId);
    if (tokens >= cost) {
      this.buckets.set(siteId, { tokens: tokens - cost, at: now });
      this.evict(now);
      return { ok: true };
    }
    this.buckets.set(siteId, { tokens, at: now });
    this.evict(now);
    return { ok: false, retryAfterMs: Math.ceil(((cost - tokens) / this.options.ratePerSecond) * 1000) };
  }

  private evict(now: number): void {
    for (const [siteId, bucket] of this.buckets) {
      const full = bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond >= this.options.burst;
      if (!full && this.buckets.size <= this.options.maxBuckets) break;
      this.buckets.delete(siteId);
    }
  }
}
