import { randomUUID } from "node:crypto";
import { distanceMetres, isUuid, NotFoundError, ValidationError } from "@hub/common";
import type { CaseAssistRepository, LatLonBox } from "../repositories/case-assist.repository.js";
import {
  type Area,
  areaBoundingRadiusM,
  areaCenter,
  type CameraView,
  coveredFraction,
  coveredShareOfWindow,
  type LatLon,
  pointInArea,
  type TimeWindow,
  untilDecommissioned,
  viewCoversArea,
  viewingIntervals,
} from "./coverage.js";

/**
 * Case assist: for an area and a time window (an incident, a police case), which cameras could see the area, for
 * how much of the window they were working, what they detected, which plates they read, which video to pull, and
 * which incidents happened there. The result is stored with its inputs in `case_assist_records` (kept outside any
 * retention policy), so that it can be produced again and audited.
 *
 * A camera is in the result when its field-of-view sector overlaps the area (`viewCoversArea`: any overlap, line of
 * sight not modelled) and it was online or degraded for some of the window (`coveredShareOfWindow` > 0, from its
 * status reports in the window and its last report before; a camera that never reported counts as not working).
 * Time windows include both bounds.
 */

/** A request as it arrives (times as Dates or ISO 8601 strings). */
export interface CaseAssistRequest {
  window: { from: Date | string; to: Date | string };
  area: Area;
  requestedBy: string;
  caseReference?: string | undefined;
  incidentId?: string | undefined;
}

/** A validated request. */
export interface CaseAssistInput {
  window: TimeWindow;
  area: Area;
  requestedBy: string;
  caseReference?: string;
  incidentId?: string;
}

export interface CaseAssistLimits {
  /** Longest window, milliseconds (default 24 h). */
  maxWindowMs: number;
  /** Smallest and largest circle radius, and largest polygon extent from its centre, metres (default 1..5000). */
  minRadiusM: number;
  maxRadiusM: number;
  /** Polygon vertex count bounds (default 3..200). */
  minPolygonPoints: number;
  maxPolygonPoints: number;
  /** Most detections listed in a record (default 5000; plates are counted over all of them). */
  maxDetections: number;
  /**
   * Most cameras, plates, clips and incidents listed, and camera ids per plate (defaults 2000, 1000, 10000, 1000,
   * 20): with them a record is bounded, and fits the gateway-correlator message limit (CORRELATOR_MAX_MESSAGE_BYTES,
   * checked by case-assist.message.test.ts). A list cut short says so (`…Truncated`).
   */
  maxCameras: number;
  maxPlates: number;
  maxClips: number;
  maxIncidents: number;
  maxCamerasPerPlate: number;
  /** Search distance for cameras beyond the area's bounding circle: at least the longest camera range (2000 m). */
  cameraSearchMarginM: number;
  /** Grid size for `coveredFraction` (samples x samples). */
  coverageSamples: number;
}

export const DEFAULT_CASE_ASSIST_LIMITS: CaseAssistLimits = {
  maxWindowMs: 24 * 60 * 60 * 1000,
  minRadiusM: 1,
  maxRadiusM: 5000,
  minPolygonPoints: 3,
  maxPolygonPoints: 200,
  maxDetections: 5000,
  maxCameras: 2000,
  maxPlates: 1000,
  maxClips: 10_000,
  maxIncidents: 1000,
  maxCamerasPerPlate: 20,
  cameraSearchMarginM: 2000,
  coverageSamples: 40,
};

export interface CaseAssistCamera {
  id: string;
  name: string;
  siteId: string;
  district: string;
  position: LatLon;
  bearingDeg: number;
  angleDeg: number;
  rangeM: number;
  /** From the camera to the area's centre. */
  distanceM: number;
  /** Share of the area inside the field of view (grid estimate, 0..1). */
  coveredFraction: number;
  /** Share of the window the camera was online or degraded (0..1). */
  onlineShare: number;
}

export interface CaseAssistDetection {
  eventId: string;
  cameraId: string;
  observedAt: string;
  objectClass: string;
  confidence: number;
  trackId: string | null;
  plateText: string | null;
  plateRegion: string | null;
  plateConfidence: number | null;
  ruleType: string | null;
  ruleName: string | null;
}

