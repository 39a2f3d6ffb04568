import { createLogger } from "@hub/common";
import { describe, expect, it } from "vitest";
import {
  at,
  CountingObserver,
  cameraStatus,
  detection,
  MemoryIncidentStore,
  RecordingPublisher,
  reading,
  rule,
  ruleSet,
} from "../testing/correlation.js";
import { CorrelationService } from "./correlation.service.js";
import { type EventRow, eventKey } from "./records.js";

// CorrelationService against in-memory ports: the rule forms, merging into open incidents, escalation, late and
// out-of-order events, and the silence check. Positions are metres east/north of one point; times seconds after T0.

function setup(...rules: object[]) {
  const store = new MemoryIncidentStore();
  const publisher = new RecordingPublisher();
  const observer = new CountingObserver();
  const service = new CorrelationService(ruleSet(...rules), {
    incidents: store,
    publisher,
    logger: createLogger("correlation-test", "silent"),
    observer,
  });
  /** Stores the batch and correlates it, as the writer does in one transaction. */
  const evaluate = (...events: EventRow[]) => {
    store.store(events);
    return service.evaluate(store.tx, events);
  };
  const incidents = () => [...store.incidents.values()];
  return { store, publisher, observer, service, evaluate, incidents };
}

const fireAt = (east: number, s = 0) => detection({ east, s, objectClass: "fire", confidence: 0.8 });
const smokeAt = (east: number, s = 0, sensor = "smoke-1") => reading({ east, s, sensor, kind: "smoke", value: 12 });
const water = (sensor: string, value: number, east = 0, s = 0) =>
  reading({ sensor, kind: "water_level", value, east, s });
const crowdCount = (s: number, camera = "cam-crowd") =>
  detection({ s, camera, rule: { type: "crowd_count", count: 2500 } });

describe("co-occurrence (fire: a camera detection and a sensor reading)", () => {
  it("opens one incident with both events as evidence when they are within the radius and window", async () => {
    const { evaluate, incidents, store, publisher } = setup(rule.fire());
    const fire = fireAt(0);
    const smoke = smokeAt(100, 30);
    expect(await evaluate(fire, smoke)).toBe(1);
    const [incident] = incidents();
    expect(incidents()).toHaveLength(1);
    expect(incident?.rule_id).toBe("fire");
    expect(incident?.severity).toBe("extreme");
    expect(store.evidenceOf(incident?.id ?? "")).toEqual([fire.row.eventId, smoke.row.eventId].sort());
    expect(publisher.calls).toEqual([[incident?.id]]);
  });

  it("opens nothing when the reading is beyond the radius", async () => {
    const { evaluate, incidents, publisher } = setup(rule.fire());
    expect(await evaluate(fireAt(0), smokeAt(200))).toBe(0);
    expect(incidents()).toEqual([]);
    expect(publisher.calls).toEqual([[]]);
  });

  it("opens nothing when the reading is outside the window", async () => {
    const { evaluate, incidents } = setup(rule.fire());
    await evaluate(fireAt(0, 0));
    await evaluate(smokeAt(50, 121));
    expect(incidents()).toEqual([]);
  });

  it("needs every group: a detection alone, or one below the confidence, opens nothing", async () => {
    const { evaluate, incidents } = setup(rule.fire());
    await evaluate(fireAt(0));
    await evaluate(detection({ east: 1000, objectClass: "fire", confidence: 0.5 }), smokeAt(1000));
    await evaluate(reading({ east: 2000, kind: "smoke", value: 4 }), fireAt(2000));
    expect(incidents()).toEqual([]);
  });

  it("pairs events across batches: the second half arriving later still opens the incident", async () => {
    const { evaluate, incidents } = setup(rule.fire());
    await evaluate(fireAt(0, 0));
    expect(await evaluate(smokeAt(80, 60))).toBe(1);
    expect(incidents()).toHaveLength(1);
  });
});

