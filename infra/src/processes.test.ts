import { describe, expect, it } from "vitest";
import { decideOnExit, describeExit, RESTART_RESET_AFTER_MS } from "./processes.js";

describe("decideOnExit", () => {
  it("stops the hub when a core part ends, however long it ran", () => {
    expect(decideOnExit({ optional: false, quickFailures: 0, ranForMs: 10 })).toEqual({ action: "stop-hub" });
    expect(decideOnExit({ optional: false, quickFailures: 0, ranForMs: 10 * RESTART_RESET_AFTER_MS })).toEqual({
      action: "stop-hub",
    });
  });

  it("restarts an optional part after a back-off that doubles with each quick failure, up to a minute", () => {
    const delays = [0, 1, 2, 3, 5, 6, 9].map(
      (quickFailures) => decideOnExit({ optional: true, quickFailures, ranForMs: 1000 }) as { delayMs: number },
    );
    expect(delays.map((decision) => decision.delayMs)).toEqual([1000, 2000, 4000, 8000, 32_000, 60_000, 60_000]);
  });

  it("starts the back-off over once the optional part had been running for a while", () => {
    expect(decideOnExit({ optional: true, quickFailures: 7, ranForMs: RESTART_RESET_AFTER_MS })).toEqual({
      action: "restart",
      attempt: 1,
      delayMs: 1000,
    });
  });
});

describe("describeExit", () => {
  it("names the exit code or the signal", () => {
    expect(describeExit({ code: 1, signal: null })).toBe("exit code 1");
    expect(describeExit({ code: null, signal: "SIGKILL" })).toBe("killed by SIGKILL");
  });
});
