import { isUuid, parseInput, ValidationError } from "@hub/common";
import {
  CLOSED_INCIDENT_STATUSES,
  type IncidentHistoryPage,
  type IncidentHistoryQuery,
  incidentHistoryQuerySchema,
} from "@hub/contracts";
import type { HistoryFilter, HistoryRepository } from "../repositories/history.repository.js";
import { checkRing } from "./case-criteria.js";

/** A page's position in the order (first event time to the microsecond, id), opaque to the client. */
export function encodeCursor(firstEventAt: string, id: string): string {
  return Buffer.from(JSON.stringify([firstEventAt, id])).toString("base64url");
}

export function decodeCursor(cursor: string): { firstEventAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(value[0]) &&
      typeof value[1] === "string" &&
      isUuid(value[1])
    )
      return { firstEventAt: value[0], id: value[1] };
  } catch {
    // not JSON: refused below
  }
  throw new ValidationError("query.cursor", "must be a cursor from a previous page");
}

/**
 * Incident history: the query checked (a 400 names the parameter), turned into a filter, a page read one row
 * further than asked to know whether another follows.
 */
export class HistoryService {
  constructor(private readonly deps: { history: HistoryRepository }) {}

  criteria(query: unknown): HistoryFilter {
    const q = parseInput(incidentHistoryQuerySchema, query ?? {}, "query");
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && to.getTime() < from.getTime()) throw new ValidationError("query.to", "must not be before from");
    if (q.bbox && q.polygon) throw new ValidationError("query.polygon", "give either bbox or polygon, not both");
    let box = q.bbox;
    if (q.polygon) {
      checkRing(q.polygon, "query.polygon");
      const lons = q.polygon.map(([lon]) => lon);
      const lats = q.polygon.map(([, lat]) => lat);
      box = {
        minLon: Math.min(...lons),
        minLat: Math.min(...lats),
        maxLon: Math.max(...lons),
        maxLat: Math.max(...lats),
      };
    }
    return {
      statuses: q.state ?? [...CLOSED_INCIDENT_STATUSES],
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(box ? { box } : {}),
      ...(q.polygon ? { polygon: q.polygon } : {}),
      ...(q.kind ? { kinds: q.kind } : {}),
      ...(q.severity ? { severities: q.severity } : {}),
      ...(q.text ? { text: q.text } : {}),
      ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
      limit: q.limit,
    };
  }

  async search(query: IncidentHistoryQuery | unknown): Promise<IncidentHistoryPage> {
    const filter = this.criteria(query);
    const rows = await this.deps.history.search({ ...filter, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => row.incident),
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.firstEventAtExact, last.incident.id) : null,
    };
  }
}
