import { isUuid, NotFoundError, parseInput, ValidationError } from "@hub/common";
import {
  type CaseArea,
  type CaseIncident,
  type CaseSearchResult,
  caseRecordQuerySchema,
  caseReferenceSchema,
  purposeSchema,
} from "@hub/contracts";
import type { CorrelatorGateway } from "../gateways/correlator.gateway.js";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type {
  CasesRepository,
  DetectionCursor,
  DetectionFilter,
  StoredLookup,
} from "../repositories/cases.repository.js";
import { AuthService, type Principal } from "./auth.service.js";
import { validateCaseSearch } from "./case-criteria.js";

const INCIDENT_RADIUS_M = 150;
const DEFAULT_LIMIT = 100;

export function encodeCursor(cursor: DetectionCursor): string {
  return Buffer.from(JSON.stringify([cursor.observedAt, cursor.eventId, cursor.cameraId])).toString("base64url");
}

export function decodeCursor(value: unknown): DetectionCursor | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    const [observedAt, eventId, cameraId = ""] = JSON.parse(
      Buffer.from(String(value), "base64url").toString("utf8"),
    ) as unknown[];
    // A cursor given out before the camera was part of it ([time, id]) resumes before every camera of that time and
    // id: it may show one detection again, never skip one.
    if (
      typeof observedAt === "string" &&
      !Number.isNaN(Date.parse(observedAt)) &&
      typeof eventId === "string" &&
      typeof cameraId === "string"
    )
      return { observedAt, eventId, cameraId };
  } catch {
    // Reported below.
  }
  throw new ValidationError("query.cursor", "is not a cursor this API gave out");
}

export function purposeOf(value: unknown, field: string): string {
  return parseInput(purposeSchema, value, field);
}

/**
 * The case a look at a stored lookup serves. A lookup id can be shared within a team, so the id alone says nothing
 * about why someone else looks: its creator may omit the case reference (the lookup's own is meant), any other
 * investigator must name theirs, and the audit entry records it (with the lookup's own beside it, for the link).
 * Refusing reuse would only push colleagues to repeat the search (a second case-assist record of the same people);
 * accepting it under the lookup's case reference would file one investigator's access under another's case.
 */
export function caseReferenceFor(user: Principal, lookup: StoredLookup, given: unknown, field: string): string {
  if (given !== undefined && given !== "") return parseInput(caseReferenceSchema, given, field);
  if (lookup.createdBy === user.username) return lookup.caseReference;
  throw new ValidationError(
    field,
    `lookup ${lookup.id} was made by another investigator: name the case reference this look serves`,
  );
}

/** Audit detail linking a look by someone else, or under another case, to the lookup's own case and creator. */
export function lookupLink(
  user: Principal,
  lookup: StoredLookup,
  caseReference: string,
): { detail?: Record<string, unknown> } {
  if (user.username === lookup.createdBy && caseReference === lookup.caseReference) return {};
  return { detail: { lookupCaseReference: lookup.caseReference, lookupBy: lookup.createdBy } };
}

/**
 * Police case lookups. Only investigators; every search, page view and export names a case reference and a purpose
 * and leaves one audit entry (also when nothing is found). A search stores a case-assist record (computed by the
 * correlator: cameras whose field of view covered the area and were online) and its criteria; its pages are
 * keyset-paginated over the matching detections of those cameras, oldest first.
 */
export class CaseService {
  constructor(
    private readonly deps: {
      cases: CasesRepository;
      correlator: CorrelatorGateway;
      audit: AuditRepository;
      maxWindowHours: number;
    },
  ) {}

  async search(user: Principal, body: unknown, sourceIp?: string): Promise<CaseSearchResult> {
    AuthService.require(user, "investigator");
    const { request, from, to } = validateCaseSearch(body, this.deps.maxWindowHours);
    let area: CaseArea | undefined = request.area;
    if (request.incidentId) {
      const place = await this.deps.cases.incidentPlace(request.incidentId);
      if (!place) throw new NotFoundError("body.incidentId", `no incident ${request.incidentId}`);
      area ??= { circle: { lat: place.lat, lon: place.lon, radiusM: INCIDENT_RADIUS_M } };
    }
    const recordId = await this.deps.correlator.createCaseAssist({
      area: area as CaseArea,
      from,
      to,
      requestedBy: user.username,
      caseReference: request.caseReference,
      ...(request.incidentId ? { incidentId: request.incidentId } : {}),
    });
    await this.deps.cases.saveLookup({
      id: recordId,
      caseReference: request.caseReference,
      criteria: { ...request, ...(area ? { area } : {}) },
      createdBy: user.username,
    });
    const lookup = (await this.deps.cases.lookup(recordId)) as StoredLookup;
    const result = await this.page(lookup, request.limit ?? DEFAULT_LIMIT);
    await this.deps.cases.saveSummary(recordId, result.detections.total, result.plates);
    await this.deps.audit.record({
      actor: user.username,
      action: "case.search",
      subject: recordId,
      personalData: true,
      caseReference: request.caseReference,
      purpose: request.purpose,
      criteria: request,
      resultCount: result.detections.total,
      detail: {
        cameras: result.cameras.length,
        plates: result.plates.length,
        incidentPlates: incidentPlatesShown(result),
      },
      sourceIp,
    });
    return result;
  }

