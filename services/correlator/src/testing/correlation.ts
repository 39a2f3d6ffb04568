import { distanceMetres, h3Cell } from "@hub/common";
import {
  CLOSED_STATUSES,
  type IncidentRow,
  incidentId,
  type NewIncident,
} from "../repositories/incident.repository.js";
import {
  type CorrelationObserver,
  type CorrelationStore,
  type IncidentChanges,
  maintenanceKey,
  type PlateSighting,
  type SilentCamera,
  type WatchList,
  type WatchListHit,
} from "../services/correlation.service.js";
import { type EventRow, eventKey } from "../services/records.js";
import { type RuleSet, rulesFileSchema, type Severity, watchListKey } from "../services/rules.js";

/**
 * Test data and in-memory ports for CorrelationService: events placed in metres around a point in Macao and timed in
 * seconds from T0, rules in the shapes of rules/rules.v1.json, and an incident store that keeps everything in maps.
 */

const ORIGIN = { lat: 22.19, lon: 113.54 };
const M_PER_DEG = 6_371_008.8 * (Math.PI / 180);
export const T0 = new Date("2026-06-01T08:00:00Z");

/** The point `east` and `north` metres from the origin. */
export function place(east: number, north: number): { lat: number; lon: number } {
  return {
    lat: ORIGIN.lat + north / M_PER_DEG,
    lon: ORIGIN.lon + east / (M_PER_DEG * Math.cos((ORIGIN.lat * Math.PI) / 180)),
  };
}

/** T0 plus `s` seconds. */
export const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

