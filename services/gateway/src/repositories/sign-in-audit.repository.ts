import { appendAuditIn, type Logger, type Pool, withTransaction } from "@hub/common";

/** A refused sign-in, as the audit trail records it. */
export interface SignInRefusal {
  /** The username as typed (lower case); it may name nobody. */
  actor: string;
  action: "sign_in_failed" | "sign_in_throttled";
  sourceIp: string | undefined;
}

interface Pending extends SignInRefusal {
  attempts: number;
  firstAt: string;
  lastAt: string;
}

/**
 * Refused sign-ins, written to the audit trail in batches. Each append to the hash chain takes the chain's lock
 * (services/common/src/audit.ts); taking it once per refused attempt would let a password-guessing flood serialise
 * every audited action of every user behind it. Here refusals are gathered in memory and written every `flushMs` in
 * ONE transaction (one lock acquisition for the whole batch), one entry per (action, username, address) with the
 * number of attempts and the first and last time. Memory is bounded: at most `maxEntries` distinct entries wait;
 * beyond that, attempts are only counted and the batch ends with one entry saying how many were not itemised.
 */
export class SignInAuditRepository {
  private pending = new Map<string, Pending>();
  private overflow = 0;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly options: { flushMs: number; maxEntries: number; logger: Logger },
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  record(refusal: SignInRefusal): void {
    const at = new Date().toISOString();
    const key = JSON.stringify([refusal.action, refusal.actor, refusal.sourceIp ?? null]);
    const known = this.pending.get(key);
    if (known) {
      known.attempts += 1;
      known.lastAt = at;
    } else if (this.pending.size < this.options.maxEntries) {
      this.pending.set(key, { ...refusal, attempts: 1, firstAt: at, lastAt: at });
    } else {
      this.overflow += 1;
    }
  }

  /** Writes what is pending (one batch at a time); on a database error the batch is kept for the next turn. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0 && this.overflow === 0) return;
    const batch = this.pending;
    const overflow = this.overflow;
    this.pending = new Map();
    this.overflow = 0;
    try {
      await withTransaction(this.pool, async (client) => {
        for (const entry of batch.values())
          await appendAuditIn(client, {
            actor: entry.actor,
            action: entry.action,
            sourceIp: entry.sourceIp,
            detail: { attempts: entry.attempts, firstAt: entry.firstAt, lastAt: entry.lastAt },
          });
        if (overflow > 0)
          await appendAuditIn(client, {
            actor: "(many)",
            action: "sign_in_failed",
            detail: { attempts: overflow, note: "more distinct usernames and addresses than one batch itemises" },
          });
      });
    } catch (err) {
      this.options.logger.error({ err, entries: batch.size }, "could not write refused sign-ins to the audit trail");
      for (const [key, entry] of batch) {
        const newer = this.pending.get(key);
        if (newer) {
          newer.attempts += entry.attempts;
          newer.firstAt = entry.firstAt;
        } else if (this.pending.size < this.options.maxEntries) this.pending.set(key, entry);
        else this.overflow += entry.attempts;
      }
      this.overflow += overflow;
    }
  }
}