  /** A further page of a stored lookup (or its first page again), for the purpose given. */
  async view(
    user: Principal,
    id: string,
    query: { purpose?: unknown; caseReference?: unknown; cursor?: unknown; limit?: unknown },
    sourceIp?: string,
  ): Promise<CaseSearchResult> {
    AuthService.require(user, "investigator");
    if (!isUuid(id)) throw new ValidationError("params.id", "must be a lookup id (UUID)");
    const purpose = purposeOf(query.purpose, "query.purpose");
    const cursor = decodeCursor(query.cursor);
    const limit = parseInput(caseRecordQuerySchema.shape.limit, query.limit, "query.limit") ?? DEFAULT_LIMIT;
    const lookup = await this.deps.cases.lookup(id);
    if (!lookup) throw new NotFoundError("params.id", `no case lookup ${id}`);
    const caseReference = caseReferenceFor(user, lookup, query.caseReference, "query.caseReference");
    const result = await this.page(lookup, limit, cursor);
    await this.deps.audit.record({
      actor: user.username,
      action: "case.view",
      subject: id,
      personalData: true,
      caseReference,
      purpose,
      criteria: { ...(cursor ? { cursor: encodeCursor(cursor) } : {}), limit },
      resultCount: result.detections.items.length,
      ...viewDetail(incidentPlatesShown(result), lookupLink(user, lookup, caseReference).detail),
      sourceIp,
    });
    return result;
  }

  /** The stored lookup and the filter of its detections (for exports). */
  async lookup(id: string): Promise<{ lookup: StoredLookup; filter: DetectionFilter }> {
    if (!isUuid(id)) throw new ValidationError("params.id", "must be a lookup id (UUID)");
    const lookup = await this.deps.cases.lookup(id);
    if (!lookup) throw new NotFoundError("params.id", `no case lookup ${id}`);
    return { lookup, filter: filterOf(lookup) };
  }

  /**
   * The lookup's incidents with the plates of their evidence, the incident it was made for first if its window or
   * area left it out: how an investigator gets from a watch-list incident (which names only a reference) to the
   * plate, with the lookup's case reference and purpose, in the audited search or view.
   */
  private async incidentsWithPlates(
    lookup: StoredLookup,
    incidents: Omit<CaseIncident, "plates">[],
  ): Promise<CaseIncident[]> {
    const requested = lookup.criteria.incidentId;
    const all = [...incidents];
    if (requested && !all.some((incident) => incident.id === requested)) {
      const incident = await this.deps.cases.caseIncident(requested);
      if (incident) all.unshift(incident);
    }
    const plates = await this.deps.cases.incidentPlates(all.map((incident) => incident.id));
    return all.map((incident) => ({ ...incident, plates: plates.get(incident.id) ?? [] }));
  }

  private async page(lookup: StoredLookup, limit: number, after?: DetectionCursor): Promise<CaseSearchResult> {
    const filter = filterOf(lookup);
    const any = filter.cameraIds.length > 0;
    // The total and plates are counted once, at search time; later pages only read detections (bench:lookup
    // showed the count and plate aggregation dominating page times on dense data).
    const [rows, total, plates] = await Promise.all([
      any ? this.deps.cases.detections(filter, limit + 1, after) : Promise.resolve([]),
      lookup.summary ? lookup.summary.total : any ? this.deps.cases.count(filter) : Promise.resolve(0),
      lookup.summary ? lookup.summary.plates : any ? this.deps.cases.plates(filter) : Promise.resolve([]),
    ]);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const view = recordView(lookup, filter);
    return {
      ...view,
      incidents: await this.incidentsWithPlates(lookup, view.incidents),
      detections: {
        items,
        total,
        nextCursor:
          rows.length > limit && last
            ? encodeCursor({ observedAt: last.observedAt, eventId: last.eventId, cameraId: last.cameraId })
            : null,
      },
      plates,
    };
  }
}

/** The incidents whose evidence plates a result shows, with how many: recorded in the audit entry. */
/** A page view's audit detail: the incidents whose plates it showed, and whose lookup it was when not the viewer's. */
function viewDetail(
  incidentPlates: Record<string, number>,
  link: Record<string, unknown> | undefined,
): { detail?: Record<string, unknown> } {
  const detail = { ...(Object.keys(incidentPlates).length > 0 ? { incidentPlates } : {}), ...link };
  return Object.keys(detail).length > 0 ? { detail } : {};
}

function incidentPlatesShown(result: CaseSearchResult): Record<string, number> {
  return Object.fromEntries(
    result.incidents.filter((incident) => incident.plates.length > 0).map((i) => [i.id, i.plates.length]),
  );
}

/** What a result says about the lookup itself: its criteria, and the cameras and clips its filter keeps. */
export function recordView(
  lookup: StoredLookup,
  filter: DetectionFilter,
): Omit<CaseSearchResult, "detections" | "plates" | "incidents"> & { incidents: Omit<CaseIncident, "plates">[] } {
  return {
    recordId: lookup.id,
    caseReference: lookup.caseReference,
    criteria: lookup.criteria,
    createdAt: lookup.createdAt,
    createdBy: lookup.createdBy,
    cameras: lookup.cameras.filter((camera) => filter.cameraIds.includes(camera.id)),
    clips: lookup.clips.filter((clip) => filter.cameraIds.includes(clip.cameraId)),
    incidents: lookup.incidents,
  };
}

function filterOf(lookup: StoredLookup): DetectionFilter {
  const { criteria } = lookup;
  const covering = lookup.cameras.map((camera) => camera.id);
  return {
    cameraIds: criteria.cameraIds ? covering.filter((id) => criteria.cameraIds?.includes(id)) : covering,
    from: new Date(criteria.window.from),
    to: new Date(criteria.window.to),
    objectClasses: criteria.objectClasses,
    ruleTypes: criteria.ruleTypes,
    plate: criteria.plate,
  };
}