describe("merging into an open incident", () => {
  it("adds a new event inside the radius to the open incident instead of opening a second one", async () => {
    const { evaluate, incidents, store, observer } = setup(rule.fire());
    await evaluate(fireAt(0, 0), smokeAt(50, 10));
    const [first] = incidents();
    const more = smokeAt(120, 60, "smoke-2");
    expect(await evaluate(more)).toBe(1);
    expect(incidents()).toHaveLength(1);
    expect(store.evidenceOf(first?.id ?? "")).toContain(more.row.eventId);
    expect(store.incidents.get(first?.id ?? "")?.version).toBe(2);
    expect(store.incidents.get(first?.id ?? "")?.last_event_at).toEqual(at(60));
    expect(observer.counts.get("fire:updated")).toBe(1);
  });

  it("opens a second incident for the same rule outside the radius", async () => {
    const { evaluate, incidents } = setup(rule.fire());
    await evaluate(fireAt(0, 0), smokeAt(50, 10));
    await evaluate(fireAt(1000, 20), smokeAt(1050, 30));
    expect(incidents()).toHaveLength(2);
  });

  it("opens a new incident when the open one has had no event within the window", async () => {
    const { evaluate, incidents } = setup(rule.fire());
    await evaluate(fireAt(0, 0), smokeAt(50, 10));
    await evaluate(fireAt(0, 600), smokeAt(50, 610));
    expect(incidents()).toHaveLength(2);
  });

  it("changes nothing and publishes nothing for events it has already linked", async () => {
    const { evaluate, service, store, publisher } = setup(rule.fire());
    const events = [fireAt(0), smokeAt(50, 10)];
    await evaluate(...events);
    expect(await service.evaluate(store.tx, events)).toBe(0);
    expect(publisher.calls.at(-1)).toEqual([]);
  });

  it("converges on the same incident id whatever the order and batching of the events", async () => {
    const fire = fireAt(0, 0);
    const smoke = smokeAt(60, 20);
    const together = setup(rule.fire());
    await together.evaluate(fire, smoke);
    const reversed = setup(rule.fire());
    await reversed.evaluate(smoke);
    await reversed.evaluate(fire);
    expect(reversed.incidents().map((i) => i.id)).toEqual(together.incidents().map((i) => i.id));
  });

  it("does not reuse a resolved incident: the next one gets an id of its own", async () => {
    const { evaluate, incidents, store } = setup(rule.fire());
    const fire = fireAt(0, 0);
    await evaluate(fire, smokeAt(50, 10));
    const [resolved] = incidents();
    if (resolved) resolved.status = "resolved";
    await evaluate(smokeAt(40, 20, "smoke-2"));
    expect(incidents()).toHaveLength(2);
    const reopened = incidents().find((i) => i.status === "open");
    expect(reopened?.id).not.toBe(resolved?.id);
    expect(store.evidenceOf(reopened?.id ?? "")).toContain(fire.row.eventId);
  });

  it("does not reopen a false alarm either: new events open a new incident", async () => {
    const { evaluate, incidents } = setup(rule.fire());
    await evaluate(fireAt(0, 0), smokeAt(50, 10));
    const [dismissed] = incidents();
    if (dismissed) dismissed.status = "false_alarm";
    await evaluate(smokeAt(40, 20, "smoke-2"));
    expect(incidents()).toHaveLength(2);
    expect(incidents().find((i) => i.status === "open")?.id).not.toBe(dismissed?.id);
  });
});

describe("threshold (flood: water at two or more sensors)", () => {
  it("needs the minimum count from distinct sources", async () => {
    const { evaluate, incidents } = setup(rule.flood());
    await evaluate(water("w-1", 0.3, 0, 0));
    expect(incidents()).toEqual([]);
    await evaluate(water("w-1", 0.35, 0, 60));
    expect(incidents()).toEqual([]);
    expect(await evaluate(water("w-2", 0.3, 500, 120))).toBe(1);
    expect(incidents()).toHaveLength(1);
    expect(incidents()[0]?.severity).toBe("moderate");
  });

  it("ignores readings at or below the matcher's level, and sensors beyond the radius", async () => {
    const { evaluate, incidents } = setup(rule.flood());
    await evaluate(water("w-1", 0.3, 0), water("w-2", 0.2, 100), water("w-3", 0.9, 900));
    expect(incidents()).toEqual([]);
  });

  it("takes its severity from the highest step the evidence reaches", async () => {
    const { evaluate, incidents } = setup(rule.flood());
    await evaluate(water("w-1", 0.3, 0), water("w-2", 0.6, 100));
    expect(incidents()[0]?.severity).toBe("severe");
  });

  it("escalates the open incident when new evidence is graver, and never lowers it", async () => {
    const { evaluate, incidents, store } = setup(rule.flood());
    await evaluate(water("w-1", 0.3, 0, 0), water("w-2", 0.4, 100, 10));
    const id = incidents()[0]?.id ?? "";
    expect(store.incidents.get(id)?.severity).toBe("moderate");
    expect(await evaluate(water("w-3", 1.6, 200, 60))).toBe(1);
    expect(store.incidents.get(id)?.severity).toBe("extreme");
    // Milder evidence out of reach of the 1.6 m reading but within the incident's radius.
    expect(await evaluate(water("w-4", 0.3, -700, 90), water("w-5", 0.3, -750, 95))).toBe(1);
    expect(store.evidenceOf(id)).toHaveLength(5);
    expect(store.incidents.get(id)?.severity).toBe("extreme");
    expect(incidents()).toHaveLength(1);
  });
});

