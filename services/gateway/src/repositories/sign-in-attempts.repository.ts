import { type Pool, withTransaction } from "@hub/common";
import type { SignInAttemptsStore, ThrottleCounter, ThrottleKey } from "../services/sign-in-throttle.js";

/** Rows deleted per statement when pruning (short statements; a flood of attempts may leave many). */
const PRUNE_BATCH = 5000;

interface CounterRow {
  scope: ThrottleKey["scope"];
  key: string;
  failures: number;
  last_failure_at: Date;
  now: Date;
}

/**
 * The sign-in failure counters (table sign_in_throttle, migration 0010), shared by every gateway instance. Correct
 * on a real PostgreSQL under concurrency: `claim` creates-or-locks its rows with one `INSERT … ON CONFLICT DO UPDATE`
 * (a row lock even when nothing changes), in the order the caller gives, and writes the new counts before COMMIT;
 * a second attempt on the same address or username waits for that lock and then sees the new count.
 */
export class SignInAttemptsRepository implements SignInAttemptsStore {
  constructor(private readonly pool: Pool) {}

  claim<T>(
    keys: ThrottleKey[],
    decide: (counters: ThrottleCounter[], now: Date) => { save: ThrottleCounter[]; result: T },
  ): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      const counters: ThrottleCounter[] = [];
      let now = new Date();
      // One statement per key, in the given order: the order locks are taken in (a multi-row VALUES would too, but
      // PostgreSQL does not promise it).
      for (const { scope, key } of keys) {
        const { rows } = await client.query<CounterRow>(
          `INSERT INTO sign_in_throttle AS t (scope, key, failures, last_failure_at) VALUES ($1, $2, 0, now())
           ON CONFLICT (scope, key) DO UPDATE SET failures = t.failures
           RETURNING scope, key, failures, last_failure_at, now() AS now`,
          [scope, key],
        );
        const row = rows[0] as CounterRow;
        counters.push({ scope: row.scope, key: row.key, failures: row.failures, lastFailureAt: row.last_failure_at });
        now = row.now;
      }
      const { save, result } = decide(counters, now);
      if (save.length > 0)
        await client.query(
          `UPDATE sign_in_throttle AS t SET failures = s.failures, last_failure_at = s.at
             FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[]) AS s(scope, key, failures, at)
            WHERE t.scope = s.scope AND t.key = s.key`,
          [
            save.map((counter) => counter.scope),
            save.map((counter) => counter.key),
            save.map((counter) => counter.failures),
            save.map((counter) => counter.lastFailureAt),
          ],
        );
      return result;
    });
  }

  async release(lower: ThrottleKey[], forget: ThrottleKey[]): Promise<void> {
    // One short statement (and transaction) per row: never two of these rows locked at once, so a release cannot
    // deadlock with a claim that locks the same rows in its own order.
    for (const { scope, key } of lower)
      await this.pool.query(
        "UPDATE sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE scope = $1 AND key = $2",
        [scope, key],
      );
    for (const { scope, key } of forget)
      await this.pool.query("DELETE FROM sign_in_throttle WHERE scope = $1 AND key = $2", [scope, key]);
  }

  /**
   * Drops counters with nothing to remember: no failure for `windowS` seconds, or none at all for a minute. Rows a
   * sign-in holds are skipped (SKIP LOCKED): pruning never waits, so it cannot deadlock with a claim. Correct with
   * several gateways pruning and signing in at once (READ COMMITTED): a row a sign-in updated and committed after the
   * prune's snapshot is re-checked under the prune's lock against the WHERE clause (a fresh failure: kept); two
   * prunes skip each other's rows; a sign-in that waits for a row the prune deletes finds it gone and its
   * `INSERT … ON CONFLICT` inserts a fresh one, which only loses what the prune found not worth keeping.
   */
  async prune(windowS: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.pruneBatch(windowS);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }

  private async pruneBatch(windowS: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM sign_in_throttle WHERE (scope, key) IN (
         SELECT scope, key FROM sign_in_throttle
          WHERE last_failure_at < now() - make_interval(secs => $1)
             OR (failures = 0 AND last_failure_at < now() - interval '1 minute')
          LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [windowS, PRUNE_BATCH],
    );
    return result.rowCount ?? 0;
  }

  /** For tests and diagnostics: one counter, if any. */
  async counter(scope: ThrottleKey["scope"], key: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ failures: number }>(
      "SELECT failures FROM sign_in_throttle WHERE scope = $1 AND key = $2",
      [scope, key],
    );
    return rows[0]?.failures;
  }
}
