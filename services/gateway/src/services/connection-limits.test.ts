import { describe, expect, it } from "vitest";
import { ConnectionLimits } from "./connection-limits.js";

describe("ConnectionLimits", () => {
  it("refuses past the per-address limit and the total, and counts a release once", () => {
    const limits = new ConnectionLimits({ total: 3, perAddress: 2 });
    const a1 = limits.acquire("a");
    const a2 = limits.acquire("a");
    expect(limits.acquire("a")).toEqual({ ok: false, reason: "address" });
    const b1 = limits.acquire("b");
    expect(limits.acquire("c")).toEqual({ ok: false, reason: "full" });
    if (!a1.ok || !a2.ok || !b1.ok) throw new Error("expected admissions");
    a1.release();
    a1.release();
    expect(limits.size).toBe(2);
    expect(limits.acquire("a").ok).toBe(true);
    expect(limits.acquire("a")).toEqual({ ok: false, reason: "full" });
  });

  it("forgets an address without connections", () => {
    const limits = new ConnectionLimits({ total: 10 });
    const grants = Array.from({ length: 5 }, (_, i) => limits.acquire(`x${i}`));
    for (const grant of grants) if (grant.ok) grant.release();
    expect(limits.size).toBe(0);
    expect((limits as unknown as { perAddress: Map<string, number> }).perAddress.size).toBe(0);
  });
});
