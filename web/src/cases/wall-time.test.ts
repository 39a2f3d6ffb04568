import { describe, expect, it } from "vitest";
import { epochToWallTime, wallTimeToEpoch, zoneOffsetMs } from "./wall-time";

const MACAU = "Asia/Macau";
const LISBON = "Europe/Lisbon";

describe("wallTimeToEpoch", () => {
  it("reads a datetime-local value as Macao time (UTC+8), whatever the machine's zone", () => {
    expect(new Date(wallTimeToEpoch("2026-03-01T10:30", MACAU) ?? Number.NaN).toISOString()).toBe(
      "2026-03-01T02:30:00.000Z",
    );
    // Before 08:00 in Macao it is still the previous day in UTC.
    expect(new Date(wallTimeToEpoch("2026-01-01T07:59:30", MACAU) ?? Number.NaN).toISOString()).toBe(
      "2025-12-31T23:59:30.000Z",
    );
  });

  it("refuses text that is not a real date and time", () => {
    for (const value of [
      "",
      "2026-03-01",
      "2026-03-01 10:30",
      "2026-02-30T10:00",
      "2026-13-01T00:00",
      "2026-04-31T12:00",
    ])
      expect(wallTimeToEpoch(value, MACAU), value).toBeNull();
    expect(wallTimeToEpoch("2024-02-29T00:00", MACAU)).not.toBeNull();
  });

  it("follows a zone's daylight-saving changes (the conversion is not a fixed +8 h)", () => {
    // Lisbon: UTC+0 in winter, UTC+1 in summer.
    expect(new Date(wallTimeToEpoch("2026-01-15T12:00", LISBON) ?? 0).toISOString()).toBe("2026-01-15T12:00:00.000Z");
    expect(new Date(wallTimeToEpoch("2026-07-15T12:00", LISBON) ?? 0).toISOString()).toBe("2026-07-15T11:00:00.000Z");
    // 2026-10-25 01:30 happens twice in Lisbon: the earlier (summer-time) instant.
    expect(new Date(wallTimeToEpoch("2026-10-25T01:30", LISBON) ?? 0).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    // 2026-03-29 01:30 does not exist (01:00 → 02:00): moved forward by the gap, to 02:30 summer time.
    const skipped = wallTimeToEpoch("2026-03-29T01:30", LISBON) ?? 0;
    expect(new Date(skipped).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(epochToWallTime(skipped, LISBON)).toBe("2026-03-29T02:30");
  });
});

describe("epochToWallTime", () => {
  it("gives Macao's wall time to the minute, and round-trips", () => {
    const ms = Date.parse("2026-05-31T17:45:59.900Z");
    expect(epochToWallTime(ms, MACAU)).toBe("2026-06-01T01:45");
    expect(wallTimeToEpoch(epochToWallTime(ms, MACAU), MACAU)).toBe(Date.parse("2026-05-31T17:45:00.000Z"));
  });

  it("knows Macao's offset", () => {
    expect(zoneOffsetMs(Date.parse("2026-07-01T00:00:00Z"), MACAU)).toBe(8 * 3600_000);
  });
});
