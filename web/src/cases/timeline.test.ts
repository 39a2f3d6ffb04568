import { describe, expect, it } from "vitest";
import { bucketBounds, bucketSizeMs, buildTimeline } from "./timeline";

const MIN = 60_000;
const HOUR = 60 * MIN;
const window = { from: "2026-03-01T02:00:00.000Z", to: "2026-03-01T03:00:00.000Z" };
const at = (minutes: number, seconds = 0) =>
  new Date(Date.parse(window.from) + minutes * MIN + seconds * 1000).toISOString();

describe("bucketSizeMs", () => {
  it("picks the narrowest nice width with at most 60 buckets", () => {
    expect(bucketSizeMs(HOUR)).toBe(MIN);
    expect(bucketSizeMs(2 * HOUR)).toBe(2 * MIN);
    expect(bucketSizeMs(24 * HOUR)).toBe(30 * MIN);
    expect(bucketSizeMs(61 * MIN)).toBe(2 * MIN);
    expect(bucketSizeMs(10 * MIN)).toBe(MIN);
    expect(bucketSizeMs(24 * HOUR, 24)).toBe(HOUR);
  });
});

describe("buildTimeline", () => {
  it("counts detections per camera per minute over an hour", () => {
    const timeline = buildTimeline(
      window,
      ["cam-a", "cam-b"],
      [
        { cameraId: "cam-a", observedAt: at(0) },
        { cameraId: "cam-a", observedAt: at(0, 59) },
        { cameraId: "cam-a", observedAt: at(1) },
        { cameraId: "cam-b", observedAt: at(59, 30) },
      ],
    );
    expect(timeline.buckets).toBe(60);
    expect(timeline.bucketMs).toBe(MIN);
    const [a, b] = timeline.rows;
    expect(a?.counts.slice(0, 3)).toEqual([2, 1, 0]);
    expect(a?.total).toBe(3);
    expect(a?.peak).toBe(0);
    expect(b?.counts[59]).toBe(1);
    expect(b?.peak).toBe(59);
    expect(timeline.max).toBe(2);
  });

  it("keeps a row for a covering camera without detections, and adds cameras it was not told of", () => {
    const timeline = buildTimeline(window, ["quiet"], [{ cameraId: "other", observedAt: at(5) }]);
    expect(timeline.rows.map((row) => [row.cameraId, row.total, row.peak])).toEqual([
      ["quiet", 0, -1],
      ["other", 1, 5],
    ]);
  });

  it("puts a detection at the window's end into the last bucket and leaves out those outside", () => {
    const timeline = buildTimeline(
      window,
      ["cam"],
      [
        { cameraId: "cam", observedAt: window.to },
        { cameraId: "cam", observedAt: at(-1) },
        { cameraId: "cam", observedAt: at(60, 1) },
        { cameraId: "cam", observedAt: "not a time" },
      ],
    );
    expect(timeline.rows[0]?.counts[59]).toBe(1);
    expect(timeline.rows[0]?.total).toBe(1);
  });

  it("makes the last bucket shorter when the window is not a whole number of buckets", () => {
    const odd = { from: window.from, to: at(95) }; // 95 min → 2-minute buckets, 48 of them, the last 1 min
    const timeline = buildTimeline(odd, ["cam"], [{ cameraId: "cam", observedAt: at(94, 30) }]);
    expect(timeline.bucketMs).toBe(2 * MIN);
    expect(timeline.buckets).toBe(48);
    expect(timeline.rows[0]?.counts[47]).toBe(1);
    expect(bucketBounds(timeline, 47)).toEqual({ from: Date.parse(at(94)), to: Date.parse(at(95)) });
    expect(bucketBounds(timeline, 0)).toEqual({ from: Date.parse(at(0)), to: Date.parse(at(2)) });
  });
});