let sequence = 0;
function nextId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${String(sequence).padStart(6, "0")}`;
}

/** Where and when an event happened; `lagS` is how long after it was observed it was ingested. */
interface Placement {
  east?: number;
  north?: number;
  s?: number;
  lagS?: number;
}

function located(p: Placement) {
  const position = place(p.east ?? 0, p.north ?? 0);
  const observedAt = at(p.s ?? 0);
  return {
    eventId: nextId("evt"),
    observedAt,
    ingestedAt: new Date(observedAt.getTime() + (p.lagS ?? 1) * 1000),
    siteId: "site-test",
    lat: position.lat,
    lon: position.lon,
    h3Cell: h3Cell(position.lat, position.lon),
  };
}

export function detection(
  p: Placement & {
    camera?: string;
    objectClass?: string;
    confidence?: number;
    rule?: { type: string; count?: number };
    plate?: string;
  } = {},
): EventRow {
  return {
    kind: "detection",
    row: {
      ...located(p),
      cameraId: p.camera ?? "cam-1",
      objectClass: p.objectClass ?? "person",
      confidence: p.confidence ?? 0.9,
      box: undefined,
      trackId: null,
      attributes: null,
      plate: p.plate ? { text: p.plate, region: "MO", confidence: 0.9 } : undefined,
      rule: p.rule ? { type: p.rule.type, name: p.rule.type, count: p.rule.count ?? 0, dwellSeconds: 0 } : undefined,
    },
  };
}

export function reading(p: Placement & { sensor?: string; kind: string; value: number }): EventRow {
  return {
    kind: "sensor_reading",
    row: {
      ...located(p),
      sensorId: p.sensor ?? "sensor-1",
      datastreamId: `${p.sensor ?? "sensor-1"}-${p.kind}`,
      kind: p.kind,
      value: p.value,
      unit: "",
    },
  };
}

export function cameraStatus(
  p: Placement & { camera?: string; state?: string; signalLoss?: boolean; sceneChange?: boolean } = {},
): EventRow {
  return {
    kind: "camera_status",
    row: {
      ...located(p),
      cameraId: p.camera ?? "cam-1",
      state: p.state ?? "online",
      degradationReason: null,
      detail: null,
      signalLoss: p.signalLoss ?? false,
      sceneChange: p.sceneChange ?? false,
    },
  };
}

/** The shipped rules' shapes (rules/rules.v1.json), one builder per form, validated by the rules file schema. */
export const rule = {
  fire: () => ({
    id: "fire",
    kind: "fire",
    titles: { "zh-Hant": "Fire (zh)", pt: "Fire (pt)", en: "Fire" },
    form: "co_occurrence",
    radiusM: 150,
    windowS: 120,
    severity: "extreme",
    require: [
      { any: [{ source: "detection", objectClasses: ["fire", "smoke"], minConfidence: 0.6 }] },
      {
        any: [
          { source: "sensor_reading", kinds: ["smoke"], above: 5 },
          { source: "sensor_reading", kinds: ["temperature"], above: 57 },
        ],
      },
    ],
  }),
  flood: () => ({
    id: "flood-sensors",
    kind: "flood",
    titles: { "zh-Hant": "Flooding (zh)", pt: "Flooding (pt)", en: "Flooding" },
    form: "threshold",
    radiusM: 800,
    windowS: 600,
    match: { source: "sensor_reading", kinds: ["water_level"], above: 0.2 },
    minCount: 2,
    distinctSources: 2,
    severity: "moderate",
    severityBy: {
      kinds: ["water_level"],
      steps: [
        [0.5, "severe"],
        [1.5, "extreme"],
      ],
    },
  }),
  crowd: () => ({
    id: "crowd",
    kind: "crowd",
    titles: { "zh-Hant": "Crowd (zh)", pt: "Crowd (pt)", en: "Crowd" },
    form: "threshold",
    radiusM: 250,
    windowS: 600,
    match: { source: "detection", ruleTypes: ["crowd_count"], minCount: 2000 },
    minCount: 3,
    minSpanS: 120,
    severity: "severe",
  }),
  cameraFault: () => ({
    id: "camera-fault",
    kind: "camera_fault",
    titles: { "zh-Hant": "Camera fault (zh)", pt: "Camera fault (pt)", en: "Camera fault" },
    form: "single",
    radiusM: 1,
    windowS: 3600,
    match: { source: "camera_status", fault: true },
    severity: "minor",
  }),
  cameraSilent: () => ({
    id: "camera-silent",
    kind: "camera_fault",
    titles: {
      "zh-Hant": "Camera fault: no heartbeat (zh)",
      pt: "Camera fault: no heartbeat (pt)",
      en: "Camera fault: no heartbeat",
    },
    form: "absence",
    silenceS: 300,
    severity: "minor",
  }),
  watchList: () => ({
    id: "watch-list",
    kind: "watch_list",
    titles: {
      "zh-Hant": "Watch-list vehicle seen (zh)",
      pt: "Watch-list vehicle seen (pt)",
      en: "Watch-list vehicle seen",
    },
    form: "single",
    radiusM: 1,
    windowS: 600,
    match: { source: "detection", watchListPlate: true },
    severity: "severe",
  }),
};

export function ruleSet(...rules: object[]): RuleSet {
  return rulesFileSchema.parse({ version: 1, latenessS: 120, rules });
}

/** The opaque transaction handle of the in-memory store: the service must pass back the one it was given. */
export interface MemoryTx {
  readonly name: string;
}

interface Camera {
  id: string;
  east: number;
  north: number;
  lastStatusAt: Date;
}

/** CorrelationStore over maps, with the semantics IncidentRepository has in SQL. */
export class MemoryIncidentStore implements CorrelationStore<MemoryTx> {
  readonly tx: MemoryTx = { name: "memory" };
  readonly events: EventRow[] = [];
  readonly incidents = new Map<string, IncidentRow>();
  /** Incident id → event id → late. */
  /** Per incident, its evidence by event key (site and event id), with the event id and whether it came late. */
  readonly evidence = new Map<string, Map<string, { eventId: string; late: boolean }>>();
  readonly late: { eventId: string; ruleId: string; reason: string }[] = [];
  /** Watch-listed plate → its reference (an active entry with no expiry in these tests). */
  readonly watched = new Map<string, string>();
  /** Recorded watch-list hits. */
  readonly hits: WatchListHit[] = [];
  readonly cameras = new Map<string, Camera>();
  /** The database clock, for silentCameras. */
  now: Date = T0;
  eventsNearCalls = 0;
  private opened = 0;

  /** Stores events, as the writer does before it correlates them. */
  store(events: EventRow[]): void {
    this.events.push(...events);
  }

  evidenceOf(id: string): string[] {
    return [...(this.evidence.get(id)?.values() ?? [])].map((link) => link.eventId).sort();
  }

  private check(tx: MemoryTx): void {
    if (tx !== this.tx) throw new Error("called outside the caller's transaction");
  }

  async watchList(tx: MemoryTx, sightings: PlateSighting[]): Promise<WatchList> {
    this.check(tx);
    return new Map(
      sightings.flatMap(({ plate, at }) => {
        const reference = this.watched.get(plate);
        return reference ? [[watchListKey(plate, at), { entryId: `entry-${reference}`, reference }] as const] : [];
      }),
    );
  }

  async recordWatchListHits(tx: MemoryTx, hits: WatchListHit[]): Promise<void> {
    this.check(tx);
    for (const hit of hits) {
      const known = this.hits.some(
        (h) => h.entryId === hit.entryId && h.siteId === hit.siteId && h.eventId === hit.eventId,
      );
      if (!known) this.hits.push(hit);
    }
  }

  async eventsNear(
    tx: MemoryTx,
    filter: Parameters<CorrelationStore<MemoryTx>["eventsNear"]>[1],
    cells: string[],
    from: Date,
    to: Date,
    limit = 5000,
  ): Promise<EventRow[]> {
    this.check(tx);
    this.eventsNearCalls += 1;
    const inCells = new Set(cells);
    return this.events
      .filter((event) => {
        if (!inCells.has(event.row.h3Cell)) return false;
        if (event.row.observedAt < from || event.row.observedAt > to) return false;
        if (event.kind === "detection") {
          const d = filter.detections;
          if (!d) return false;
          if (!d.objectClasses && !d.ruleTypes) return true;
          return (
            (d.objectClasses ?? []).includes(event.row.objectClass) ||
            (event.row.rule !== undefined && (d.ruleTypes ?? []).includes(event.row.rule.type))
          );
        }
        if (event.kind === "sensor_reading") {
          const r = filter.readings;
          return r !== undefined && (!r.kinds || r.kinds.includes(event.row.kind));
        }
        return false;
      })
      .sort((a, b) => a.row.observedAt.getTime() - b.row.observedAt.getTime())
      .slice(0, limit);
  }

  private open(ruleId: string, since: Date): IncidentRow[] {
    return [...this.incidents.values()]
      .filter((row) => row.rule_id === ruleId && !CLOSED_STATUSES.includes(row.status) && row.last_event_at >= since)
      .sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.id.localeCompare(b.id));
  }

  async findOpenNear(
    tx: MemoryTx,
    ruleId: string,
    position: { lat: number; lon: number },
    radiusM: number,
    since: Date,
  ): Promise<IncidentRow | undefined> {
    this.check(tx);
    return this.open(ruleId, since).find((row) => distanceMetres(row, position) <= radiusM);
  }

  async findOpenForSource(tx: MemoryTx, ruleId: string, source: string, since: Date): Promise<IncidentRow | undefined> {
    this.check(tx);
    return this.open(ruleId, since).find((row) => row.correlation_key.startsWith(`${source}@`));
  }

  async create(
    tx: MemoryTx,
    incident: NewIncident,
    firstEventAt: Date,
    lastEventAt: Date,
  ): Promise<{ row: IncidentRow; created: boolean }> {
    this.check(tx);
    let key = incident.correlationKey;
    for (;;) {
      const id = incidentId(incident.ruleId, key);
      const existing = this.incidents.get(id);
      if (existing && CLOSED_STATUSES.includes(existing.status)) {
        key = `${incident.correlationKey}+after:${id}`;
        continue;
      }
      if (existing) return { row: { ...existing }, created: false };
      this.opened += 1;
      const row: IncidentRow = {
        id,
        rule_id: incident.ruleId,
        rule_version: incident.ruleVersion,
        rule_definition_version: incident.definitionVersion ?? null,
        correlation_key: key,
        kind: incident.kind,
        severity: incident.severity,
        status: "open",
        title: incident.titles.en,
        titles: incident.titles,
        lat: incident.lat,
        lon: incident.lon,
        h3_cell: incident.h3Cell,
        first_event_at: firstEventAt,
        last_event_at: lastEventAt,
        opened_at: new Date(T0.getTime() + this.opened),
        updated_at: new Date(T0.getTime() + this.opened),
        version: 1,
      };
      this.incidents.set(id, row);
      return { row: { ...row }, created: true };
    }
  }

  async addEvidence(tx: MemoryTx, id: string, events: EventRow[], lateIds: ReadonlySet<string>): Promise<number> {
    this.check(tx);
    const links = this.evidence.get(id) ?? new Map<string, { eventId: string; late: boolean }>();
    this.evidence.set(id, links);
    let added = 0;
    for (const event of events) {
      if (links.has(eventKey(event.row))) continue;
      links.set(eventKey(event.row), { eventId: event.row.eventId, late: lateIds.has(eventKey(event.row)) });
      added += 1;
    }
    return added;
  }

  async update(
    tx: MemoryTx,
    id: string,
    change: { firstEventAt: Date; lastEventAt: Date; severity: Severity },
  ): Promise<IncidentRow> {
    this.check(tx);
    const row = this.incidents.get(id);
    if (!row) throw new Error(`no incident ${id}`);
    row.first_event_at = new Date(Math.min(change.firstEventAt.getTime(), row.first_event_at.getTime()));
    row.last_event_at = new Date(Math.max(change.lastEventAt.getTime(), row.last_event_at.getTime()));
    row.severity = change.severity;
    row.version += 1;
    return { ...row };
  }

  async recordLate(tx: MemoryTx, event: EventRow, ruleId: string, reason: string): Promise<void> {
    this.check(tx);
    this.late.push({ eventId: event.row.eventId, ruleId, reason });
  }

  /** Camera events under maintenance (maintenanceKey), as a test sets them. */
  maintained = new Set<string>();

  async inMaintenance(tx: MemoryTx, events: { cameraId: string; at: Date }[]): Promise<ReadonlySet<string>> {
    this.check(tx);
    return new Set(events.map((e) => maintenanceKey(e.cameraId, e.at)).filter((key) => this.maintained.has(key)));
  }

  async silentCameras(tx: MemoryTx, silenceS: number, ruleId: string): Promise<SilentCamera[]> {
    this.check(tx);
    const reported = new Set(
      [...this.incidents.values()].filter((row) => row.rule_id === ruleId).map((row) => row.correlation_key),
    );
    return [...this.cameras.values()]
      .filter((camera) => camera.lastStatusAt.getTime() < this.now.getTime() - silenceS * 1000)
      .filter((camera) => !reported.has(`${camera.id}@${camera.lastStatusAt.toISOString()}`))
      .map((camera) => {
        const position = place(camera.east, camera.north);
        return {
          id: camera.id,
          ...position,
          h3_cell: h3Cell(position.lat, position.lon),
          last_status_at: camera.lastStatusAt,
        };
      });
  }
}

/** IncidentChanges that remembers each publish call's ids. */
export class RecordingPublisher implements IncidentChanges<MemoryTx> {
  readonly calls: string[][] = [];

  async publish(_tx: MemoryTx, ids: string[]): Promise<void> {
    this.calls.push([...ids]);
  }

  get published(): string[] {
    return this.calls.flat();
  }
}

/** CorrelationObserver that counts changes as "rule:change". */
export class CountingObserver implements CorrelationObserver {
  readonly counts = new Map<string, number>();

  incident(ruleId: string, change: "opened" | "updated" | "late"): void {
    const key = `${ruleId}:${change}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}
