import { describe, expect, it } from "vitest";
import { newPublicAlert } from "../testing/alert-factories";
import { iso, T0 } from "../testing/factories";
import { FakeScheduler } from "../testing/fake-scheduler";
import { PublicAlertStore } from "./store";

function setup() {
  const clock = new FakeScheduler();
  clock.time = T0;
  const store = new PublicAlertStore(clock);
  let notified = 0;
  store.subscribe(() => notified++);
  return { clock, store, notified: () => notified };
}

const ids = (store: PublicAlertStore) => store.alerts().map((alert) => alert.id);

describe("PublicAlertStore: versions", () => {
  it("keeps the highest version per alert, in whichever order the copies come", () => {
    const { store } = setup();
    store.snapshot([newPublicAlert({ id: "a", version: 2, headline: { "zh-Hant": "", pt: "", en: "v2" } })], "socket");
    store.change(newPublicAlert({ id: "a", version: 1, headline: { "zh-Hant": "", pt: "", en: "v1" } }));
    expect(store.alert("a")?.version).toBe(2);
    store.change(newPublicAlert({ id: "a", version: 3, headline: { "zh-Hant": "", pt: "", en: "v3" } }));
    expect(store.alert("a")?.headline.en).toBe("v3");
  });

  it("drops an alert that is cancelled or expired, and a late active copy cannot bring it back", () => {
    const { store } = setup();
    store.snapshot([newPublicAlert({ id: "a", version: 1 })], "socket");
    store.change(newPublicAlert({ id: "a", version: 2, state: "cancelled" }));
    expect(ids(store)).toEqual([]);
    store.change(newPublicAlert({ id: "a", version: 1 }));
    store.snapshot([newPublicAlert({ id: "a", version: 1 })], "socket");
    expect(ids(store)).toEqual([]);
    // A new version (it was re-issued) is taken.
    store.change(newPublicAlert({ id: "a", version: 3 }));
    expect(ids(store)).toEqual(["a"]);
  });

  it("drops alerts a new snapshot no longer lists", () => {
    const { store } = setup();
    store.snapshot([newPublicAlert({ id: "a" }), newPublicAlert({ id: "b" })], "socket");
    store.snapshot([newPublicAlert({ id: "b" })], "socket");
    expect(ids(store)).toEqual(["b"]);
  });

  it("ignores a duplicate change (same version) without telling the page", () => {
    const { store, notified } = setup();
    const alert = newPublicAlert({ id: "a" });
    store.snapshot([alert], "socket");
    const before = notified();
    store.change({ ...alert });
    expect(notified()).toBe(before);
  });
});

describe("PublicAlertStore: HTTP fallback", () => {
  it("applies the JSON before the stream's snapshot, ignores it while the stream is live, and takes it again when the stream is down", () => {
    const { store } = setup();
    expect(store.loaded).toBe(false);
    expect(store.snapshot([newPublicAlert({ id: "a" })], "http")).toBe(true);
    expect(store.loaded).toBe(true);
    expect(store.live).toBe(false);
    store.snapshot([newPublicAlert({ id: "b" })], "socket");
    expect(store.live).toBe(true);
    expect(store.snapshot([newPublicAlert({ id: "a" })], "http")).toBe(false);
    expect(ids(store)).toEqual(["b"]);
    store.setLive(false);
    expect(store.snapshot([newPublicAlert({ id: "c" })], "http")).toBe(true);
    expect(ids(store)).toEqual(["c"]);
  });
});

describe("PublicAlertStore: expiry", () => {
  it("drops an alert when its expiry passes, by timer, without any message", () => {
    const { clock, store, notified } = setup();
    store.snapshot(
      [
        newPublicAlert({ id: "soon", expires: iso(T0 + 60_000) }),
        newPublicAlert({ id: "later", expires: iso(T0 + 120_000) }),
      ],
      "socket",
    );
    const before = notified();
    clock.advance(59_999);
    expect(ids(store).sort()).toEqual(["later", "soon"]);
    clock.advance(1);
    expect(ids(store)).toEqual(["later"]);
    expect(notified()).toBe(before + 1);
    clock.advance(60_000);
    expect(ids(store)).toEqual([]);
    expect(clock.pendingTasks).toBe(0);
  });

  it("never adds an alert that has already expired, and keeps one without expiry", () => {
    const { store, clock } = setup();
    store.snapshot(
      [newPublicAlert({ id: "gone", expires: iso(T0 - 1) }), newPublicAlert({ id: "open", expires: null })],
      "socket",
    );
    expect(ids(store)).toEqual(["open"]);
    expect(clock.pendingTasks).toBe(0);
  });

  it("moves the timer when an update extends the expiry", () => {
    const { store, clock } = setup();
    store.snapshot([newPublicAlert({ id: "a", version: 1, expires: iso(T0 + 60_000) })], "socket");
    store.change(newPublicAlert({ id: "a", version: 2, expires: iso(T0 + 600_000) }));
    clock.advance(61_000);
    expect(ids(store)).toEqual(["a"]);
    expect(clock.pendingTasks).toBe(1);
    clock.advance(600_000);
    expect(ids(store)).toEqual([]);
  });

  it("waits again when a far expiry is beyond what one timer can wait", () => {
    const { store, clock } = setup();
    const far = T0 + 40 * 24 * 3600_000;
    store.snapshot([newPublicAlert({ id: "a", expires: iso(far) })], "socket");
    clock.advance(2 ** 31 - 1);
    expect(ids(store)).toEqual(["a"]);
    expect(clock.pendingTasks).toBe(1);
    clock.advance(far - clock.time);
    expect(ids(store)).toEqual([]);
  });
});

describe("PublicAlertStore: announcements", () => {
  it("announces nothing for the first load, then new, updated and ended warnings", () => {
    const { store, clock } = setup();
    store.snapshot([newPublicAlert({ id: "a", expires: iso(T0 + 1000) })], "socket");
    expect(store.drainAnnouncements()).toEqual([]);
    store.change(newPublicAlert({ id: "b" }));
    store.change(newPublicAlert({ id: "b", version: 2 }));
    store.change(newPublicAlert({ id: "b", version: 3, state: "cancelled" }));
    clock.advance(1000);
    expect(store.drainAnnouncements().map(({ kind, alert }) => [kind, alert.id])).toEqual([
      ["new", "b"],
      ["updated", "b"],
      ["ended", "b"],
      ["ended", "a"],
    ]);
    expect(store.drainAnnouncements()).toEqual([]);
  });
});

describe("PublicAlertStore: order", () => {
  it("lists the most severe first, then the newest", () => {
    const { store } = setup();
    store.snapshot(
      [
        newPublicAlert({ id: "minor-new", severity: "Minor", sent: iso(T0 + 3000) }),
        newPublicAlert({ id: "severe-old", severity: "Severe", sent: iso(T0) }),
        newPublicAlert({ id: "extreme", severity: "Extreme", sent: iso(T0 - 5000) }),
        newPublicAlert({ id: "severe-new", severity: "Severe", sent: iso(T0 + 2000) }),
        newPublicAlert({ id: "unknown", severity: "Unknown", sent: iso(T0 + 9000) }),
      ],
      "socket",
    );
    expect(ids(store)).toEqual(["extreme", "severe-new", "severe-old", "minor-new", "unknown"]);
  });
});
