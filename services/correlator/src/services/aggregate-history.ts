/**
 * How far back the continuous aggregates' refresh policies reach (migration 0015), and the margin by which raw rows
 * must outlive that reach: a refresh over a range whose raw chunks were dropped deletes that range's buckets, so the
 * retention of a source table is at least its aggregates' reach plus the margin (docs/retention.md). The database
 * enforces the same rule (assert_aggregate_history); this copy lets the configuration refuse a bad value first, with
 * the variable's name. test/integration/retention.test.ts checks that both agree with the deployed policies.
 */
export const aggregateRefreshReach = {
  detections: { aggregate: "detections_per_minute", hours: 7 * 24 + 6 },
  sensor_readings: { aggregate: "sensor_stats_5m", hours: 7 * 24 + 6 },
  camera_status: { aggregate: "camera_status_5m", hours: 7 * 24 + 6 },
} as const;

export const AGGREGATE_HISTORY_MARGIN_HOURS = 12;

/** The shortest retention, in whole days, that keeps the aggregates' history of `table`. */
export function minimumRetentionDays(table: keyof typeof aggregateRefreshReach): number {
  return Math.ceil((aggregateRefreshReach[table].hours + AGGREGATE_HISTORY_MARGIN_HOURS) / 24);
}

/** "7 days 6 hours". */
export function describeHours(hours: number): string {
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return [days ? `${days} days` : "", rest ? `${rest} hours` : ""].filter(Boolean).join(" ") || "0 hours";
}
