import { ValidationError } from "@hub/common";
import { describe, expect, it } from "vitest";
import type { HistoryFilter, HistoryRow } from "../repositories/history.repository.js";
import { decodeCursor, encodeCursor, HistoryService } from "./history.service.js";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

function service(rows: HistoryRow[] = []) {
  const asked: HistoryFilter[] = [];
  const history = {
    search: async (filter: HistoryFilter) => {
      asked.push(filter);
      return rows.slice(0, filter.limit);
    },
  };
  return { asked, service: new HistoryService({ history: history as never }) };
}

const fieldOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldPath;
    throw error;
  }
  return undefined;
};

describe("history search criteria", () => {
  it("defaults to both closed states and 50 a page, and normalizes lists", () => {
    const { service: history } = service();
    expect(history.criteria({})).toEqual({ statuses: ["resolved", "false_alarm"], limit: 50 });
    expect(history.criteria({ kind: "fire,fire,flood", severity: "severe", state: "false_alarm", limit: "5" })).toEqual(
      {
        statuses: ["false_alarm"],
        kinds: ["fire", "flood"],
        severities: ["severe"],
        limit: 5,
      },
    );
  });

  it("turns a polygon into its ring and its bounding box", () => {
    const { service: history } = service();
    const filter = history.criteria({ polygon: "113.5,22.1;113.6,22.1;113.6,22.2;113.5,22.1" });
    expect(filter.box).toEqual({ minLon: 113.5, minLat: 22.1, maxLon: 113.6, maxLat: 22.2 });
    expect(filter.polygon).toHaveLength(4);
  });

  it("names the parameter at fault", () => {
    const { service: history } = service();
    expect(fieldOf(() => history.criteria({ bbox: "1,2,3,x" }))).toBe("query.bbox");
    expect(fieldOf(() => history.criteria({ polygon: "1,1;2,1;2,2;1,2" }))).toBe("query.polygon");
    expect(fieldOf(() => history.criteria({ state: "resolved,open" }))).toBe("query.state");
    expect(fieldOf(() => history.criteria({ cursor: encodeCursor("yesterday", ID) }))).toBe("query.cursor");
  });

  it("round-trips a cursor, and asks one row more than the page to know whether another follows", async () => {
    expect(decodeCursor(encodeCursor("2026-12-06T10:00:00.123456Z", ID))).toEqual({
      firstEventAt: "2026-12-06T10:00:00.123456Z",
      id: ID,
    });
    const row = (n: number): HistoryRow => ({
      incident: { id: `${ID.slice(0, -1)}${n}` } as HistoryRow["incident"],
      firstEventAtExact: `2026-12-06T10:00:0${n}.000000Z`,
    });
    const { asked, service: history } = service([row(3), row(2), row(1)]);
    const page = await history.search({ limit: "2" });
    expect(asked[0]?.limit).toBe(3);
    expect(page.items.map((item) => item.id)).toEqual([row(3).incident.id, row(2).incident.id]);
    expect(decodeCursor(page.nextCursor as string)).toEqual({
      firstEventAt: row(2).firstEventAtExact,
      id: row(2).incident.id,
    });
    const last = await service([row(1)]).service.search({ limit: "2" });
    expect(last.nextCursor).toBeNull();
  });
});
