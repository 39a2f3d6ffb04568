import type { Scheduler } from "../live/batcher";

/** A manual clock for throttle tests: timers and frames run only when the test advances time. */
export class FakeScheduler implements Scheduler {
  time = 0;
  /** Frames come this long after they are asked for. */
  frameMs = 16;
  #next = 1;
  #tasks = new Map<number, { at: number; run: () => void }>();

  now = (): number => this.time;
  setTimeout = (callback: () => void, ms: number): unknown => this.#add(this.time + Math.max(0, ms), callback);
  clearTimeout = (handle: unknown): void => void this.#tasks.delete(handle as number);
  requestFrame = (callback: () => void): unknown => this.#add(this.time + this.frameMs, callback);
  cancelFrame = (handle: unknown): void => void this.#tasks.delete(handle as number);

  /** Moves the clock forward, running every task that falls due, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; run: () => void }] | undefined;
      for (const entry of this.#tasks) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#tasks.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
    }
    this.time = end;
  }

  get pendingTasks(): number {
    return this.#tasks.size;
  }

  #add(at: number, run: () => void): number {
    const id = this.#next++;
    this.#tasks.set(id, { at, run });
    return id;
  }
}
