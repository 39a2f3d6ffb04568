import type { PublicAlertView } from "@hub/contracts";
import { sortAlerts } from "./order";

/** Wall-clock time and timers (epoch milliseconds: expiries are instants), injectable for tests. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** setTimeout takes at most 2^31 − 1 ms (about 24.8 days); a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type PublicAnnouncement = { kind: "new" | "updated" | "ended"; alert: PublicAlertView };

/** Where a snapshot came from: the Socket.IO stream, or the JSON fetched while the stream is not there. */
export type SnapshotSource = "socket" | "http";

/**
 * The warnings in force, as the public page shows them. Keeps the highest `version` seen per alert (also of those
 * it dropped, so a late copy cannot bring one back), drops alerts whose state is not "active", and drops each alert
 * by itself when its `expires` passes, without waiting for the server.
 *
 * A snapshot fetched over HTTP is applied only while the live stream is down: once the stream's own snapshot has
 * arrived, it is the authority and a slower HTTP answer could only be older.
 */
export class PublicAlertStore {
  readonly #clock: Clock;
  readonly #active = new Map<string, PublicAlertView>();
  readonly #versions = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  #announcements: PublicAnnouncement[] = [];
  #sorted: PublicAlertView[] | null = null;
  #revision = 0;
  #loaded = false;
  #live = false;
  #timer: unknown = null;
  #timerAt: number | null = null;

  constructor(clock: Clock = wallClock) {
    this.#clock = clock;
  }

  /** Something has been received (a snapshot from either source): the page can say "no warnings" truthfully. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** The stream's snapshot has arrived and the stream is connected. */
  get live(): boolean {
    return this.#live;
  }

  /** Active alerts, most severe first, then newest. */
  alerts(): readonly PublicAlertView[] {
    this.#sorted ??= sortAlerts(this.#active.values());
    return this.#sorted;
  }

  alert(id: string): PublicAlertView | undefined {
    return this.#active.get(id);
  }

  /** Everything active now. Returns false when it was not applied (an HTTP answer while the stream is live). */
  snapshot(alerts: readonly PublicAlertView[], source: SnapshotSource): boolean {
    if (source === "http" && this.#live) return false;
    const announce = this.#loaded;
    const listed = new Set<string>();
    for (const alert of alerts) {
      listed.add(alert.id);
      this.#accept(alert, announce, true);
    }
    for (const [id, alert] of this.#active)
      if (!listed.has(id)) {
        this.#active.delete(id);
        if (announce) this.#announcements.push({ kind: "ended", alert });
      }
    this.#loaded = true;
    if (source === "socket") this.#live = true;
    this.#changed();
    return true;
  }

  /** One change from the stream. */
  change(alert: PublicAlertView): void {
    if (this.#accept(alert, this.#loaded, false)) this.#changed();
  }

  /** The stream went away (or came back, which `snapshot(…, "socket")` also says). */
  setLive(live: boolean): void {
    if (this.#live === live) return;
    this.#live = live;
    this.#changed();
  }

  drainAnnouncements(): PublicAnnouncement[] {
    const drained = this.#announcements;
    this.#announcements = [];
    return drained;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getRevision = (): number => this.#revision;

  dispose(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = null;
    this.#listeners.clear();
  }

  /**
   * Applies one copy of an alert if it is newer than what was seen (a snapshot also takes the same version again,
   * e.g. after an expiry dropped it early by the local clock). Returns whether anything changed.
   */
  #accept(alert: PublicAlertView, announce: boolean, sameVersionToo: boolean): boolean {
    const known = this.#versions.get(alert.id);
    if (known !== undefined && (alert.version < known || (alert.version === known && !sameVersionToo))) return false;
    this.#versions.set(alert.id, alert.version);
    const previous = this.#active.get(alert.id);
    if (alert.state === "active" && !this.#expired(alert, this.#clock.now())) {
      if (previous && previous.version === alert.version) return false;
      this.#active.set(alert.id, alert);
      if (announce) this.#announcements.push({ kind: previous ? "updated" : "new", alert });
      return true;
    }
    if (!previous) return false;
    this.#active.delete(alert.id);
    if (announce) this.#announcements.push({ kind: "ended", alert: previous });
    return true;
  }

  #expired(alert: PublicAlertView, now: number): boolean {
    if (!alert.expires) return false;
    const ms = Date.parse(alert.expires);
    return !Number.isNaN(ms) && ms <= now;
  }

  #changed(): void {
    this.#sorted = null;
    this.#revision += 1;
    this.#schedule();
    for (const listener of [...this.#listeners]) listener();
  }

  /** One timer, for the earliest expiry among the active alerts. */
  #schedule(): void {
    let earliest: number | null = null;
    for (const alert of this.#active.values()) {
      const ms = alert.expires ? Date.parse(alert.expires) : Number.NaN;
      if (!Number.isNaN(ms) && (earliest === null || ms < earliest)) earliest = ms;
    }
    if (earliest === this.#timerAt) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = earliest;
    if (earliest === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, earliest - this.#clock.now()));
    this.#timer = this.#clock.setTimeout(() => this.#expire(), delay);
  }

  #expire(): void {
    this.#timer = null;
    this.#timerAt = null;
    const now = this.#clock.now();
    let dropped = false;
    for (const [id, alert] of this.#active)
      if (this.#expired(alert, now)) {
        this.#active.delete(id);
        if (this.#loaded) this.#announcements.push({ kind: "ended", alert });
        dropped = true;
      }
    if (dropped) this.#changed();
    else this.#schedule(); // woken early (a far expiry, or a clock that moved): wait again
  }
}
