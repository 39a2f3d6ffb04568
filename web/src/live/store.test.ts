import { describe, expect, it } from "vitest";
import {
  iso,
  newAlert,
  newCamera,
  newCounters,
  newIncident,
  newReading,
  newSnapshot,
  newStatusChange,
  T0,
} from "../testing/factories";
import { LiveStore, NEW_INCIDENT_MS } from "./store";

function storeAt(time = T0) {
  const clock = { now: time };
  const store = new LiveStore({ now: () => clock.now });
  return { store, clock };
}

describe("LiveStore snapshot", () => {
  it("replaces everything: what the new snapshot does not list is gone", () => {
    const { store } = storeAt();
    const [a, b] = [newIncident(), newIncident()];
    const camera = newCamera();
    store.replace(newSnapshot({ cameras: [camera, newCamera()], incidents: [a, b], alerts: [newAlert()] }));
    store.replace(newSnapshot({ cameras: [camera], incidents: [b] }));
    expect(store.cameras()).toEqual([camera]);
    expect(store.incidents().map((i) => i.id)).toEqual([b.id]);
    expect(store.alerts()).toEqual([]);
  });

  it("keeps only open and acknowledged incidents and active alerts", () => {
    const { store } = storeAt();
    const open = newIncident({ status: "acknowledged" });
    store.replace(
      newSnapshot({
        incidents: [open, newIncident({ status: "resolved" })],
        alerts: [newAlert({ state: "expired" })],
      }),
    );
    expect(store.incidents()).toEqual([open]);
    expect(store.alerts()).toEqual([]);
  });

  it("keeps a water level and a rainfall reading of the same sensor apart", () => {
    const { store } = storeAt();
    const level = newReading({ sensorId: "s1", kind: "water_level" });
    const rain = newReading({ sensorId: "s1", kind: "rainfall", value: 12, unit: "mm/h" });
    store.replace(newSnapshot({ sensors: [level, rain] }));
    expect(store.sensors()).toHaveLength(2);
  });
});

describe("LiveStore merge by version", () => {
  it("applies a newer camera status and ignores an older or equal one", () => {
    const { store } = storeAt();
    const camera = newCamera({ version: 100 });
    store.replace(newSnapshot({ cameras: [camera] }));
    store.apply([{ kind: "camera", change: newStatusChange(camera, { state: "offline", version: 200 }) }]);
    store.apply([{ kind: "camera", change: newStatusChange(camera, { state: "degraded", version: 150 }) }]);
    store.apply([{ kind: "camera", change: newStatusChange(camera, { state: "degraded", version: 200 }) }]);
    expect(store.camera(camera.id)).toMatchObject({ state: "offline", version: 200, lastStatusAt: iso(200) });
  });

  it("ignores status of a camera the snapshot did not list", () => {
    const { store } = storeAt();
    store.replace(newSnapshot());
    const stranger = newCamera();
    store.apply([{ kind: "camera", change: newStatusChange(stranger) }]);
    expect(store.cameras()).toEqual([]);
  });

  it("removes a resolved incident and keeps an older copy from bringing it back", () => {
    const { store } = storeAt();
    const incident = newIncident({ version: 3 });
    store.replace(newSnapshot({ incidents: [incident] }));
    store.apply([{ kind: "incident", incident: { ...incident, status: "resolved", version: 5 } }]);
    store.apply([{ kind: "incident", incident: { ...incident, status: "acknowledged", version: 4 } }]);
    expect(store.incidents()).toEqual([]);
  });

  it("removes an incident closed as a false alarm, and leaves dispatched ones in the list", () => {
    const { store } = storeAt();
    const dismissed = newIncident({ version: 3 });
    const dispatched = newIncident({ status: "dispatched" });
    store.replace(newSnapshot({ incidents: [dismissed, dispatched, newIncident({ status: "false_alarm" })] }));
    store.apply([{ kind: "incident", incident: { ...dismissed, status: "false_alarm", version: 4 } }]);
    expect(store.incidents().map((i) => i.id)).toEqual([dispatched.id]);
  });

  it("keeps the snapshot's incident when a live copy is older (snapshot/event race)", () => {
    const { store } = storeAt();
    const incident = newIncident({ status: "acknowledged", version: 7 });
    store.replace(newSnapshot({ incidents: [incident] }));
    store.apply([{ kind: "incident", incident: { ...incident, status: "open", version: 6 } }]);
    expect(store.incident(incident.id)?.status).toBe("acknowledged");
  });

  it("removes an alert that is no longer active", () => {
    const { store } = storeAt();
    const alert = newAlert({ version: 1 });
    store.replace(newSnapshot({ alerts: [alert] }));
    store.apply([{ kind: "alert", alert: { ...alert, state: "cancelled", version: 2 } }]);
    store.apply([{ kind: "alert", alert: { ...alert, version: 1 } }]);
    expect(store.alerts()).toEqual([]);
  });

  it("keeps the newest sensor reading and the newest counters", () => {
    const { store } = storeAt();
    const reading = newReading({ version: 10, value: 0.1 });
    store.replace(newSnapshot({ sensors: [reading], counters: newCounters({ at: iso(T0 + 2000) }) }));
    store.apply([
      { kind: "sensor", reading: { ...reading, version: 20, value: 0.4 } },
      { kind: "sensor", reading: { ...reading, version: 15, value: 0.2 } },
      { kind: "counters", counters: newCounters({ at: iso(T0 + 1000), openIncidents: 99 }) },
    ]);
    expect(store.sensors()[0]?.value).toBe(0.4);
    expect(store.counters()?.openIncidents).toBe(3);
  });

  it("sorts incidents by severity, then the most recently opened", () => {
    const { store } = storeAt();
    const minorNew = newIncident({ severity: "minor", openedAt: iso(T0 + 5000) });
    const extremeOld = newIncident({ severity: "extreme", openedAt: iso(T0) });
    const severeOld = newIncident({ severity: "severe", openedAt: iso(T0) });
    const severeNew = newIncident({ severity: "severe", openedAt: iso(T0 + 1000) });
    store.replace(newSnapshot({ incidents: [minorNew, severeOld, extremeOld, severeNew] }));
    expect(store.incidents().map((i) => i.id)).toEqual([extremeOld.id, severeNew.id, severeOld.id, minorNew.id]);
  });
});

