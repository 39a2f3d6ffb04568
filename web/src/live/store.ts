import {
  type AlertView,
  type CameraView,
  type Counters,
  type IncidentView,
  isClosedIncidentStatus,
  SEVERITIES,
  type SensorReadingView,
  type Severity,
  type Snapshot,
} from "@hub/contracts";
import { type LiveChange, sensorKey } from "./changes";

/** How long an incident counts as new (highlighted on the map and in the list). */
export const NEW_INCIDENT_MS = 15_000;

export interface StoreRevisions {
  cameras: number;
  incidents: number;
  alerts: number;
  sensors: number;
  counters: number;
}

type Layer = keyof StoreRevisions;

export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** Open incidents first by severity (extreme first), then the most recently opened; stable on ties. */
export function compareIncidents(a: IncidentView, b: IncidentView): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    Date.parse(b.openedAt) - Date.parse(a.openedAt) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * The dashboard's live picture: cameras, open incidents, active alerts, sensor readings and counters. A snapshot
 * replaces it whole; live changes merge into it by version (an older copy of an entity never overwrites a newer
 * one). Pure: no I/O and no timers; the clock is injected for the "new incident" highlight.
 *
 * Readers subscribe and are told once per `replace`/`apply`; per-layer revisions let the map rebuild only the
 * sources whose data changed, and the list getters are memoised per revision.
 */
export class LiveStore {
  readonly #now: () => number;
  #cameras = new Map<string, CameraView>();
  #incidents = new Map<string, IncidentView>();
  #alerts = new Map<string, AlertView>();
  #sensors = new Map<string, SensorReadingView>();
  #counters: Counters | null = null;
  /** Incidents that left the open list (resolved, false alarm) and alerts that ended, with that version: older copies stay out. */
  #closedIncidents = new Map<string, number>();
  #endedAlerts = new Map<string, number>();
  /** When each open incident was first seen, on this client's clock. */
  #firstSeen = new Map<string, number>();
  #announcements: IncidentView[] = [];
  #hasSnapshot = false;
  #revisions: StoreRevisions = { cameras: 0, incidents: 0, alerts: 0, sensors: 0, counters: 0 };
  #revision = 0;
  #listeners = new Set<() => void>();
  #memo = new Map<string, { revision: number; value: unknown }>();

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Grows on every change: the snapshot value for `useSyncExternalStore`. */
  getRevision = (): number => this.#revision;

  get revisions(): Readonly<StoreRevisions> {
    return this.#revisions;
  }

  get hasSnapshot(): boolean {
    return this.#hasSnapshot;
  }

