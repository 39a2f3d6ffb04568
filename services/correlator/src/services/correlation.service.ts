import { distanceMetres, type Logger, type PoolClient } from "@hub/common";
import { gridDisk } from "h3-js";
import type { IncidentRow, NeighbourhoodFilter, NewIncident } from "../repositories/incident.repository.js";
import { type EventRow, eventKey, sourceOf } from "./records.js";
import {
  type EventRule,
  type Matcher,
  matchersOf,
  matches,
  maxSeverity,
  type RuleSet,
  type Severity,
  type Titles,
  watchListKey,
} from "./rules.js";
import { aboutSource, watchListSighting } from "./titles.js";

/** The incident kind that maintenance windows suppress. */
const CAMERA_FAULT = "camera_fault";

/** Centre-to-centre spacing of H3 resolution-9 cells, metres (edge ~174 m × √3). */
const RES9_SPACING_M = 300;
/** Rows one batch-wide neighbourhood query may return before the rules fall back to a query per event. */
const PREFETCH_LIMIT = 20_000;

function positionOf(event: EventRow) {
  return { lat: event.row.lat, lon: event.row.lon };
}

/** A camera that has sent no status for too long, with when it was last heard. */
export interface SilentCamera {
  id: string;
  lat: number;
  lon: number;
  h3_cell: string;
  last_status_at: Date;
}

/**
 * What correlation needs of the incident store (IncidentRepository in production, an in-memory one in unit tests).
 * `Tx` is the caller's transaction, opaque here: the service only hands it back.
 */
export interface CorrelationStore<Tx> {
  /**
   * The sightings whose plate an active entry of the watch list matches (exactly or by pattern) at the sighting's
   * time and now (an expired entry stops matching at once), each with its entry's id and reference: a random id that
   * names the entry in incidents (titles, correlation keys, Kafka) so that no plate text leaves the evidence.
   */
  watchList(tx: Tx, sightings: PlateSighting[]): Promise<WatchList>;
  /** Records sightings of watched plates (watch_list_hits, migration 0031); a hit already recorded is left alone. */
  recordWatchListHits(tx: Tx, hits: WatchListHit[]): Promise<void>;
  /** Stored events (including the batch being evaluated) in these H3 cells and times that pass the filter. */
  eventsNear(
    tx: Tx,
    filter: NeighbourhoodFilter,
    cells: string[],
    from: Date,
    to: Date,
    limit?: number,
  ): Promise<EventRow[]>;
  findOpenNear(
    tx: Tx,
    ruleId: string,
    at: { lat: number; lon: number },
    radiusM: number,
    since: Date,
  ): Promise<IncidentRow | undefined>;
  findOpenForSource(tx: Tx, ruleId: string, source: string, since: Date): Promise<IncidentRow | undefined>;
  create(
    tx: Tx,
    incident: NewIncident,
    firstEventAt: Date,
    lastEventAt: Date,
  ): Promise<{ row: IncidentRow; created: boolean }>;
  addEvidence(tx: Tx, incidentId: string, events: EventRow[], lateIds: ReadonlySet<string>): Promise<number>;
  update(
    tx: Tx,
    id: string,
    change: { firstEventAt: Date; lastEventAt: Date; severity: Severity },
  ): Promise<IncidentRow>;
  recordLate(tx: Tx, event: EventRow, ruleId: string, reason: string): Promise<void>;
  /** Silent cameras, except those under a maintenance window now (migration 0023) or decommissioned (0030). */
  /** Cameras silent for silenceS with no incident of ruleId for this silence yet. */
  silentCameras(tx: Tx, silenceS: number, ruleId: string): Promise<SilentCamera[]>;
  /**
   * Which of these camera events fall inside a maintenance window of their camera or its district, or after its
   * decommissioning (migration 0030): they open no camera-fault incident (keys: maintenanceKey).
   */
  inMaintenance(tx: Tx, events: { cameraId: string; at: Date }[]): Promise<ReadonlySet<string>>;
}

/** Identifies a camera event for the maintenance check. */
export function maintenanceKey(cameraId: string, at: Date): string {
  return `${cameraId}\u0000${at.getTime()}`;
}

/** A plate read by a camera at a time. */
export interface PlateSighting {
  plate: string;
  at: Date;
}

/** The watch-list entry a sighting matched: its id and its reference (e.g. "WL-3F9A2C71D04B"). */
export interface WatchListMatch {
  entryId: string;
  reference: string;
}

