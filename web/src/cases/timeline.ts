import type { CaseDetection } from "@hub/contracts";

/** Bucket widths a person reads easily, in minutes. */
const NICE_MINUTES = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440];

/** The narrowest nice bucket that splits the window into at most `maxBuckets`. */
export function bucketSizeMs(windowMs: number, maxBuckets = 60): number {
  for (const minutes of NICE_MINUTES) if (windowMs / (minutes * 60_000) <= maxBuckets) return minutes * 60_000;
  return Math.ceil(windowMs / maxBuckets / 60_000) * 60_000;
}

export interface TimelineRow {
  cameraId: string;
  /** Detections per bucket, from the window's start. */
  counts: number[];
  total: number;
  /** The bucket with the most detections (the first such), or -1 when there are none. */
  peak: number;
}

export interface Timeline {
  startMs: number;
  endMs: number;
  bucketMs: number;
  buckets: number;
  rows: TimelineRow[];
  /** The highest count in any bucket of any row (the bars' scale); 0 when empty. */
  max: number;
}

/**
 * Detections per camera per time bucket over the window. Rows follow `cameraIds` (the covering cameras, best
 * first), then any other camera a detection names. Detections outside [from, to] are left out; one at `to` goes
 * into the last bucket.
 */
export function buildTimeline(
  window: { from: string; to: string },
  cameraIds: readonly string[],
  detections: readonly Pick<CaseDetection, "cameraId" | "observedAt">[],
  maxBuckets = 60,
): Timeline {
  const startMs = Date.parse(window.from);
  const endMs = Date.parse(window.to);
  const span = Math.max(0, endMs - startMs);
  const bucketMs = bucketSizeMs(Math.max(span, 60_000), maxBuckets);
  const buckets = Math.max(1, Math.ceil(span / bucketMs));
  const rows = new Map<string, TimelineRow>();
  const row = (cameraId: string): TimelineRow => {
    let found = rows.get(cameraId);
    if (!found) {
      found = { cameraId, counts: new Array<number>(buckets).fill(0), total: 0, peak: -1 };
      rows.set(cameraId, found);
    }
    return found;
  };
  for (const id of cameraIds) row(id);
  for (const detection of detections) {
    const at = Date.parse(detection.observedAt);
    if (!(at >= startMs && at <= endMs)) continue; // also NaN
    const index = Math.min(buckets - 1, Math.floor((at - startMs) / bucketMs));
    const target = row(detection.cameraId);
    target.counts[index] = (target.counts[index] ?? 0) + 1;
    target.total += 1;
  }
  let max = 0;
  for (const target of rows.values()) {
    target.counts.forEach((count, index) => {
      if (count > (target.counts[target.peak] ?? 0)) target.peak = index;
    });
    max = Math.max(max, ...target.counts);
  }
  return { startMs, endMs, bucketMs, buckets, rows: [...rows.values()], max };
}

/** A bucket's start and end (the last one ends at the window's end). */
export function bucketBounds(timeline: Timeline, index: number): { from: number; to: number } {
  const from = timeline.startMs + index * timeline.bucketMs;
  return { from, to: Math.min(timeline.endMs, from + timeline.bucketMs) };
}