describe("threshold with a minimum span (crowd, sustained)", () => {
  it("opens only once the matching events span minSpanS", async () => {
    const { evaluate, incidents } = setup(rule.crowd());
    await evaluate(crowdCount(0), crowdCount(30), crowdCount(60));
    expect(incidents()).toEqual([]);
    await evaluate(crowdCount(120));
    expect(incidents()).toHaveLength(1);
  });

  it("does not count detections below the matcher's crowd size", async () => {
    const { evaluate, incidents } = setup(rule.crowd());
    const small = (s: number) => detection({ s, rule: { type: "crowd_count", count: 1500 } });
    await evaluate(crowdCount(0), small(60), small(120), crowdCount(180));
    expect(incidents()).toEqual([]);
  });
});

describe("single-event rules", () => {
  it("opens one camera-fault incident per camera and merges repeats from the same camera", async () => {
    const { evaluate, incidents, store } = setup(rule.cameraFault());
    await evaluate(cameraStatus({ camera: "cam-1", signalLoss: true, s: 0 }));
    await evaluate(cameraStatus({ camera: "cam-1", state: "offline", s: 60 }));
    await evaluate(cameraStatus({ camera: "cam-2", sceneChange: true, s: 60 }));
    await evaluate(cameraStatus({ camera: "cam-3", state: "online", s: 60 }));
    expect(
      incidents()
        .map((i) => i.title)
        .sort(),
    ).toEqual(["Camera fault: cam-1", "Camera fault: cam-2"]);
    const cam1 = incidents().find((i) => i.title.endsWith("cam-1"));
    expect(store.evidenceOf(cam1?.id ?? "")).toHaveLength(2);
  });

  it("opens a watch-list incident only for a plate on the list", async () => {
    const { evaluate, incidents, store } = setup(rule.watchList());
    store.watched.set("MP-12-34", "WL-0A1B2C3D4E5F");
    await evaluate(detection({ objectClass: "car", plate: "AB-99-99" }));
    expect(incidents()).toEqual([]);
    await evaluate(detection({ objectClass: "car", plate: "MP-12-34", camera: "cam-7" }));
    expect(incidents().map((i) => [i.title, i.severity])).toEqual([
      ["Watch-list vehicle seen by camera cam-7 (WL-0A1B2C3D4E5F)", "severe"],
    ]);
  });

  it("names a watch-listed plate by its watch-list reference only, never by its text", async () => {
    const { evaluate, incidents, store } = setup(rule.watchList());
    store.watched.set("MP-12-34", "WL-0A1B2C3D4E5F");
    await evaluate(detection({ objectClass: "car", plate: "MP-12-34", camera: "cam-7" }));
    const [incident] = incidents();
    expect(incident?.correlation_key).toMatch(/^WL-0A1B2C3D4E5F@\d+$/);
    expect(JSON.stringify(incident)).not.toContain("MP-12-34");
  });

  it("follows a watch-listed plate across cameras as one incident, however far apart", async () => {
    const { evaluate, incidents, store } = setup(rule.watchList());
    store.watched.set("MP-12-34", "WL-0A1B2C3D4E5F");
    await evaluate(detection({ plate: "MP-12-34", camera: "cam-1", s: 0 }));
    await evaluate(detection({ plate: "MP-12-34", camera: "cam-9", east: 3000, s: 100 }));
    expect(incidents()).toHaveLength(1);
    expect(store.evidenceOf(incidents()[0]?.id ?? "")).toHaveLength(2);
  });

  it("records every sighting of a watched plate as a hit of its entry, with the incident it went to", async () => {
    const { evaluate, incidents, store } = setup(rule.watchList());
    store.watched.set("MP-12-34", "WL-0A1B2C3D4E5F");
    const seen = detection({ plate: "MP-12-34", camera: "cam-7" });
    await evaluate(seen, detection({ plate: "AB-99-99", camera: "cam-7" }));
    expect(store.hits).toEqual([
      {
        entryId: "entry-WL-0A1B2C3D4E5F",
        siteId: seen.row.siteId,
        eventId: seen.row.eventId,
        cameraId: "cam-7",
        plate: "MP-12-34",
        observedAt: seen.row.observedAt,
        incidentId: incidents()[0]?.id,
      },
    ]);
  });
});

