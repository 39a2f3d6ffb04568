import { describe, expect, it } from "vitest";
import { backoffDelay, retryWithBackoff } from "./retry.js";

const transient = new Error("busy");
const permanent = new Error("wrong");

function failing(times: number, error = transient) {
  let calls = 0;
  return {
    work: async () => {
      calls += 1;
      if (calls <= times) throw error;
      return calls;
    },
    calls: () => calls,
  };
}

function fakeClock() {
  let time = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => time,
    sleep: async (ms: number) => {
      waits.push(ms);
      time += ms;
    },
  };
}

describe("backoffDelay", () => {
  it("doubles the ceiling each attempt up to the maximum, with full jitter", () => {
    const top = { baseMs: 100, maxMs: 1000, random: () => 0.999999 };
    expect([0, 1, 2, 3, 4, 10].map((attempt) => backoffDelay(attempt, top))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, { ...top, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { ...top, random: () => 0.5 })).toBe(400);
  });
});

describe("retryWithBackoff", () => {
  const base = { baseMs: 100, maxMs: 1000, random: () => 0.5, retriable: (error: unknown) => error === transient };

  it("retries a retriable failure until it succeeds, waiting longer each time and telling onRetry", async () => {
    const clock = fakeClock();
    const call = failing(3);
    const told: number[] = [];
    const result = await retryWithBackoff(call.work, {
      ...base,
      ...clock,
      onRetry: (_error, attempt) => told.push(attempt),
    });
    expect(result).toBe(4);
    expect(clock.waits).toEqual([50, 100, 200]);
    expect(told).toEqual([1, 2, 3]);
  });

  it("throws a failure that is not retriable at once", async () => {
    const clock = fakeClock();
    const call = failing(1, permanent);
    await expect(retryWithBackoff(call.work, { ...base, ...clock })).rejects.toBe(permanent);
    expect(call.calls()).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it("gives up after maxAttempts, with the last error", async () => {
    const clock = fakeClock();
    const call = failing(10);
    await expect(retryWithBackoff(call.work, { ...base, ...clock, maxAttempts: 3 })).rejects.toBe(transient);
    expect(call.calls()).toBe(3);
  });

  it("gives up when the next wait would pass giveUpAfterMs", async () => {
    const clock = fakeClock();
    const call = failing(10);
    await expect(retryWithBackoff(call.work, { ...base, ...clock, giveUpAfterMs: 400 })).rejects.toBe(transient);
    // 50 + 100 + 200 = 350 waited; a further 400 would pass the budget.
    expect(clock.waits).toEqual([50, 100, 200]);
  });

  it("stops retrying once the caller is stopping", async () => {
    const clock = fakeClock();
    const call = failing(10);
    let stopping = false;
    await expect(
      retryWithBackoff(call.work, {
        ...base,
        ...clock,
        onRetry: (_error, attempt) => {
          if (attempt === 2) stopping = true;
        },
        stopped: () => stopping,
      }),
    ).rejects.toBe(transient);
    expect(call.calls()).toBe(3);
  });
});