/** Watched sightings, keyed by watchListKey(plate, at). */
export type WatchList = ReadonlyMap<string, WatchListMatch>;

/** A sighting of a watched plate, as recorded. */
export interface WatchListHit {
  entryId: string;
  siteId: string;
  eventId: string;
  cameraId: string;
  plate: string;
  observedAt: Date;
  /** The watch-list incident it went to, if a watch-list rule took it. */
  incidentId: string | null;
}

/** Where changed incidents go, in the same transaction (IncidentPublisher: the outbox). */
export interface IncidentChanges<Tx> {
  publish(tx: Tx, ids: string[]): Promise<void>;
}

export interface CorrelationObserver {
  incident(ruleId: string, change: "opened" | "updated" | "late"): void;
}

/**
 * Turns newly stored events into incidents, in the writer's transaction (so a crash loses or repeats nothing).
 * Each new event is checked against the rules it can trigger; a satisfied rule joins the open incident of the
 * same rule nearby (or about the same source) or opens one whose id derives from the rule and the evidence, so
 * that any number of instances, in any order, converge on the same incidents. Rules run on event time; an event
 * ingested more than `latenessS` after it was observed may join an open incident but never opens one, and is
 * recorded in late_events when it joins none.
 */
export class CorrelationService<Tx = PoolClient> {
  private current: RulesInForce;

  constructor(
    rules: RuleSet,
    private readonly deps: {
      incidents: CorrelationStore<Tx>;
      publisher: IncidentChanges<Tx>;
      logger: Logger;
      observer?: CorrelationObserver;
    },
    /** Rule id → the approved version (correlation_rule_versions) of the rule in `rules`. */
    versions: ReadonlyMap<string, number> = new Map(),
  ) {
    this.current = inForce(rules, versions);
  }

  /**
   * Runs these rules from the next batch on (hot reload of approved rule versions). A batch being evaluated
   * finishes with the rules it started with.
   */
  reload(rules: RuleSet, versions: ReadonlyMap<string, number>): void {
    this.current = inForce(rules, versions);
  }

  async evaluate(tx: Tx, events: EventRow[]): Promise<number> {
    if (events.length === 0) return 0;
    const current = this.current;
    const sightings = events.flatMap((event) =>
      event.kind === "detection" && event.row.plate ? [{ plate: event.row.plate.text, at: event.row.observedAt }] : [],
    );
    const watchList = await this.deps.incidents.watchList(tx, sightings);
    const maintained = await this.maintained(tx, current, events);
    const changed = new Set<string>();
    // Which rule each event can trigger, in event order; grouped by rule for the batch-wide look-ups.
    const triggered: { rule: EventRule; event: EventRow }[] = [];
    const triggers = new Map<EventRule, EventRow[]>();
    for (const event of events) {
      for (const rule of current.eventRules) {
        if (!matchersOf(rule).some((m) => matches(m, event, watchList))) continue;
        // A fault of a camera under maintenance is expected: no camera_fault incident.
        if (rule.kind === CAMERA_FAULT && event.kind !== "sensor_reading") {
          if (maintained.has(maintenanceKey(event.row.cameraId, event.row.observedAt))) continue;
        }
        triggered.push({ rule, event });
        const list = triggers.get(rule);
        if (list) list.push(event);
        else triggers.set(rule, [event]);
      }
    }
    const neighbourhood = await this.prefetch(tx, triggers);
    /** Event key → the watch-list incident it went to. */
    const watchIncidents = new Map<string, string>();
    for (const { rule, event } of triggered) {
      const incident = await this.apply(tx, current, rule, event, watchList, neighbourhood);
      if (incident) changed.add(incident);
      if (incident && rule.form === "single" && rule.match.watchListPlate)
        watchIncidents.set(eventKey(event.row), incident);
    }
    await this.recordHits(tx, events, watchList, watchIncidents);
    await this.deps.publisher.publish(tx, [...changed]);
    return changed.size;
  }

