import { describe, expect, it } from "vitest";
import { FakeScheduler } from "../testing/fake-scheduler";
import { createThrottle, KeyedBatcher } from "./batcher";

interface Item {
  id: string;
  version: number;
}

function setup(intervalMs = 250) {
  const scheduler = new FakeScheduler();
  const flushed: Item[][] = [];
  const batcher = new KeyedBatcher<Item>({
    intervalMs,
    key: (item) => item.id,
    supersedes: (candidate, current) => candidate.version >= current.version,
    flush: (items) => flushed.push(items),
    scheduler,
  });
  return { scheduler, flushed, batcher };
}

describe("createThrottle", () => {
  it("runs once on the next frame however often it is scheduled", () => {
    const scheduler = new FakeScheduler();
    let runs = 0;
    const throttle = createThrottle(() => runs++, 250, scheduler);
    for (let i = 0; i < 1000; i += 1) throttle.schedule();
    expect(runs).toBe(0);
    scheduler.advance(16);
    expect(runs).toBe(1);
  });

  it("runs at most once per interval under a steady stream", () => {
    const scheduler = new FakeScheduler();
    const times: number[] = [];
    const throttle = createThrottle(() => times.push(scheduler.now()), 250, scheduler);
    for (let t = 0; t < 1000; t += 5) {
      throttle.schedule();
      scheduler.advance(5);
    }
    scheduler.advance(500);
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(250);
  });

  it("with leading, runs at once when the interval has passed and defers the rest of the burst", () => {
    const scheduler = new FakeScheduler();
    let runs = 0;
    const throttle = createThrottle(() => runs++, 250, scheduler, { leading: true });
    throttle.schedule();
    expect(runs).toBe(1);
    throttle.schedule();
    throttle.schedule();
    expect(runs).toBe(1);
    scheduler.advance(249);
    expect(runs).toBe(1);
    scheduler.advance(20);
    expect(runs).toBe(2);
    scheduler.advance(1000);
    throttle.schedule();
    expect(runs).toBe(3);
  });

  it("does not run when nothing was scheduled, and cancel drops a pending run", () => {
    const scheduler = new FakeScheduler();
    let runs = 0;
    const throttle = createThrottle(() => runs++, 100, scheduler);
    throttle.schedule();
    throttle.cancel();
    scheduler.advance(1000);
    expect(runs).toBe(0);
    expect(scheduler.pendingTasks).toBe(0);
  });
});

describe("KeyedBatcher", () => {
  it("keeps the newest item per key and flushes them together", () => {
    const { scheduler, flushed, batcher } = setup();
    batcher.push([
      { id: "a", version: 1 },
      { id: "b", version: 1 },
    ]);
    batcher.push([{ id: "a", version: 3 }]);
    batcher.push([{ id: "a", version: 2 }]); // older: loses
    scheduler.advance(16);
    expect(flushed).toEqual([
      [
        { id: "a", version: 3 },
        { id: "b", version: 1 },
      ],
    ]);
    expect(batcher.size).toBe(0);
  });

  it("holds a burst after a flush until the interval has passed", () => {
    const { scheduler, flushed, batcher } = setup(250);
    batcher.push([{ id: "a", version: 1 }]);
    scheduler.advance(16);
    for (let v = 2; v < 200; v += 1) batcher.push([{ id: "a", version: v }]);
    scheduler.advance(100);
    expect(flushed).toHaveLength(1);
    scheduler.advance(200);
    expect(flushed).toHaveLength(2);
    expect(flushed[1]).toEqual([{ id: "a", version: 199 }]);
  });

  it("bounds memory by keys, not by events", () => {
    const { batcher } = setup();
    for (let i = 0; i < 10_000; i += 1) batcher.push([{ id: `cam-${i % 50}`, version: i }]);
    expect(batcher.size).toBe(50);
  });

  it("clear drops waiting items and the scheduled flush", () => {
    const { scheduler, flushed, batcher } = setup();
    batcher.push([{ id: "a", version: 1 }]);
    batcher.clear();
    scheduler.advance(1000);
    expect(flushed).toEqual([]);
  });

  it("flushNow hands over at once", () => {
    const { flushed, batcher } = setup();
    batcher.push([{ id: "a", version: 1 }]);
    batcher.flushNow();
    expect(flushed).toEqual([[{ id: "a", version: 1 }]]);
  });
});
