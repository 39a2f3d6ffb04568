import { distanceMetres, type Logger, NotFoundError, type PoolClient, ValidationError } from "@hub/common";
import { RULE_DRY_RUN_MAX_HOURS, ruleDefinitionSchema } from "@hub/contracts";
import type { DryRunIncidentRow, DryRunRepository } from "../repositories/dry-run.repository.js";
import type { IncidentRow, NeighbourhoodFilter, NewIncident } from "../repositories/incident.repository.js";
import { incidentId } from "../repositories/incident.repository.js";
import type { RuleVersionsRepository } from "../repositories/rule-versions.repository.js";
import {
  CorrelationService,
  type CorrelationStore,
  neighbourhoodFilter,
  type PlateSighting,
  type SilentCamera,
  type WatchList,
  type WatchListHit,
} from "./correlation.service.js";
import { type EventRow, eventKey } from "./records.js";
import { matchersOf, parseRules, type Rule, type RuleSet, type Severity } from "./rules.js";

/** Events handed to the correlation code at a time, in the order they were stored (as the writer's batches). */
const BATCH = 200;
/** A dry run stops (truncated) after this long, whatever is left of its window. */
const MAX_RUN_MS = 20_000;
const MAX_LISTED = 1_000;

export interface DryRunResult {
  from: Date;
  to: Date;
  eventsRead: number;
  truncated: boolean;
  wouldOpen: DryRunIncidentRow[];
  opened: DryRunIncidentRow[];
}

/**
 * A rule version tried over the stored events of the last hours with the live path's own code (CorrelationService,
 * the same matching in rules.ts), against an in-memory incident store: nothing is written, nothing published. The
 * watch list and maintenance windows are read from the database, as the live path reads them.
 */
export class RuleDryRunService {
  constructor(
    private readonly deps: {
      versions: Pick<RuleVersionsRepository, "find">;
      events: Pick<DryRunRepository, "storedEvents" | "opened">;
      /** The live store's read-only look-ups, in a transaction `read` opens. */
      live: Pick<CorrelationStore<PoolClient>, "watchList" | "inMaintenance">;
      read: <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>;
      /** The rule set this correlator runs (its lateness bound and file version). */
      running: () => RuleSet;
      maxEvents: number;
      logger: Logger;
    },
  ) {}

  async run(ruleId: string, version: number, hours: number, now = new Date()): Promise<DryRunResult> {
    if (!Number.isInteger(hours) || hours < 1 || hours > RULE_DRY_RUN_MAX_HOURS)
      throw new ValidationError("hours", `must be a whole number of hours from 1 to ${RULE_DRY_RUN_MAX_HOURS}`);
    const stored = await this.deps.versions.find(ruleId, version);
    if (!stored) throw new NotFoundError("version", `no version ${version} of rule ${ruleId}`);
    const parsed = ruleDefinitionSchema.safeParse(stored.definition);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(["definition", ...(issue?.path ?? [])].join("."), issue?.message ?? "invalid");
    }
    const rule = { ...parsed.data, enabled: true } as Rule;
    const running = this.deps.running();
    const rules = parseRules({ version: running.version, latenessS: running.latenessS, rules: [rule] }, "dry run");
    const from = new Date(now.getTime() - hours * 3_600_000);
    const matchers = rule.form === "absence" ? [] : matchersOf(rule);
    const events = await this.deps.events.storedEvents(
      neighbourhoodFilter(matchers),
      matchers.some((m) => m.source === "camera_status"),
      from,
      now,
      this.deps.maxEvents + 1,
    );
    let truncated = events.length > this.deps.maxEvents;
    if (truncated) events.length = this.deps.maxEvents;
    const store = new DryRunStore(this.deps.live);
    const correlation = new CorrelationService<PoolClient>(
      rules,
      { incidents: store, publisher: { publish: async () => undefined }, logger: this.deps.logger },
      new Map([[ruleId, version]]),
    );
    const started = Date.now();
    let read = 0;
    await this.deps.read(async (client) => {
      for (let i = 0; i < events.length; i += BATCH) {
        if (Date.now() - started > MAX_RUN_MS) {
          truncated = true;
          break;
        }
        const batch = events.slice(i, i + BATCH);
        store.store(batch);
        read += batch.length;
        await correlation.evaluate(client, batch);
      }
    });
    return {
      from,
      to: now,
      eventsRead: read,
      truncated,
      wouldOpen: store.opened().slice(0, MAX_LISTED),
      opened: await this.deps.events.opened(ruleId, from, now, MAX_LISTED),
    };
  }
}

/**
 * CorrelationStore of a dry run: the events and incidents in memory, with the semantics IncidentRepository has in
 * SQL; only the watch list and maintenance windows come from the database.
 */
export class DryRunStore implements CorrelationStore<PoolClient> {
  private readonly byCell = new Map<string, EventRow[]>();
  private readonly incidents = new Map<string, IncidentRow>();
  private readonly evidence = new Map<string, Set<string>>();
  private sequence = 0;

  constructor(private readonly live: Pick<CorrelationStore<PoolClient>, "watchList" | "inMaintenance">) {}