export interface CaseAssistPlate {
  plateText: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  /** The first `maxCamerasPerPlate` of them, by id; `cameraCount` says how many there were. */
  cameraIds: string[];
  cameraCount?: number;
}

/** Video to retrieve: the window clipped to when the camera was working, as merged intervals. */
export interface ClipReference {
  cameraId: string;
  from: string;
  to: string;
}

export interface CaseAssistIncident {
  id: string;
  ruleId: string;
  kind: string;
  severity: string;
  status: string;
  title: string;
  position: LatLon;
  firstEventAt: string;
  lastEventAt: string;
}

/** The stored result: JSON only (times as ISO 8601 strings), identical when read back. */
export interface CaseAssistResult {
  /** Ordered by coveredFraction x onlineShare, best first, then by id. */
  cameras: CaseAssistCamera[];
  camerasTruncated?: boolean;
  /** In time order; at most `maxDetections`. */
  detections: CaseAssistDetection[];
  detectionsTruncated: boolean;
  /** Ordered by first sighting. */
  plates: CaseAssistPlate[];
  platesTruncated?: boolean;
  /** Ordered by camera id, then time. */
  clips: ClipReference[];
  clipsTruncated?: boolean;
  /** Incidents placed in the area whose event span overlaps the window, by first event. */
  incidents: CaseAssistIncident[];
  incidentsTruncated?: boolean;
}

/** The validated input as stored (times as ISO 8601 strings). */
export interface CaseAssistInputJson {
  window: { from: string; to: string };
  area: Area;
  requestedBy: string;
  caseReference?: string;
  incidentId?: string;
}

