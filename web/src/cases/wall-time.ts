/**
 * Wall-clock times in a named zone, as `<input type="datetime-local">` holds them ("2026-03-01T10:30", seconds
 * optional), and the instants they stand for. The case-lookup window is typed in Macao's time whatever zone the
 * browser is in, so the input's own conversion (the machine's zone) is not used.
 */

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's wall clock at `ms`, as the UTC instant with the same fields (so `result - ms` is the offset). */
function wallClockAsUtc(ms: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms))
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  return Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (Macao: +8 h). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClockAsUtc(whole, timeZone) - whole;
}

/**
 * The instant (epoch ms) that a wall time in `timeZone` names, or null when the text is not a real date and time.
 * A time skipped by a daylight-saving change is moved forward by the gap; a repeated one takes the earlier instant.
 */
export function wallTimeToEpoch(value: string, timeZone: string): number | null {
  const match = WALL_TIME.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 April over into May: such a date does not exist.
  if (new Date(asUtc).getUTCDate() !== day) return null;
  // Zones change their offset at most once in a day: the offsets 12 h either side are the only candidates.
  const before = zoneOffsetMs(asUtc - 12 * 3600_000, timeZone);
  const after = zoneOffsetMs(asUtc + 12 * 3600_000, timeZone);
  const matching = [asUtc - before, asUtc - after].filter((ms) => wallClockAsUtc(ms, timeZone) === asUtc);
  if (matching.length > 0) return Math.min(...matching);
  // In a gap (the clock jumped over it): read with the offset before the jump, i.e. moved forward by the gap.
  return asUtc - before;
}

/** The wall time in `timeZone` at instant `ms`, as a datetime-local value to the minute: "2026-03-01T10:30". */
export function epochToWallTime(ms: number, timeZone: string): string {
  return new Date(wallClockAsUtc(ms, timeZone)).toISOString().slice(0, 16);
}
