import type { CaseSearchResult } from "@hub/contracts";

/**
 * The lookup with the next page added: the detections so far followed by the page's new ones (a detection already
 * shown is not repeated), the page's cursor and total; the rest (cameras, plates, incidents, clips: the whole
 * record's) from the newer answer.
 */
export function appendPage(current: CaseSearchResult, page: CaseSearchResult): CaseSearchResult {
  if (page.recordId !== current.recordId) return current;
  const seen = new Set(current.detections.items.map((item) => item.eventId));
  const added = page.detections.items.filter((item) => !seen.has(item.eventId));
  return {
    ...page,
    detections: {
      items: [...current.detections.items, ...added],
      total: page.detections.total,
      nextCursor: page.detections.nextCursor,
    },
  };
}

/** The numbers at the top of the results. */
export function summarize(result: CaseSearchResult): {
  cameras: number;
  detections: number;
  loaded: number;
  plates: number;
  incidents: number;
  clips: number;
} {
  return {
    cameras: result.cameras.length,
    detections: result.detections.total,
    loaded: result.detections.items.length,
    plates: result.plates.length,
    incidents: result.incidents.length,
    clips: result.clips.length,
  };
}

/** A file name for the export's zip: the case reference made safe, and the record. */
export function exportFileName(caseReference: string, recordId: string): string {
  const safe = caseReference.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "case";
  return `${safe}-${recordId.slice(0, 8)}.zip`;
}