  /** Every sighting of a watched plate in the batch, whether or not a rule opened an incident for it. */
  private async recordHits(
    tx: Tx,
    events: EventRow[],
    watchList: WatchList,
    watchIncidents: ReadonlyMap<string, string>,
  ): Promise<void> {
    if (watchList.size === 0) return;
    const hits = events.flatMap((event): WatchListHit[] => {
      if (event.kind !== "detection" || !event.row.plate) return [];
      const match = watchList.get(watchListKey(event.row.plate.text, event.row.observedAt));
      if (!match) return [];
      return [
        {
          entryId: match.entryId,
          siteId: event.row.siteId,
          eventId: event.row.eventId,
          cameraId: event.row.cameraId,
          plate: event.row.plate.text,
          observedAt: event.row.observedAt,
          incidentId: watchIncidents.get(eventKey(event.row)) ?? null,
        },
      ];
    });
    if (hits.length > 0) await this.deps.incidents.recordWatchListHits(tx, hits);
  }

  /** The camera events of the batch inside a maintenance window (looked up only when a camera_fault rule exists). */
  private async maintained(tx: Tx, current: RulesInForce, events: EventRow[]): Promise<ReadonlySet<string>> {
    if (!current.eventRules.some((rule) => rule.kind === CAMERA_FAULT)) return new Set();
    const cameraEvents = events.flatMap((event) =>
      event.kind === "camera_status" ? [{ cameraId: event.row.cameraId, at: event.row.observedAt }] : [],
    );
    return cameraEvents.length === 0 ? new Set() : this.deps.incidents.inMaintenance(tx, cameraEvents);
  }

  /** Absence rules, on a timer: cameras silent for too long. Idempotent per silence. */
  async checkSilence(tx: Tx): Promise<number> {
    const changed: string[] = [];
    const current = this.current;
    for (const rule of current.rules.rules) {
      if (rule.form !== "absence" || !rule.enabled) continue;
      for (const camera of await this.deps.incidents.silentCameras(tx, rule.silenceS, rule.id)) {
        const { row, created } = await this.deps.incidents.create(
          tx,
          {
            ruleId: rule.id,
            ruleVersion: current.rules.version,
            ...definitionVersion(current, rule.id),
            correlationKey: `${camera.id}@${camera.last_status_at.toISOString()}`,
            kind: rule.kind,
            severity: rule.severity,
            titles: aboutSource(rule.titles, camera.id),
            lat: camera.lat,
            lon: camera.lon,
            h3Cell: camera.h3_cell,
          },
          camera.last_status_at,
          camera.last_status_at,
        );
        if (created) {
          changed.push(row.id);
          this.deps.observer?.incident(rule.id, "opened");
        }
      }
    }
    await this.deps.publisher.publish(tx, changed);
    return changed.length;
  }

  /**
   * The neighbourhoods of every rule's triggers in the batch, looked up once per batch and table instead of once per
   * rule or per event: for each table (detections, sensor readings), the cells of the triggers of the rules that
   * match rows of it, over the union of their windows, with the union of those rules' filters. A superset of what
   * each rule needs; `satisfied` keeps only the rows within the rule's window, radius and matchers. Undefined (look
   * up per event) when there are no triggers or the union is too large to fetch whole.
   */
  private async prefetch(tx: Tx, triggers: Map<EventRule, EventRow[]>): Promise<EventRow[] | undefined> {
    const tables = new Map<
      "detection" | "sensor_reading",
      { cells: Set<string>; matchers: Matcher[]; from: number; to: number }
    >();
    for (const [rule, events] of triggers) {
      if (rule.form === "single") continue;
      const times = events.map((event) => event.row.observedAt.getTime());
      const from = Math.min(...times) - rule.windowS * 1000;
      const to = Math.max(...times) + rule.windowS * 1000;
      for (const matcher of matchersOf(rule)) {
        if (matcher.source !== "detection" && matcher.source !== "sensor_reading") continue;
        let table = tables.get(matcher.source);
        if (!table) {
          table = { cells: new Set(), matchers: [], from, to };
          tables.set(matcher.source, table);
        }
        table.matchers.push(matcher);
        table.from = Math.min(table.from, from);
        table.to = Math.max(table.to, to);
        for (const event of events) for (const cell of neighbourhoodCells(rule, event)) table.cells.add(cell);
      }
    }
    if (tables.size === 0) return undefined;
    const nearby: EventRow[] = [];
    for (const table of tables.values()) {
      const rows = await this.deps.incidents.eventsNear(
        tx,
        neighbourhoodFilter(table.matchers),
        [...table.cells],
        new Date(table.from),
        new Date(table.to),
        PREFETCH_LIMIT,
      );
      if (rows.length >= PREFETCH_LIMIT) return undefined;
      nearby.push(...rows);
    }
    return nearby;
  }

