/** Time and frames, injectable so the throttle is tested without a browser. */
export interface Scheduler {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `callback` before the next paint; a plain timeout where there are no frames. */
  requestFrame(callback: () => void): unknown;
  cancelFrame(handle: unknown): void;
}

export const browserScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  requestFrame: (callback) =>
    typeof requestAnimationFrame === "function"
      ? { frame: requestAnimationFrame(() => callback()) }
      : { timer: globalThis.setTimeout(callback, 16) },
  cancelFrame: (handle) => {
    const h = handle as { frame?: number; timer?: ReturnType<typeof setTimeout> };
    if (h.frame !== undefined) cancelAnimationFrame(h.frame);
    if (h.timer !== undefined) globalThis.clearTimeout(h.timer);
  },
};

export interface Throttle {
  /** Asks for a run: the first comes on the next frame, later ones at most once per interval. */
  schedule(): void;
  /** Runs now if a run is pending, and cancels the scheduled one. */
  flush(): void;
  cancel(): void;
  readonly pending: boolean;
}

export interface ThrottleOptions {
  /**
   * Run at once (inside `schedule()`) when the interval since the last run has passed, instead of on the next
   * frame; later calls in the interval still wait. For a consumer of already-batched changes that should be
   * updated in step with them.
   */
  leading?: boolean;
}

/**
 * Runs `run` at most once every `intervalMs`, on an animation frame: any number of `schedule()` calls in between
 * collapse into one run. A burst of thousands of events a second costs one render per interval.
 */
export function createThrottle(
  run: () => void,
  intervalMs: number,
  scheduler: Scheduler = browserScheduler,
  options: ThrottleOptions = {},
): Throttle {
  let lastRun = Number.NEGATIVE_INFINITY;
  let timer: unknown = null;
  let frame: unknown = null;
  let pending = false;

  const fire = () => {
    timer = null;
    frame = null;
    if (!pending) return;
    pending = false;
    lastRun = scheduler.now();
    run();
  };
  const onTimer = () => {
    timer = null;
    frame = scheduler.requestFrame(fire);
  };

  const cancel = () => {
    if (timer !== null) scheduler.clearTimeout(timer);
    if (frame !== null) scheduler.cancelFrame(frame);
    timer = null;
    frame = null;
    pending = false;
  };

  return {
    schedule() {
      pending = true;
      if (timer !== null || frame !== null) return;
      const wait = lastRun + intervalMs - scheduler.now();
      if (wait > 0) timer = scheduler.setTimeout(onTimer, wait);
      else if (options.leading) fire();
      else frame = scheduler.requestFrame(fire);
    },
    flush() {
      cancel();
      pending = true;
      fire();
    },
    cancel,
    get pending() {
      return pending;
    },
  };
}

export interface BatcherOptions<T> {
  intervalMs: number;
  /** The entity an item is about. */
  key(item: T): string;
  /** Whether `candidate` replaces `current` (same key). */
  supersedes(candidate: T, current: T): boolean;
  flush(items: T[]): void;
  scheduler?: Scheduler;
}

/**
 * Coalesces a burst: items are kept per key (the newest wins) and handed over at most once per interval. Memory is
 * bounded by the number of distinct keys, not by the event rate, even while the tab is hidden and frames stop.
 */
export class KeyedBatcher<T> {
  readonly #options: BatcherOptions<T>;
  readonly #throttle: Throttle;
  #items = new Map<string, T>();

  constructor(options: BatcherOptions<T>) {
    this.#options = options;
    this.#throttle = createThrottle(() => this.#flush(), options.intervalMs, options.scheduler);
  }

  get size(): number {
    return this.#items.size;
  }

  push(items: Iterable<T>): void {
    const { key, supersedes } = this.#options;
    let added = false;
    for (const item of items) {
      const k = key(item);
      const current = this.#items.get(k);
      if (current === undefined || supersedes(item, current)) {
        this.#items.set(k, item);
        added = true;
      }
    }
    if (added) this.#throttle.schedule();
  }

  /** Hands over what is waiting now. */
  flushNow(): void {
    this.#throttle.flush();
  }

  /** Drops what is waiting (a snapshot is about to replace it). */
  clear(): void {
    this.#throttle.cancel();
    this.#items = new Map();
  }

  #flush(): void {
    if (this.#items.size === 0) return;
    const items = [...this.#items.values()];
    this.#items = new Map();
    this.#options.flush(items);
  }
}