export interface CaseAssistRecord {
  id: string;
  incidentId: string | null;
  caseReference: string | null;
  requestedBy: string;
  window: TimeWindow;
  area: Area;
  inputs: CaseAssistInputJson;
  result: CaseAssistResult;
  createdAt: Date;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseTime(value: unknown, field: string): Date {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (!date || !Number.isFinite(date.getTime())) throw new ValidationError(field, "must be a valid time");
  return new Date(date.getTime());
}

function parseLatLon(value: unknown, field: string): LatLon {
  if (!isObject(value)) throw new ValidationError(field, "is required");
  const { lat, lon } = value;
  if (typeof lat !== "number" || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new ValidationError(`${field}.lat`, "must be a number from -90 to 90");
  }
  if (typeof lon !== "number" || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    throw new ValidationError(`${field}.lon`, "must be a number from -180 to 180");
  }
  return { lat, lon };
}

function parseArea(value: unknown, limits: CaseAssistLimits): Area {
  if (!isObject(value)) throw new ValidationError("area", "is required");
  if (value.kind === "circle") {
    const center = parseLatLon(value.center, "area.center");
    const radiusM = value.radiusM;
    if (
      typeof radiusM !== "number" ||
      !Number.isFinite(radiusM) ||
      radiusM < limits.minRadiusM ||
      radiusM > limits.maxRadiusM
    ) {
      throw new ValidationError("area.radiusM", `must be from ${limits.minRadiusM} to ${limits.maxRadiusM} metres`);
    }
    return { kind: "circle", center, radiusM };
  }
  if (value.kind === "polygon") {
    if (!Array.isArray(value.ring)) throw new ValidationError("area.ring", "must be a list of positions");
    const ring = value.ring.map((point, index) => parseLatLon(point, `area.ring.${index}`));
    const first = ring[0];
    const last = ring[ring.length - 1];
    const open = ring.length > 1 && first && last && first.lat === last.lat && first.lon === last.lon;
    const points = open ? ring.slice(0, -1) : ring;
    if (points.length < limits.minPolygonPoints || points.length > limits.maxPolygonPoints) {
      throw new ValidationError(
        "area.ring",
        `must have ${limits.minPolygonPoints} to ${limits.maxPolygonPoints} distinct positions`,
      );
    }
    const area: Area = { kind: "polygon", ring: points };
    if (areaBoundingRadiusM(area) > limits.maxRadiusM) {
      throw new ValidationError("area.ring", `must lie within ${limits.maxRadiusM} metres of its centre`);
    }
    if (areaBoundingRadiusM(area) < limits.minRadiusM) {
      throw new ValidationError("area.ring", `must extend at least ${limits.minRadiusM} metres from its centre`);
    }
    return area;
  }
  throw new ValidationError("area.kind", 'must be "circle" or "polygon"');
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError(field, "must be a non-empty string");
  if (value.length > 200) throw new ValidationError(field, "must be at most 200 characters");
  return value;
}

/** Checks a request and returns it normalised; throws ValidationError naming the field. */
export function validateCaseAssistRequest(
  request: unknown,
  limits: CaseAssistLimits = DEFAULT_CASE_ASSIST_LIMITS,
): CaseAssistInput {
  if (!isObject(request)) throw new ValidationError("request", "must be an object");
  if (!isObject(request.window)) throw new ValidationError("window", "is required");
  const from = parseTime(request.window.from, "window.from");
  const to = parseTime(request.window.to, "window.to");
  if (to.getTime() <= from.getTime()) throw new ValidationError("window.to", "must be after window.from");
  if (to.getTime() - from.getTime() > limits.maxWindowMs) {
    throw new ValidationError("window.to", `window must be at most ${limits.maxWindowMs / 3_600_000} hours long`);
  }
  const area = parseArea(request.area, limits);
  const requestedBy = optionalText(request.requestedBy, "requestedBy");
  if (requestedBy === undefined) throw new ValidationError("requestedBy", "is required");
  const caseReference = optionalText(request.caseReference, "caseReference");
  const incidentId = optionalText(request.incidentId, "incidentId");
  if (incidentId !== undefined && !isUuid(incidentId)) throw new ValidationError("incidentId", "must be a UUID");
  return {
    window: { from, to },
    area,
    requestedBy,
    ...(caseReference === undefined ? {} : { caseReference }),
    ...(incidentId === undefined ? {} : { incidentId: incidentId.toLowerCase() }),
  };
}

/** A lat/lon box holding every point within `radiusM` of `center` (not for use across the poles or 180°). */
export function boundingBox(center: LatLon, radiusM: number): LatLonBox {
  const dLat = (radiusM / 6_371_008.8) * (180 / Math.PI);
  const cosLat = Math.max(Math.cos(((Math.abs(center.lat) + dLat) * Math.PI) / 180), 1e-6);
  const dLon = dLat / cosLat;
  return { minLat: center.lat - dLat, maxLat: center.lat + dLat, minLon: center.lon - dLon, maxLon: center.lon + dLon };
}

const iso = (date: Date): string => date.toISOString();

function inputsJson(input: CaseAssistInput): CaseAssistInputJson {
  return {
    window: { from: iso(input.window.from), to: iso(input.window.to) },
    area: input.area,
    requestedBy: input.requestedBy,
    ...(input.caseReference === undefined ? {} : { caseReference: input.caseReference }),
    ...(input.incidentId === undefined ? {} : { incidentId: input.incidentId }),
  };
}

export class CaseAssistService {
  private readonly limits: CaseAssistLimits;

  constructor(
    private readonly repository: CaseAssistRepository,
    limits: Partial<CaseAssistLimits> = {},
  ) {
    this.limits = { ...DEFAULT_CASE_ASSIST_LIMITS, ...limits };
  }

  /** Validates the request, computes the record, stores it and returns it as stored. */
  async create(request: CaseAssistRequest): Promise<CaseAssistRecord> {
    const input = validateCaseAssistRequest(request, this.limits);
    if (input.incidentId !== undefined && !(await this.repository.incidentExists(input.incidentId))) {
      throw new NotFoundError("incidentId", "no such incident");
    }
    const result = await this.compute(input);
    const stored = await this.repository.insert({
      id: randomUUID(),
      incidentId: input.incidentId,
      caseReference: input.caseReference,
      requestedBy: input.requestedBy,
      window: input.window,
      area: input.area,
      inputs: inputsJson(input),
      result,
    });
    return stored as CaseAssistRecord;
  }

  /** A stored record, or undefined. */
  async get(id: string): Promise<CaseAssistRecord | undefined> {
    if (!isUuid(id)) return undefined;
    return (await this.repository.get(id)) as CaseAssistRecord | undefined;
  }