  store(events: EventRow[]): void {
    for (const event of events) {
      const list = this.byCell.get(event.row.h3Cell);
      if (list) list.push(event);
      else this.byCell.set(event.row.h3Cell, [event]);
    }
  }

  /** The incidents the run opened, oldest first event first. */
  opened(): DryRunIncidentRow[] {
    return [...this.incidents.values()]
      .map((row) => ({
        correlationKey: row.correlation_key,
        severity: row.severity,
        firstEventAt: row.first_event_at,
        lastEventAt: row.last_event_at,
        evidence: this.evidence.get(row.id)?.size ?? 0,
        ruleVersion: row.rule_definition_version,
      }))
      .sort(
        (a, b) =>
          a.firstEventAt.getTime() - b.firstEventAt.getTime() || a.correlationKey.localeCompare(b.correlationKey),
      );
  }

  watchList(tx: PoolClient, sightings: PlateSighting[]): Promise<WatchList> {
    return this.live.watchList(tx, sightings);
  }

  /** A dry run records no watch-list hit (it writes nothing). */
  async recordWatchListHits(_tx: PoolClient, _hits: WatchListHit[]): Promise<void> {}

  inMaintenance(tx: PoolClient, events: { cameraId: string; at: Date }[]): Promise<ReadonlySet<string>> {
    return this.live.inMaintenance(tx, events);
  }

  async eventsNear(
    _tx: PoolClient,
    filter: NeighbourhoodFilter,
    cells: string[],
    from: Date,
    to: Date,
    limit = 5000,
  ): Promise<EventRow[]> {
    const detections: EventRow[] = [];
    const readings: EventRow[] = [];
    for (const cell of cells) {
      for (const event of this.byCell.get(cell) ?? []) {
        if (event.row.observedAt < from || event.row.observedAt > to) continue;
        if (event.kind === "detection" && filter.detections) {
          const { objectClasses, ruleTypes } = filter.detections;
          const accepted =
            (!objectClasses && !ruleTypes) ||
            (objectClasses ?? []).includes(event.row.objectClass) ||
            (event.row.rule !== undefined && (ruleTypes ?? []).includes(event.row.rule.type));
          if (accepted) detections.push(event);
        } else if (event.kind === "sensor_reading" && filter.readings) {
          if (!filter.readings.kinds || filter.readings.kinds.includes(event.row.kind)) readings.push(event);
        }
      }
    }
    const byTime = (a: EventRow, b: EventRow) => a.row.observedAt.getTime() - b.row.observedAt.getTime();
    return [...detections.sort(byTime).slice(0, limit), ...readings.sort(byTime).slice(0, limit)];
  }

  private open(ruleId: string, since: Date): IncidentRow[] {
    return [...this.incidents.values()]
      .filter((row) => row.rule_id === ruleId && row.last_event_at >= since)
      .sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.id.localeCompare(b.id));
  }

  async findOpenNear(
    _tx: PoolClient,
    ruleId: string,
    at: { lat: number; lon: number },
    radiusM: number,
    since: Date,
  ): Promise<IncidentRow | undefined> {
    return this.open(ruleId, since).find((row) => distanceMetres(row, at) <= radiusM);
  }

  async findOpenForSource(
    _tx: PoolClient,
    ruleId: string,
    source: string,
    since: Date,
  ): Promise<IncidentRow | undefined> {
    return this.open(ruleId, since).find((row) => row.correlation_key.startsWith(`${source}@`));
  }

  async create(
    _tx: PoolClient,
    incident: NewIncident,
    firstEventAt: Date,
    lastEventAt: Date,
  ): Promise<{ row: IncidentRow; created: boolean }> {
    const id = incidentId(incident.ruleId, incident.correlationKey);
    const existing = this.incidents.get(id);
    if (existing) return { row: { ...existing }, created: false };
    this.sequence += 1;
    const at = new Date(this.sequence);
    const row: IncidentRow = {
      id,
      rule_id: incident.ruleId,
      rule_version: incident.ruleVersion,
      rule_definition_version: incident.definitionVersion ?? null,
      correlation_key: incident.correlationKey,
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
      opened_at: at,
      updated_at: at,
      version: 1,
    };
    this.incidents.set(id, row);
    return { row: { ...row }, created: true };
  }

  async addEvidence(_tx: PoolClient, id: string, events: EventRow[]): Promise<number> {
    const keys = this.evidence.get(id) ?? new Set<string>();
    this.evidence.set(id, keys);
    const before = keys.size;
    for (const event of events) keys.add(eventKey(event.row));
    return keys.size - before;
  }

  async update(
    _tx: PoolClient,
    id: string,
    change: { firstEventAt: Date; lastEventAt: Date; severity: Severity },
  ): Promise<IncidentRow> {
    const row = this.incidents.get(id);
    if (!row) throw new Error(`no incident ${id} in the dry run`);
    row.first_event_at = new Date(Math.min(change.firstEventAt.getTime(), row.first_event_at.getTime()));
    row.last_event_at = new Date(Math.max(change.lastEventAt.getTime(), row.last_event_at.getTime()));
    row.severity = change.severity;
    row.version += 1;
    return { ...row };
  }

  async recordLate(): Promise<void> {}

  async silentCameras(): Promise<SilentCamera[]> {
    return [];
  }
}
