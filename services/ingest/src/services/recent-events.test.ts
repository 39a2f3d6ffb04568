import { describe, expect, it } from "vitest";
import { RecentEvents } from "./recent-events.js";

function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("RecentEvents", () => {
  it("publishes an id once within the window and reports the repeat as a duplicate", async () => {
    let published = 0;
    const recent = new RecentEvents(60_000, 100);
    const publish = async () => {
      published += 1;
    };
    expect(await recent.publishOnce("a", publish)).toBe("accepted");
    expect(await recent.publishOnce("a", publish)).toBe("duplicate");
    expect(await recent.publishOnce("b", publish)).toBe("accepted");
    expect(published).toBe(2);
  });

  it("publishes again once the window has passed", async () => {
    let now = 0;
    let published = 0;
    const recent = new RecentEvents(1000, 100, () => now);
    const publish = async () => {
      published += 1;
    };
    await recent.publishOnce("a", publish);
    now = 1001;
    expect(await recent.publishOnce("a", publish)).toBe("accepted");
    expect(published).toBe(2);
  });

  it("forgets an id whose publish failed, so a retry publishes", async () => {
    const recent = new RecentEvents(60_000, 100);
    await expect(recent.publishOnce("a", () => Promise.reject(new Error("kafka down")))).rejects.toThrow("kafka down");
    let published = 0;
    expect(
      await recent.publishOnce("a", async () => {
        published += 1;
      }),
    ).toBe("accepted");
    expect(published).toBe(1);
  });

  it("makes a concurrent duplicate wait for the first attempt instead of publishing", async () => {
    const recent = new RecentEvents(60_000, 100);
    const first = deferred();
    let published = 0;
    const a = recent.publishOnce("a", () => {
      published += 1;
      return first.promise;
    });
    const b = recent.publishOnce("a", async () => {
      published += 1;
    });
    first.resolve();
    expect(await a).toBe("accepted");
    expect(await b).toBe("duplicate");
    expect(published).toBe(1);
  });

  it("publishes a concurrent duplicate when the first attempt fails", async () => {
    const recent = new RecentEvents(60_000, 100);
    const first = deferred();
    const a = recent.publishOnce("a", () => first.promise);
    let secondPublished = false;
    const b = recent.publishOnce("a", async () => {
      secondPublished = true;
    });
    first.reject(new Error("timeout"));
    await expect(a).rejects.toThrow("timeout");
    expect(await b).toBe("accepted");
    expect(secondPublished).toBe(true);
  });

  it("stays within its size bound, dropping the oldest ids", async () => {
    const recent = new RecentEvents(60_000, 3);
    for (const id of ["a", "b", "c", "d", "e"]) await recent.publishOnce(id, async () => undefined);
    expect(recent.size).toBeLessThanOrEqual(4);
    expect(await recent.publishOnce("a", async () => undefined)).toBe("accepted");
    expect(await recent.publishOnce("e", async () => undefined)).toBe("duplicate");
  });
});