  /** The result for a validated input, without storing it. */
  async compute(input: CaseAssistInput): Promise<CaseAssistResult> {
    const { area, window } = input;
    const center = areaCenter(area);
    const boundingRadius = areaBoundingRadiusM(area);

    const candidates = await this.repository.camerasInBox(
      boundingBox(center, boundingRadius + this.limits.cameraSearchMarginM),
    );
    const covering = candidates
      .map((camera) => ({
        camera,
        view: {
          id: camera.id,
          position: { lat: camera.lat, lon: camera.lon },
          bearingDeg: camera.bearingDeg,
          angleDeg: camera.angleDeg,
          rangeM: camera.rangeM,
        } satisfies CameraView,
      }))
      .filter(({ view }) => viewCoversArea(view, area));

    const history = await this.repository.statusHistory(
      covering.map(({ camera }) => camera.id),
      window,
    );
    const cameras: CaseAssistCamera[] = [];
    const clips: ClipReference[] = [];
    for (const { camera, view } of covering) {
      const changes = untilDecommissioned(history.changes.get(camera.id) ?? [], camera.decommissionedAt);
      const before = history.before.get(camera.id);
      const onlineShare = coveredShareOfWindow(changes, before, window);
      if (onlineShare <= 0) continue;
      cameras.push({
        id: camera.id,
        name: camera.name,
        siteId: camera.siteId,
        district: camera.district,
        position: view.position,
        bearingDeg: camera.bearingDeg,
        angleDeg: camera.angleDeg,
        rangeM: camera.rangeM,
        distanceM: distanceMetres(view.position, center),
        coveredFraction: coveredFraction(view, area, this.limits.coverageSamples),
        onlineShare,
      });
      for (const interval of viewingIntervals(changes, before, window)) {
        clips.push({ cameraId: camera.id, from: iso(interval.from), to: iso(interval.to) });
      }
    }
    cameras.sort(
      (a, b) =>
        b.coveredFraction * b.onlineShare - a.coveredFraction * a.onlineShare ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    clips.sort((a, b) => (a.cameraId < b.cameraId ? -1 : a.cameraId > b.cameraId ? 1 : a.from.localeCompare(b.from)));

    const limits = this.limits;
    const listed = cameras.slice(0, limits.maxCameras);
    const listedIds = new Set(listed.map((camera) => camera.id));
    const listedClips = clips.filter((clip) => listedIds.has(clip.cameraId));
    // Detections and plates come from every covering camera, listed or not.
    const cameraIds = cameras.map((camera) => camera.id);
    const detections = await this.repository.detections(cameraIds, window, limits.maxDetections);
    const plates = await this.repository.plates(cameraIds, window, limits.maxPlates);
    const incidents = (await this.repository.incidentsInBox(boundingBox(center, boundingRadius), window)).filter(
      (incident) => pointInArea(area, { lat: incident.lat, lon: incident.lon }),
    );

    return {
      cameras: listed,
      ...(cameras.length > listed.length ? { camerasTruncated: true } : {}),
      detections: detections.rows.map((row) => ({ ...row, observedAt: iso(row.observedAt) })),
      detectionsTruncated: detections.truncated,
      plates: plates.rows.map((plate) => ({
        ...plate,
        firstSeen: iso(plate.firstSeen),
        lastSeen: iso(plate.lastSeen),
        cameraIds: plate.cameraIds.slice(0, limits.maxCamerasPerPlate),
        ...(plate.cameraIds.length > limits.maxCamerasPerPlate ? { cameraCount: plate.cameraIds.length } : {}),
      })),
      ...(plates.truncated ? { platesTruncated: true } : {}),
      clips: listedClips.slice(0, limits.maxClips),
      ...(listedClips.length > limits.maxClips ? { clipsTruncated: true } : {}),
      ...(incidents.length > limits.maxIncidents ? { incidentsTruncated: true } : {}),
      incidents: incidents.slice(0, limits.maxIncidents).map((incident) => ({
        id: incident.id,
        ruleId: incident.ruleId,
        kind: incident.kind,
        severity: incident.severity,
        status: incident.status,
        title: incident.title,
        position: { lat: incident.lat, lon: incident.lon },
        firstEventAt: iso(incident.firstEventAt),
        lastEventAt: iso(incident.lastEventAt),
      })),
    };
  }
}