describe("late and out-of-order events", () => {
  it("never opens an incident from a late event, and records it", async () => {
    const { evaluate, incidents, store } = setup(rule.cameraFault());
    const late = cameraStatus({ camera: "cam-1", signalLoss: true, s: 0, lagS: 300 });
    expect(await evaluate(late)).toBe(0);
    expect(incidents()).toEqual([]);
    expect(store.late.map((l) => [l.eventId, l.ruleId])).toEqual([[late.row.eventId, "camera-fault"]]);
    expect(store.late[0]?.reason).toMatch(/ingested 300 s after/);
  });

  it("lets a late event join an open incident, marked late", async () => {
    const { evaluate, incidents, store, observer } = setup(rule.fire());
    await evaluate(fireAt(0, 0), smokeAt(50, 10));
    const id = incidents()[0]?.id ?? "";
    const late = reading({ east: 30, s: 30, lagS: 400, sensor: "smoke-9", kind: "smoke", value: 20 });
    expect(await evaluate(late)).toBe(1);
    expect(store.evidence.get(id)?.get(eventKey(late.row))?.late).toBe(true);
    expect(store.late).toEqual([]);
    expect(observer.counts.get("fire:late")).toBe(1);
  });

  it("moves the incident's first event earlier when an event observed before it arrives afterwards", async () => {
    const { evaluate, incidents, store } = setup(rule.fire());
    await evaluate(fireAt(0, 100), smokeAt(50, 110));
    const id = incidents()[0]?.id ?? "";
    expect(store.incidents.get(id)?.first_event_at).toEqual(at(100));
    await evaluate(smokeAt(20, 40, "smoke-early"));
    expect(incidents()).toHaveLength(1);
    expect(store.incidents.get(id)?.first_event_at).toEqual(at(40));
    expect(store.incidents.get(id)?.last_event_at).toEqual(at(110));
  });
});

describe("batches", () => {
  it("looks the neighbourhood up once per rule for a batch of triggers, not once per event", async () => {
    const { evaluate, store, incidents } = setup(rule.flood());
    await evaluate(...Array.from({ length: 10 }, (_, i) => water(`w-${i}`, 0.3, i * 20, i)));
    expect(store.eventsNearCalls).toBe(1);
    expect(incidents()).toHaveLength(1);
  });

  it("looks the neighbourhoods of every rule up together: one look-up per table and batch", async () => {
    const traffic = {
      ...rule.crowd(),
      id: "traffic",
      kind: "traffic",
      match: { source: "detection", ruleTypes: ["stopped_vehicle"] },
      minCount: 2,
      minSpanS: 0,
      distinctSources: 2,
    };
    const { evaluate, store, incidents } = setup(rule.crowd(), traffic);
    const crowdAt = (s: number) =>
      detection({ east: 3000, s, camera: "cam-crowd", rule: { type: "crowd_count", count: 2500 } });
    const stopped = (camera: string, east: number) =>
      detection({ east, s: 10, camera, rule: { type: "stopped_vehicle" } });
    // Crowd and traffic triggers far apart in one batch, and a lone stopped vehicle: one detections look-up.
    await evaluate(
      crowdAt(0),
      crowdAt(60),
      crowdAt(120),
      stopped("cam-a", 0),
      stopped("cam-b", 50),
      stopped("cam-c", 9000),
    );
    expect(store.eventsNearCalls).toBe(1);
    expect(
      incidents()
        .map((incident) => incident.rule_id)
        .sort(),
    ).toEqual(["crowd", "traffic"]);
  });

  it("publishes each changed incident once per batch, in the caller's transaction", async () => {
    const { evaluate, publisher } = setup(rule.fire(), rule.flood());
    await evaluate(fireAt(0), smokeAt(50), smokeAt(60, 5, "smoke-2"), water("w-1", 0.3, 5000), water("w-2", 0.3, 5100));
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0]).toHaveLength(2);
    expect(new Set(publisher.calls[0]).size).toBe(2);
  });
});

describe("silence check (absence rule)", () => {
  it("opens one incident per silence, idempotently, and a new one after the camera is heard and falls silent again", async () => {
    const { service, store, incidents, publisher } = setup(rule.cameraSilent());
    store.cameras.set("cam-1", { id: "cam-1", east: 0, north: 0, lastStatusAt: at(0) });
    store.cameras.set("cam-2", { id: "cam-2", east: 500, north: 0, lastStatusAt: at(200) });
    store.now = at(400);
    expect(await service.checkSilence(store.tx)).toBe(1);
    expect(incidents().map((i) => i.title)).toEqual(["Camera fault: no heartbeat: cam-1"]);
    expect(await service.checkSilence(store.tx)).toBe(0);
    expect(publisher.calls.at(-1)).toEqual([]);
    store.cameras.set("cam-1", { id: "cam-1", east: 0, north: 0, lastStatusAt: at(500) });
    store.now = at(900);
    expect(await service.checkSilence(store.tx)).toBe(2);
    expect(incidents()).toHaveLength(3);
  });

  it("does nothing without an absence rule", async () => {
    const { service, store, incidents } = setup(rule.cameraFault());
    store.cameras.set("cam-1", { id: "cam-1", east: 0, north: 0, lastStatusAt: at(0) });
    store.now = at(10_000);
    expect(await service.checkSilence(store.tx)).toBe(0);
    expect(incidents()).toEqual([]);
  });
});
