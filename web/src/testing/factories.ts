import type {
  AlertView,
  CameraStatusChange,
  CameraView,
  CaseCamera,
  CaseDetection,
  CaseSearchResult,
  Counters,
  ExportJob,
  IncidentView,
  SensorReadingView,
  Snapshot,
} from "@hub/contracts";

/** Test data builders: sensible defaults, override what the test is about. */
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

export const T0 = Date.parse("2025-06-01T08:00:00.000Z");
export const iso = (ms: number): string => new Date(ms).toISOString();

export function newCamera(overrides: Partial<CameraView> = {}): CameraView {
  return {
    id: nextId("cam"),
    name: "Avenida de Almeida Ribeiro 1",
    district: "Sé",
    phase: 1,
    lat: 22.1937,
    lon: 113.5399,
    bearingDeg: 90,
    fovAngleDeg: 60,
    rangeM: 80,
    state: "online",
    lastStatusAt: iso(T0),
    version: T0,
    ...overrides,
  };
}

export function newStatusChange(camera: CameraView, overrides: Partial<CameraStatusChange> = {}): CameraStatusChange {
  const version = overrides.version ?? camera.version + 1000;
  return {
    cameraId: camera.id,
    state: "offline",
    reason: "signal_loss",
    observedAt: iso(version),
    version,
    ...overrides,
  };
}

export function newIncident(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    id: nextId("inc"),
    ruleId: "fire-smoke",
    kind: "fire",
    severity: "severe",
    status: "open",
    title: "Fire near Senado Square",
    titles: { "zh-Hant": "議事亭前地附近火警", pt: "Incêndio perto do Largo do Senado", en: "Fire near Senado Square" },
    lat: 22.1935,
    lon: 113.5402,
    firstEventAt: iso(T0),
    lastEventAt: iso(T0),
    openedAt: iso(T0),
    updatedAt: iso(T0),
    evidenceCount: 2,
    version: 1,
    ...overrides,
  };
}

export function newAlert(overrides: Partial<AlertView> = {}): AlertView {
  const text = { "zh-Hant": "八號風球", pt: "Sinal n.º 8", en: "Typhoon Signal No. 8" };
  return {
    id: nextId("alert"),
    event: text,
    headline: text,
    category: "Met",
    severity: "severe",
    urgency: "Immediate",
    certainty: "Observed",
    sent: iso(T0),
    expires: null,
    state: "active",
    areas: [
      {
        description: { "zh-Hant": "內港", pt: "Porto Interior", en: "Inner Harbour" },
        polygons: [
          [
            [113.53, 22.19],
            [113.54, 22.19],
            [113.54, 22.2],
            [113.53, 22.19],
          ],
        ],
      },
    ],
    version: 1,
    ...overrides,
  };
}

export function newReading(overrides: Partial<SensorReadingView> = {}): SensorReadingView {
  return {
    sensorId: nextId("sensor"),
    name: "Inner Harbour gauge",
    lat: 22.195,
    lon: 113.535,
    kind: "water_level",
    value: -1.2,
    unit: "m",
    observedAt: iso(T0),
    version: T0,
    ...overrides,
  };
}

export function newCounters(overrides: Partial<Counters> = {}): Counters {
  return {
    at: iso(T0),
    eventsPerSecond: 1200,
    detectionsPerSecond: 1100,
    camerasOnline: 1690,
    camerasTotal: 1701,
    openIncidents: 3,
    ...overrides,
  };
}

export function newSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    area: "city",
    takenAt: iso(T0),
    cameras: [],
    incidents: [],
    alerts: [],
    sensors: [],
    counters: newCounters(),
    ...overrides,
  };
}

export function newCaseCamera(overrides: Partial<CaseCamera> = {}): CaseCamera {
  return {
    id: nextId("cam"),
    name: "Largo do Senado 3",
    district: "Sé",
    lat: 22.1937,
    lon: 113.5399,
    bearingDeg: 180,
    fovAngleDeg: 70,
    rangeM: 90,
    coveredFraction: 0.42,
    onlineShare: 0.97,
    ...overrides,
  };
}

export function newCaseDetection(overrides: Partial<CaseDetection> = {}): CaseDetection {
  return {
    eventId: nextId("evt"),
    cameraId: "cam-1",
    observedAt: iso(T0),
    objectClass: "vehicle",
    confidence: 0.91,
    plateText: "MK-12-34",
    ruleType: null,
    trackId: null,
    snapshot: false,
    ...overrides,
  };
}

export function newCaseResult(overrides: Partial<CaseSearchResult> = {}): CaseSearchResult {
  return {
    recordId: "4f7c2a10-5d3b-4a8e-9c61-0b2d3e4f5a6b",
    caseReference: "PJ-2026-004512",
    criteria: {
      caseReference: "PJ-2026-004512",
      purpose: "Robbery near Senado Square",
      window: { from: iso(T0), to: iso(T0 + 3600_000) },
      area: { circle: { lat: 22.1937, lon: 113.5399, radiusM: 300 } },
    },
    createdAt: iso(T0 + 7200_000),
    createdBy: "investigator",
    cameras: [],
    detections: { items: [], total: 0, nextCursor: null },
    plates: [],
    clips: [],
    incidents: [],
    ...overrides,
  };
}

export function newExportJob(overrides: Partial<ExportJob> = {}): ExportJob {
  return {
    id: nextId("export"),
    recordId: "4f7c2a10-5d3b-4a8e-9c61-0b2d3e4f5a6b",
    state: "running",
    progress: 0,
    bytes: null,
    sha256: null,
    error: null,
    createdAt: iso(T0),
    ...overrides,
  };
}