describe("LiveStore notifications and revisions", () => {
  it("tells listeners once per apply and bumps only the layers that changed", () => {
    const { store } = storeAt();
    const camera = newCamera({ version: 1 });
    store.replace(newSnapshot({ cameras: [camera] }));
    let calls = 0;
    store.subscribe(() => calls++);
    const before = store.revisions;
    store.apply([
      { kind: "camera", change: newStatusChange(camera, { version: 2 }) },
      { kind: "camera", change: newStatusChange(camera, { version: 3 }) },
    ]);
    expect(calls).toBe(1);
    expect(store.revisions.cameras).toBe(before.cameras + 1);
    expect(store.revisions.incidents).toBe(before.incidents);
  });

  it("does not notify when nothing changed, and memoises lists per revision", () => {
    const { store } = storeAt();
    const camera = newCamera({ version: 5 });
    store.replace(newSnapshot({ cameras: [camera] }));
    const list = store.cameras();
    let calls = 0;
    store.subscribe(() => calls++);
    store.apply([{ kind: "camera", change: newStatusChange(camera, { version: 4 }) }]);
    expect(calls).toBe(0);
    expect(store.cameras()).toBe(list);
  });
});

describe("LiveStore new-incident highlight and announcements", () => {
  it("highlights a live incident for NEW_INCIDENT_MS and announces it once", () => {
    const { store, clock } = storeAt();
    store.replace(newSnapshot());
    const incident = newIncident();
    store.apply([{ kind: "incident", incident }]);
    expect(store.isNew(incident.id)).toBe(true);
    expect(store.drainAnnouncements()).toEqual([incident]);
    expect(store.drainAnnouncements()).toEqual([]);
    store.apply([{ kind: "incident", incident: { ...incident, version: 2 } }]);
    expect(store.drainAnnouncements()).toEqual([]);
    clock.now += NEW_INCIDENT_MS;
    expect(store.isNew(incident.id)).toBe(false);
  });

  it("measures a snapshot incident's age on the server's clock and does not announce on first load", () => {
    const { store } = storeAt(T0 + 999_999); // the client's clock is far off
    const fresh = newIncident({ openedAt: iso(T0 - 5_000) });
    const old = newIncident({ openedAt: iso(T0 - 60_000) });
    store.replace(newSnapshot({ takenAt: iso(T0), incidents: [fresh, old] }));
    expect(store.isNew(fresh.id)).toBe(true);
    expect(store.isNew(old.id)).toBe(false);
    expect(store.drainAnnouncements()).toEqual([]);
    expect(store.nextHighlightExpiry()).toBe(T0 + 999_999 + NEW_INCIDENT_MS - 5_000);
  });

  it("announces an incident that opened during a disconnection when the resync snapshot brings it", () => {
    const { store } = storeAt();
    store.replace(newSnapshot());
    const missed = newIncident({ openedAt: iso(T0 - 2_000) });
    store.replace(newSnapshot({ takenAt: iso(T0), incidents: [missed] }));
    expect(store.drainAnnouncements()).toEqual([missed]);
  });
});