  private async apply(
    tx: Tx,
    current: RulesInForce,
    rule: EventRule,
    event: EventRow,
    watchList: WatchList,
    prefetched: EventRow[] | undefined,
  ): Promise<string | undefined> {
    const evidence = rule.form === "single" ? [event] : await this.satisfied(tx, rule, event, watchList, prefetched);
    if (!evidence) return undefined;
    const late = event.row.ingestedAt.getTime() - event.row.observedAt.getTime() > current.rules.latenessS * 1000;
    const since = new Date(event.row.observedAt.getTime() - rule.windowS * 1000);
    const source = rule.form === "single" ? singleSource(rule, event, watchList) : undefined;
    const open = source
      ? await this.deps.incidents.findOpenForSource(tx, rule.id, source.key, since)
      : await this.deps.incidents.findOpenNear(tx, rule.id, positionOf(event), rule.radiusM, since);
    const severity = this.severityOf(rule, evidence);
    const times = evidence.map((e) => e.row.observedAt.getTime());
    const first = new Date(Math.min(...times));
    const last = new Date(Math.max(...times));
    const lateIds = late ? new Set([eventKey(event.row)]) : new Set<string>();
    if (open) {
      const added = await this.deps.incidents.addEvidence(tx, open.id, evidence, lateIds);
      const escalated = maxSeverity(open.severity, severity);
      if (added === 0 && escalated === open.severity) return undefined;
      await this.deps.incidents.update(tx, open.id, {
        firstEventAt: first,
        lastEventAt: last,
        severity: escalated,
      });
      this.deps.observer?.incident(rule.id, late ? "late" : "updated");
      return open.id;
    }
    if (late) {
      await this.deps.incidents.recordLate(
        tx,
        event,
        rule.id,
        `ingested ${Math.round((event.row.ingestedAt.getTime() - event.row.observedAt.getTime()) / 1000)} s after it was observed; no open incident to join`,
      );
      return undefined;
    }
    // The key is what every instance agrees on: the source and time bucket for single-event rules, otherwise the
    // earliest evidence event (ties broken by id).
    const anchor = [...evidence].sort(
      (a, b) =>
        a.row.observedAt.getTime() - b.row.observedAt.getTime() || eventKey(a.row).localeCompare(eventKey(b.row)),
    )[0] as EventRow;
    const correlationKey = source
      ? `${source.key}@${Math.floor(event.row.observedAt.getTime() / (rule.windowS * 1000))}`
      : eventKey(anchor.row);
    const { row, created } = await this.deps.incidents.create(
      tx,
      {
        ruleId: rule.id,
        ruleVersion: current.rules.version,
        ...definitionVersion(current, rule.id),
        correlationKey,
        kind: rule.kind,
        severity,
        titles: source ? source.titles : rule.titles,
        lat: anchor.row.lat,
        lon: anchor.row.lon,
        h3Cell: anchor.row.h3Cell,
      },
      first,
      last,
    );
    const added = await this.deps.incidents.addEvidence(tx, row.id, evidence, lateIds);
    if (!created && added > 0)
      await this.deps.incidents.update(tx, row.id, {
        firstEventAt: first,
        lastEventAt: last,
        severity: maxSeverity(row.severity, severity),
      });
    this.deps.observer?.incident(rule.id, created ? "opened" : "updated");
    return created || added > 0 ? row.id : undefined;
  }

