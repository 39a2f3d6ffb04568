import { describe, expect, it } from "vitest";
import { plateLike, validateCaseSearch } from "./case-criteria.js";

const valid = {
  caseReference: "PJ-2026/0042",
  purpose: "Robbery near the market, suspect fled on foot",
  window: { from: "2026-11-24T01:00:00Z", to: "2026-11-24T03:00:00Z" },
  area: { circle: { lat: 22.19, lon: 113.54, radiusM: 300 } },
};
const ring = (points: [number, number][]) => ({ ...valid, area: { polygon: points } });

describe("case search criteria", () => {
  it("normalizes a valid request", () => {
    const { request, from, to } = validateCaseSearch(
      { ...valid, plate: "ma-12-*", purpose: `  ${valid.purpose} ` },
      24,
    );
    expect(request.plate).toBe("MA-12-*");
    expect(request.purpose).toBe(valid.purpose);
    expect(to.getTime() - from.getTime()).toBe(2 * 3600_000);
  });

  it("accepts a simple closed polygon, in either orientation, and refuses crossings and open rings", () => {
    const square: [number, number][] = [
      [113.5, 22.1],
      [113.6, 22.1],
      [113.6, 22.2],
      [113.5, 22.2],
      [113.5, 22.1],
    ];
    expect(() => validateCaseSearch(ring(square), 24)).not.toThrow();
    expect(() => validateCaseSearch(ring([...square].reverse()), 24)).not.toThrow();
    const bowtie: [number, number][] = [
      [113.5, 22.1],
      [113.6, 22.2],
      [113.6, 22.1],
      [113.5, 22.2],
      [113.5, 22.1],
    ];
    expect(() => validateCaseSearch(ring(bowtie), 24)).toThrow(/intersects itself/);
    // An edge that doubles back along another touches it: also a crossing.
    const spike: [number, number][] = [
      [113.5, 22.1],
      [113.6, 22.1],
      [113.55, 22.1],
      [113.55, 22.2],
      [113.5, 22.1],
    ];
    expect(() => validateCaseSearch(ring(spike), 24)).toThrow(/intersects itself/);
    expect(() => validateCaseSearch(ring(square.slice(0, 4)), 24)).toThrow(/does not close/);
    const flat: [number, number][] = [
      [113.5, 22.1],
      [113.6, 22.1],
      [113.7, 22.1],
      [113.5, 22.1],
    ];
    expect(() => validateCaseSearch(ring(flat), 24)).toThrow();
  });

  it("holds the window to the configured maximum", () => {
    const long = { ...valid, window: { from: "2026-11-24T00:00:00Z", to: "2026-11-24T06:00:01Z" } };
    expect(() => validateCaseSearch(long, 6)).toThrow(/at most 6 hours/);
    expect(() => validateCaseSearch(long, 7)).not.toThrow();
  });
});

describe("plate patterns", () => {
  it("turns wildcards into LIKE and escapes LIKE's own characters", () => {
    expect(plateLike("M?-12-*")).toBe("M_-12-%");
    expect(plateLike("A%B_C\\")).toBe("A\\%B\\_C\\\\");
  });
});
