import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Channel, OutboundMessage, SendResult } from "../channels/channel.js";
import type { ClaimedDelivery, DeliveriesRepository, DeliveryOutcome } from "../repositories/deliveries.repository.js";
import { backoffMs, Dispatcher, outcomeOf } from "./dispatcher.service.js";

const limits = {
  concurrency: 2,
  ratePerSecond: 1000,
  maxAttempts: 3,
  backoffBaseMs: 1000,
  backoffMaxMs: 8000,
  timeoutMs: 200,
};

function channel(send: (subscriber: string, attempt: number) => Promise<SendResult>): Channel {
  return {
    name: "test",
    kind: "webhook",
    limits,
    subscribers: async () => [],
    send: (_message, subscriber, attempt) => send(subscriber, attempt),
  };
}

describe("backoffMs", () => {
  it("doubles per attempt within ±20 %, up to the cap", () => {
    expect(backoffMs(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, () => 0.5)).toBe(4000);
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(3200);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(4800);
    expect(backoffMs(20, 1000, 60_000, () => 0.5)).toBe(60_000);
  });
});

describe("outcomeOf", () => {
  const c = channel(async () => ({ outcome: "sent", receipt: "" }));
  it("schedules a retry after the back-off or the far side's Retry-After, whichever is later", () => {
    const retry = outcomeOf({ outcome: "retry", error: "HTTP 503" }, 1, c, 0);
    expect(retry.state).toBe("failed");
    if (retry.state === "failed") expect(retry.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(800);
    const later = outcomeOf({ outcome: "retry", error: "HTTP 429", retryAfterMs: 30_000 }, 1, c, 0);
    if (later.state === "failed") expect(later.nextAttemptAt.getTime()).toBe(30_000);
  });
  it("gives up after the last attempt, at once on a permanent failure, and defers without counting", () => {
    expect(outcomeOf({ outcome: "retry", error: "HTTP 500" }, 3, c, 0)).toEqual({
      state: "dead",
      error: "HTTP 500 (after 3 attempts)",
    });
    expect(outcomeOf({ outcome: "permanent", error: "gone" }, 1, c, 0).state).toBe("dead");
    expect(outcomeOf({ outcome: "defer", error: "quota", untilMs: 5000 }, 1, c, 0)).toEqual({
      state: "deferred",
      error: "quota",
      nextAttemptAt: new Date(5000),
    });
  });
});

/** An in-memory outbox with the repository's claim/record semantics. */
class FakeDeliveries {
  readonly rows = new Map<string, { delivery: ClaimedDelivery; state: string; outcome?: DeliveryOutcome }>();
  maxInFlight = 0;
  constructor(subscribers: string[]) {
    for (const subscriber of subscribers)
      this.rows.set(subscriber, {
        delivery: { messageId: "m", channel: "test", subscriber, attempts: 0 },
        state: "pending",
      });
  }
  async claim(_channel: string, _owner: string, limit: number): Promise<ClaimedDelivery[]> {
    const due = [...this.rows.values()].filter((row) => row.state === "pending").slice(0, limit);
    for (const row of due) {
      row.state = "sending";
      row.delivery = { ...row.delivery, attempts: row.delivery.attempts + 1 };
    }
    const inFlight = [...this.rows.values()].filter((row) => row.state === "sending").length;
    this.maxInFlight = Math.max(this.maxInFlight, inFlight);
    return due.map((row) => row.delivery);
  }
  async record(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
    const row = this.rows.get(delivery.subscriber);
    if (row?.state !== "sending" || row.delivery.attempts !== delivery.attempts) return false;
    row.outcome = outcome;
    // Failed rows come back at once here: the test is about the worker, not the clock.
    row.state = outcome.state === "failed" ? "pending" : outcome.state;
    return true;
  }
}

async function drain(fake: FakeDeliveries, send: Channel["send"], done: () => boolean): Promise<void> {
  const dispatcher = new Dispatcher([{ ...channel(async () => ({ outcome: "sent", receipt: "" })), send }], {
    deliveries: fake as unknown as DeliveriesRepository,
    message: async () => ({ messageId: "m" }) as OutboundMessage,
    owner: "test",
    pollMs: 10,
    logger: pino({ level: "silent" }),
  });
  dispatcher.start();
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await dispatcher.stop();
}

describe("Dispatcher", () => {
  it("sends every delivery within the channel's concurrency and records each outcome", async () => {
    const fake = new FakeDeliveries(["a", "b", "c", "d", "e"]);
    let inFlight = 0;
    let peak = 0;
    await drain(
      fake,
      async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return { outcome: "sent", receipt: "ok" };
      },
      () => [...fake.rows.values()].every((row) => row.state === "sent"),
    );
    expect([...fake.rows.values()].map((row) => row.state)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
    expect(peak).toBeLessThanOrEqual(limits.concurrency);
    expect(fake.maxInFlight).toBeLessThanOrEqual(limits.concurrency);
  });

  it("retries a failing subscriber until its last attempt and a hanging one past the timeout", async () => {
    const fake = new FakeDeliveries(["failing", "hanging"]);
    const attempts = new Map<string, number>();
    await drain(
      fake,
      (_message, subscriber) => {
        attempts.set(subscriber, (attempts.get(subscriber) ?? 0) + 1);
        if (subscriber === "failing") return Promise.resolve({ outcome: "retry", error: "HTTP 500" });
        return attempts.get(subscriber) === 1
          ? new Promise<SendResult>(() => undefined)
          : Promise.resolve({ outcome: "sent", receipt: "late" });
      },
      () => [...fake.rows.values()].every((row) => row.state === "sent" || row.state === "dead"),
    );
    expect(attempts.get("failing")).toBe(limits.maxAttempts);
    expect(fake.rows.get("failing")?.outcome).toEqual({ state: "dead", error: "HTTP 500 (after 3 attempts)" });
    expect(fake.rows.get("hanging")?.state).toBe("sent");
    expect(attempts.get("hanging")).toBe(2);
  });

  it("turns a throwing channel into a retry instead of losing the delivery", async () => {
    const fake = new FakeDeliveries(["x"]);
    let calls = 0;
    await drain(
      fake,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("socket hang up");
        return { outcome: "sent", receipt: "ok" };
      },
      () => fake.rows.get("x")?.state === "sent",
    );
    expect(calls).toBe(2);
  });
});