  /** The evidence if the rule holds around `event`, else undefined. */
  private async satisfied(
    tx: Tx,
    rule: Exclude<EventRule, { form: "single" }>,
    event: EventRow,
    watchList: WatchList,
    prefetched: EventRow[] | undefined,
  ): Promise<EventRow[] | undefined> {
    const at = event.row.observedAt.getTime();
    const from = at - rule.windowS * 1000;
    const to = at + rule.windowS * 1000;
    const nearby =
      prefetched ??
      (await this.deps.incidents.eventsNear(
        tx,
        neighbourhoodFilter(matchersOf(rule)),
        neighbourhoodCells(rule, event),
        new Date(from),
        new Date(to),
      ));
    const byId = new Map<string, EventRow>([[eventKey(event.row), event]]);
    for (const candidate of nearby) {
      const time = candidate.row.observedAt.getTime();
      if (time < from || time > to) continue;
      if (distanceMetres(positionOf(candidate), positionOf(event)) <= rule.radiusM)
        byId.set(eventKey(candidate.row), candidate);
    }
    const pool = [...byId.values()];
    if (rule.form === "co_occurrence") {
      const groups = rule.require.map((group) =>
        pool.filter((candidate) => group.any.some((m) => matches(m, candidate, watchList))),
      );
      if (groups.some((group) => group.length === 0)) return undefined;
      return [...new Set(groups.flat())];
    }
    const matching = pool.filter((candidate) => matches(rule.match, candidate, watchList));
    if (matching.length < rule.minCount) return undefined;
    if (new Set(matching.map(sourceOf)).size < rule.distinctSources) return undefined;
    const times = matching.map((m) => m.row.observedAt.getTime());
    if ((Math.max(...times) - Math.min(...times)) / 1000 < rule.minSpanS) return undefined;
    return matching;
  }

  private severityOf(rule: EventRule, evidence: EventRow[]): Severity {
    if (rule.form === "single" || !rule.severityBy) return rule.severity;
    const kinds = rule.severityBy.kinds;
    const values = evidence.flatMap((e) =>
      e.kind === "sensor_reading" && kinds.includes(e.row.kind) ? [e.row.value] : [],
    );
    if (values.length === 0) return rule.severity;
    const peak = Math.max(...values);
    let result = rule.severity;
    for (const [threshold, level] of rule.severityBy.steps) if (peak >= threshold) result = maxSeverity(result, level);
    return result;
  }
}

/** The rules a batch runs with: the enabled event rules, and each rule's approved version. */
interface RulesInForce {
  rules: RuleSet;
  eventRules: EventRule[];
  versions: ReadonlyMap<string, number>;
}

function inForce(rules: RuleSet, versions: ReadonlyMap<string, number>): RulesInForce {
  return {
    rules,
    eventRules: rules.rules.filter((rule): rule is EventRule => rule.form !== "absence" && rule.enabled),
    versions,
  };
}

function definitionVersion(current: RulesInForce, ruleId: string): { definitionVersion?: number } {
  const version = current.versions.get(ruleId);
  return version === undefined ? {} : { definitionVersion: version };
}

/** The H3 resolution-9 cells that can hold an event within the rule's radius of `event`. */
function neighbourhoodCells(rule: EventRule, event: EventRow): string[] {
  return gridDisk(event.row.h3Cell, Math.ceil(rule.radiusM / RES9_SPACING_M) + 1);
}

/**
 * What a single-event incident is about: its key (the prefix of the correlation key) and its titles. A watch-listed
 * plate is named by its watch-list reference, never by its text: incidents reach every role, the live map and
 * hub.incidents.v1, while the plate is personal data shown only to an investigator (case lookup, audited).
 */
function singleSource(rule: EventRule, event: EventRow, watchList: WatchList): { key: string; titles: Titles } {
  if (rule.form === "single" && event.kind === "detection" && event.row.plate && rule.match.watchListPlate) {
    const reference = watchList.get(watchListKey(event.row.plate.text, event.row.observedAt))?.reference;
    if (reference) return { key: reference, titles: watchListSighting(rule.titles, event.row.cameraId, reference) };
  }
  const id = event.kind === "sensor_reading" ? event.row.sensorId : event.row.cameraId;
  return { key: id, titles: aboutSource(rule.titles, id) };
}

/** The SQL pre-filter of a rule's matchers: the union of what they accept, or no restriction if one accepts all. */
export function neighbourhoodFilter(matchers: Matcher[]): NeighbourhoodFilter {
  const filter: NeighbourhoodFilter = {};
  const detections = matchers.filter((m) => m.source === "detection");
  if (detections.length > 0) {
    const unrestricted = detections.some((m) => !m.objectClasses && !m.ruleTypes);
    filter.detections = unrestricted
      ? { objectClasses: undefined, ruleTypes: undefined }
      : {
          objectClasses: detections.flatMap((m) => m.objectClasses ?? []),
          ruleTypes: detections.flatMap((m) => m.ruleTypes ?? []),
        };
  }
  const readings = matchers.filter((m) => m.source === "sensor_reading");
  if (readings.length > 0) {
    filter.readings = { kinds: readings.some((m) => !m.kinds) ? undefined : readings.flatMap((m) => m.kinds ?? []) };
  }
  return filter;
}