  /** Replaces everything with a snapshot: what it does not list is gone (the map equals a fresh page load). */
  replace(snapshot: Snapshot): void {
    const now = this.#now();
    const takenAt = Date.parse(snapshot.takenAt);
    const firstSeen = new Map<string, number>();
    for (const incident of snapshot.incidents) {
      const seen = this.#firstSeen.get(incident.id);
      if (seen !== undefined) firstSeen.set(incident.id, seen);
      else {
        // Age measured on the server's clock, so a skewed client clock does not matter.
        const age = Math.max(0, takenAt - Date.parse(incident.openedAt));
        if (age < NEW_INCIDENT_MS) {
          firstSeen.set(incident.id, now - age);
          // On a resync, an incident opened while we were away is news; on the first load it is not.
          if (this.#hasSnapshot && incident.status === "open") this.#announcements.push(incident);
        }
      }
    }
    this.#cameras = new Map(snapshot.cameras.map((camera) => [camera.id, camera]));
    this.#incidents = new Map(
      snapshot.incidents
        .filter((incident) => !isClosedIncidentStatus(incident.status))
        .map((incident) => [incident.id, incident]),
    );
    this.#alerts = new Map(
      snapshot.alerts.filter((alert) => alert.state === "active").map((alert) => [alert.id, alert]),
    );
    this.#sensors = new Map(snapshot.sensors.map((reading) => [sensorKey(reading), reading]));
    this.#counters = snapshot.counters;
    this.#closedIncidents.clear();
    this.#endedAlerts.clear();
    this.#firstSeen = firstSeen;
    this.#hasSnapshot = true;
    this.#touch(["cameras", "incidents", "alerts", "sensors", "counters"]);
  }

  /** Merges live changes (in arrival order); listeners are told once. */
  apply(changes: readonly LiveChange[]): void {
    const touched = new Set<Layer>();
    for (const change of changes) {
      const layer = this.#applyOne(change);
      if (layer) touched.add(layer);
    }
    if (touched.size > 0) this.#touch([...touched]);
  }

  /** Forgets everything (signed out). */
  clear(): void {
    this.#cameras.clear();
    this.#incidents.clear();
    this.#alerts.clear();
    this.#sensors.clear();
    this.#counters = null;
    this.#closedIncidents.clear();
    this.#endedAlerts.clear();
    this.#firstSeen.clear();
    this.#announcements = [];
    this.#hasSnapshot = false;
    this.#touch(["cameras", "incidents", "alerts", "sensors", "counters"]);
  }

  // ---- Readers ----

  cameras(): CameraView[] {
    return this.#memoised("cameras", () => [...this.#cameras.values()]);
  }

  camera(id: string): CameraView | undefined {
    return this.#cameras.get(id);
  }

  /** Open and acknowledged incidents, most urgent first. */
  incidents(): IncidentView[] {
    return this.#memoised("incidents", () => [...this.#incidents.values()].sort(compareIncidents));
  }

  incident(id: string): IncidentView | undefined {
    return this.#incidents.get(id);
  }

  alerts(): AlertView[] {
    return this.#memoised("alerts", () => [...this.#alerts.values()]);
  }

  sensors(): SensorReadingView[] {
    return this.#memoised("sensors", () => [...this.#sensors.values()]);
  }

  counters(): Counters | null {
    return this.#counters;
  }

  /** Whether an open incident appeared less than NEW_INCIDENT_MS before `now`. */
  isNew(id: string, now: number = this.#now()): boolean {
    const seen = this.#firstSeen.get(id);
    return seen !== undefined && now - seen < NEW_INCIDENT_MS;
  }

  /** When the newest highlight ends, or null if nothing is highlighted at `now`: the time to redraw next. */
  nextHighlightExpiry(now: number = this.#now()): number | null {
    let next: number | null = null;
    for (const seen of this.#firstSeen.values()) {
      const ends = seen + NEW_INCIDENT_MS;
      if (ends > now && (next === null || ends < next)) next = ends;
    }
    return next;
  }

  /** Incidents newly opened since the last call, for the screen reader announcement. */
  drainAnnouncements(): IncidentView[] {
    const out = this.#announcements;
    this.#announcements = [];
    return out;
  }

  // ---- Internals ----

  #applyOne(change: LiveChange): Layer | null {
    switch (change.kind) {
      case "camera": {
        const { cameraId, state, observedAt, version, byHub } = change.change;
        const camera = this.#cameras.get(cameraId);
        // A camera the snapshot did not list cannot be placed; the next snapshot brings it.
        if (!camera || camera.version >= version) return null;
        // The hub's verdict (silent, heard again) is not a report of the camera's: its last report stays.
        const lastStatusAt = byHub ? camera.lastStatusAt : observedAt;
        this.#cameras.set(cameraId, { ...camera, state, lastStatusAt, version });
        return "cameras";
      }
      case "incident":
        return this.#applyIncident(change.incident);
      case "alert": {
        const { alert } = change;
        const known = this.#alerts.get(alert.id)?.version ?? this.#endedAlerts.get(alert.id) ?? -1;
        if (alert.version <= known) return null;
        if (alert.state === "active") this.#alerts.set(alert.id, alert);
        else {
          this.#endedAlerts.set(alert.id, alert.version);
          if (!this.#alerts.delete(alert.id)) return null;
        }
        return "alerts";
      }
      case "sensor": {
        const key = sensorKey(change.reading);
        const known = this.#sensors.get(key);
        if (known && known.version >= change.reading.version) return null;
        this.#sensors.set(key, change.reading);
        return "sensors";
      }
      case "counters": {
        if (this.#counters && Date.parse(this.#counters.at) > Date.parse(change.counters.at)) return null;
        this.#counters = change.counters;
        return "counters";
      }
    }
  }

  #applyIncident(incident: IncidentView): Layer | null {
    const known = this.#incidents.get(incident.id);
    const floor = known?.version ?? this.#closedIncidents.get(incident.id) ?? -1;
    if (incident.version <= floor) return null;
    if (isClosedIncidentStatus(incident.status)) {
      this.#closedIncidents.set(incident.id, incident.version);
      this.#firstSeen.delete(incident.id);
      return this.#incidents.delete(incident.id) ? "incidents" : null;
    }
    if (!known) {
      this.#firstSeen.set(incident.id, this.#now());
      if (incident.status === "open") this.#announcements.push(incident);
    }
    this.#incidents.set(incident.id, incident);
    return "incidents";
  }

  #touch(layers: Layer[]): void {
    // A new object, so a reader holding the previous revisions can compare.
    const next = { ...this.#revisions };
    for (const layer of layers) next[layer] += 1;
    this.#revisions = next;
    this.#revision += 1;
    for (const listener of this.#listeners) listener();
  }

  #memoised<T>(layer: Layer, build: () => T): T {
    const revision = this.#revisions[layer];
    const cached = this.#memo.get(layer);
    if (cached && cached.revision === revision) return cached.value as T;
    const value = build();
    this.#memo.set(layer, { revision, value });
    return value;
  }
}
