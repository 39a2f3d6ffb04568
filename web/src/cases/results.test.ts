import { describe, expect, it } from "vitest";
import { newCaseDetection, newCaseResult } from "../testing/factories";
import { appendPage, exportFileName, summarize } from "./results";

describe("appendPage", () => {
  it("adds the next page's detections after the loaded ones, with its cursor and total", () => {
    const a = newCaseDetection();
    const b = newCaseDetection();
    const c = newCaseDetection();
    const first = newCaseResult({ detections: { items: [a, b], total: 3, nextCursor: "c1" } });
    const next = newCaseResult({ detections: { items: [b, c], total: 3, nextCursor: null } });
    const merged = appendPage(first, next);
    expect(merged.detections.items.map((d) => d.eventId)).toEqual([a.eventId, b.eventId, c.eventId]);
    expect(merged.detections.nextCursor).toBeNull();
    expect(merged.detections.total).toBe(3);
  });

  it("ignores a page of another record (an answer to an older search)", () => {
    const current = newCaseResult({ recordId: "r-new" });
    expect(appendPage(current, newCaseResult({ recordId: "r-old" }))).toBe(current);
  });
});

describe("summarize", () => {
  it("counts all matching detections, not only the loaded page", () => {
    const result = newCaseResult({ detections: { items: [newCaseDetection()], total: 250, nextCursor: "x" } });
    expect(summarize(result)).toMatchObject({ detections: 250, loaded: 1, cameras: 0, plates: 0 });
  });
});

describe("exportFileName", () => {
  it("makes the case reference safe for a file name", () => {
    expect(exportFileName("PJ/2026/004512", "4f7c2a10-5d3b")).toBe("PJ_2026_004512-4f7c2a10.zip");
    expect(exportFileName("../..", "abcdef0123")).toBe("case-abcdef01.zip");
  });
});
