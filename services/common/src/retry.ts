/**
 * Exponential back-off with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): the n-th wait is
 * a random time between 0 and min(maxMs, baseMs * 2^n), so clients that failed together do not retry together.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0 <= random() <= 1; injectable so tests are deterministic (`() => 1` waits the whole ceiling: no jitter). */
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (options.random ?? Math.random)());
}

export interface RetryOptions extends BackoffOptions {
  /** Whether a failure is worth retrying; anything else is thrown at once. */
  retriable(error: unknown): boolean;
  /** Total time allowed for retries; unset = retry until `stopped()` says so. */
  giveUpAfterMs?: number;
  /** Most attempts in all (the first call included); unset = no limit. */
  maxAttempts?: number;
  /** Told before each wait, to log it. */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  /** Checked before each wait: true ends the retries with the last error (the caller is shutting down). */
  stopped?(): boolean;
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `work` until it succeeds, a failure is not retriable, or the attempts, the time or the caller run out. */
export async function retryWithBackoff<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const started = now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!options.retriable(error) || options.stopped?.()) throw error;
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) throw error;
      const delay = backoffDelay(attempt - 1, options);
      if (options.giveUpAfterMs !== undefined && now() + delay - started > options.giveUpAfterMs) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
