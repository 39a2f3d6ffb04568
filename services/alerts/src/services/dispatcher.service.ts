import type { Logger } from "@hub/common";
import type { Channel, OutboundMessage, SendResult } from "../channels/channel.js";
import type { ClaimedDelivery, DeliveriesRepository, DeliveryOutcome } from "../repositories/deliveries.repository.js";

export interface DispatchObserver {
  attempt(channel: string, outcome: DeliveryOutcome["state"], seconds: number): void;
}

export interface DispatcherDeps {
  deliveries: DeliveriesRepository;
  /** The published message a delivery belongs to (cached by the caller). */
  message: (messageId: string) => Promise<OutboundMessage>;
  owner: string;
  pollMs: number;
  logger: Logger;
  observer?: DispatchObserver;
  /** Test mode: called after every successful send (crash injection). */
  afterSend?: () => void;
}

/** Exponential back-off with ±20 % jitter: base × 2^(attempt-1), capped. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** The outcome to store for a send result, given the attempt number and the channel's limits. */
export function outcomeOf(result: SendResult, attempt: number, channel: Channel, now: number): DeliveryOutcome {
  const { maxAttempts, backoffBaseMs, backoffMaxMs } = channel.limits;
  switch (result.outcome) {
    case "sent":
      return { state: "sent", receipt: result.receipt };
    case "permanent":
      return { state: "dead", error: result.error };
    case "defer":
      return { state: "deferred", error: result.error, nextAttemptAt: new Date(Math.max(now, result.untilMs)) };
    case "retry": {
      if (attempt >= maxAttempts) return { state: "dead", error: `${result.error} (after ${attempt} attempts)` };
      const wait = Math.max(result.retryAfterMs ?? 0, backoffMs(attempt, backoffBaseMs, backoffMaxMs));
      return { state: "failed", error: result.error, nextAttemptAt: new Date(now + wait) };
    }
  }
}

/** Token bucket: `rate` starts per second, bursts up to `burst`. */
class RateLimiter {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  /** Milliseconds to wait before the next start (0: go now, a token is taken). */
  take(): number {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/**
 * Works the delivery outbox: one worker per channel, so a slow or failing channel never holds up another. A worker
 * claims due rows (with a lease), sends within the channel's concurrency and rate, and records each outcome with
 * the attempt it claimed as fencing token. Publication wakes the workers at once; retries are found by polling.
 */
export class Dispatcher {
  private readonly workers: ChannelWorker[];

  constructor(channels: Channel[], deps: DispatcherDeps) {
    this.workers = channels.map((channel) => new ChannelWorker(channel, deps));
  }

  start(): void {
    for (const worker of this.workers) worker.start();
  }

  wake(): void {
    for (const worker of this.workers) worker.wake();
  }

  /** Stops claiming and waits for the sends in flight (their outcomes are recorded). */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }
}

class ChannelWorker {
  private running = false;
  private inFlight = 0;
  private readonly limiter: RateLimiter;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private readonly sends = new Set<Promise<void>>();
  private readonly logger: Logger;

  constructor(
    private readonly channel: Channel,
    private readonly deps: DispatcherDeps,
  ) {
    this.limiter = new RateLimiter(channel.limits.ratePerSecond, channel.limits.concurrency);
    this.logger = deps.logger.child({ channel: channel.name });
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all(this.sends);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed: ClaimedDelivery[] = [];
      const free = this.channel.limits.concurrency - this.inFlight;
      if (free > 0) {
        try {
          claimed = await this.deps.deliveries.claim(
            this.channel.name,
            this.deps.owner,
            free,
            this.channel.limits.timeoutMs + 5000,
          );
        } catch (err) {
          this.logger.warn({ err }, "claiming deliveries failed; retrying");
        }
      }
      for (const delivery of claimed) {
        const wait = this.limiter.take();
        if (wait > 0) await sleep(wait);
        this.inFlight += 1;
        const send = this.deliver(delivery).finally(() => {
          this.inFlight -= 1;
          this.sends.delete(send);
          this.wake();
        });
        this.sends.add(send);
      }
      // Full, or nothing due: sleep until a send finishes, a publication wakes us, or the poll interval passes.
      if (this.running && !this.woken && (claimed.length === 0 || this.inFlight >= this.channel.limits.concurrency)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.deps.pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const started = performance.now();
    let result: SendResult;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error("timed out")), this.channel.limits.timeoutMs);
    try {
      const message = await this.deps.message(delivery.messageId);
      result = await Promise.race([
        this.channel.send(message, delivery.subscriber, delivery.attempts, abort.signal),
        new Promise<SendResult>((resolve) =>
          abort.signal.addEventListener("abort", () =>
            resolve({ outcome: "retry", error: `no answer within ${this.channel.limits.timeoutMs} ms` }),
          ),
        ),
      ]);
    } catch (err) {
      result = { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
    const outcome = outcomeOf(result, delivery.attempts, this.channel, Date.now());
    if (outcome.state === "sent") this.deps.afterSend?.();
    try {
      const recorded = await this.deps.deliveries.record(delivery, outcome);
      if (!recorded) this.logger.warn({ delivery }, "delivery was taken over before its outcome was recorded");
    } catch (err) {
      // The lease runs out and the delivery is tried again: better twice (idempotency key) than never.
      this.logger.error({ err, delivery, outcome: outcome.state }, "recording a delivery outcome failed");
    }
    if (outcome.state === "dead") this.logger.warn({ delivery, error: outcome.error }, "delivery dead");
    this.deps.observer?.attempt(this.channel.name, outcome.state, (performance.now() - started) / 1000);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
