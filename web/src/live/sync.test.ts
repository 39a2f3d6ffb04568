import type { Envelope, Snapshot, SubscribeRequest, SubscribeResponse } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { newCamera, newIncident, newSnapshot, newStatusChange } from "../testing/factories";
import { FakeScheduler } from "../testing/fake-scheduler";
import type { LiveChange } from "./changes";
import { LiveStore } from "./store";
import { LiveSync } from "./sync";

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A fake gateway: every subscribe and snapshot call waits until the test answers it. */
class FakeGateway {
  subscribes: { request: SubscribeRequest; reply: Deferred<SubscribeResponse> }[] = [];
  snapshots: Deferred<Snapshot>[] = [];
  ports = {
    subscribe: (request: SubscribeRequest) => {
      const reply = deferred<SubscribeResponse>();
      this.subscribes.push({ request, reply });
      return reply.promise;
    },
    fetchSnapshot: () => {
      const reply = deferred<Snapshot>();
      this.snapshots.push(reply);
      return reply.promise;
    },
  };
  async ack(epoch: string, seq: number, index = this.subscribes.length - 1): Promise<void> {
    this.subscribes[index]?.reply.resolve({ ok: true, area: "city", epoch, seq });
    await settle();
  }
  async snapshot(snapshot: Snapshot, index = this.snapshots.length - 1): Promise<void> {
    this.snapshots[index]?.resolve(snapshot);
    await settle();
  }
}

function setup() {
  const scheduler = new FakeScheduler();
  const store = new LiveStore();
  const gateway = new FakeGateway();
  const errors: unknown[] = [];
  const sync = new LiveSync(store, gateway.ports, { scheduler, onError: (error) => errors.push(error) });
  return { scheduler, store, gateway, sync, errors };
}

const incidentEvent = (seq: number, incident = newIncident(), epoch = "E1"): Envelope<LiveChange[]> => ({
  epoch,
  seq,
  data: [{ kind: "incident", incident }],
});

/** What the store holds, for comparing two stores. */
const picture = (store: LiveStore) => ({
  cameras: store.cameras(),
  incidents: store.incidents(),
  alerts: store.alerts(),
  sensors: store.sensors(),
});

describe("LiveSync reconnect protocol", () => {
  it("subscribes, buffers events during the snapshot, then applies them on top of it and goes live", async () => {
    const { store, gateway, sync } = setup();
    const known = newIncident({ version: 1 });
    const fresh = newIncident();
    sync.connected();
    expect(sync.status.state).toBe("resyncing");
    expect(gateway.subscribes[0]?.request).toEqual({ area: "city" });
    await gateway.ack("E1", 5);
    expect(gateway.snapshots).toHaveLength(1);
    sync.receive(incidentEvent(6, { ...known, status: "acknowledged", version: 2 }));
    sync.receive(incidentEvent(7, fresh));
    expect(store.incidents()).toEqual([]); // nothing before the snapshot
    await gateway.snapshot(newSnapshot({ incidents: [known] }));
    expect(sync.status).toEqual({ state: "live", epoch: "E1", seq: 7 });
    expect(store.incident(known.id)?.status).toBe("acknowledged");
    expect(store.incident(fresh.id)).toEqual(fresh);
  });

  it("keeps the snapshot's newer copy when a buffered event is older (race resolved by version)", async () => {
    const { store, gateway, sync } = setup();
    const incident = newIncident({ status: "acknowledged", version: 4 });
    sync.connected();
    await gateway.ack("E1", 0);
    sync.receive(incidentEvent(1, { ...incident, status: "open", version: 3 }));
    await gateway.snapshot(newSnapshot({ incidents: [incident] }));
    expect(store.incident(incident.id)?.status).toBe("acknowledged");
  });

  it("drops events that overtook the ack and that the snapshot already covers", async () => {
    const { store, gateway, sync } = setup();
    const resolvedEarlier = newIncident({ version: 1 });
    sync.connected();
    sync.receive(incidentEvent(5, resolvedEarlier)); // seq 5 <= ack seq: in the snapshot (which no longer lists it)
    await gateway.ack("E1", 5);
    await gateway.snapshot(newSnapshot());
    expect(store.incidents()).toEqual([]);
  });

  it("hands live changes to the store coalesced, at most once per flush interval", async () => {
    const { scheduler, store, gateway, sync } = setup();
    const camera = newCamera({ version: 1 });
    sync.connected();
    await gateway.ack("E1", 0);
    await gateway.snapshot(newSnapshot({ cameras: [camera] }));
    const revision = store.getRevision();
    for (let seq = 1; seq <= 500; seq += 1)
      sync.receive({
        epoch: "E1",
        seq,
        data: [{ kind: "camera", change: newStatusChange(camera, { version: seq + 1 }) }],
      });
    expect(store.getRevision()).toBe(revision);
    scheduler.advance(20);
    expect(store.getRevision()).toBe(revision + 1);
    expect(store.camera(camera.id)?.version).toBe(501);
    expect(sync.status.seq).toBe(500);
  });

  it("after a gap, resubscribes and ends with exactly what a fresh page load shows", async () => {
    const { scheduler, store, gateway, sync } = setup();
    const a = newIncident();
    const b = newIncident();
    sync.connected();
    await gateway.ack("E1", 0);
    await gateway.snapshot(newSnapshot({ incidents: [a, b] }));
    sync.receive(incidentEvent(1, { ...a, status: "acknowledged", version: 2 }));
    scheduler.advance(20);
    // seq 2 (b resolved) is lost; seq 3 shows the gap.
    sync.receive(incidentEvent(3, newIncident()));
    expect(sync.status.state).toBe("resyncing");
    expect(gateway.subscribes).toHaveLength(2);
    await gateway.ack("E1", 3);
    const c = newIncident();
    const serverNow = newSnapshot({ incidents: [{ ...a, status: "acknowledged", version: 2 }, c] });
    await gateway.snapshot(serverNow);
    scheduler.advance(20);

    const fresh = new LiveStore();
    fresh.replace(serverNow);
    expect(picture(store)).toEqual(picture(fresh));
    expect(sync.status).toEqual({ state: "live", epoch: "E1", seq: 3 });
  });

  it("resyncs when the gateway restarted (another epoch)", async () => {
    const { gateway, sync } = setup();
    sync.connected();
    await gateway.ack("E1", 10);
    await gateway.snapshot(newSnapshot());
    sync.receive(incidentEvent(1, newIncident(), "E2"));
    expect(sync.status.state).toBe("resyncing");
    expect(gateway.subscribes).toHaveLength(2);
  });

  it("ignores the answer of an attempt that a newer one replaced", async () => {
    const { store, gateway, sync } = setup();
    const stale = newIncident();
    sync.connected();
    await gateway.ack("E1", 0);
    sync.receive(incidentEvent(2, newIncident())); // gap while the first snapshot is on its way
    await gateway.ack("E1", 2, 1);
    await gateway.snapshot(newSnapshot({ incidents: [stale] }), 0); // the first attempt's answer, late
    expect(store.incidents()).toEqual([]);
    expect(sync.status.state).toBe("resyncing");
    await gateway.snapshot(newSnapshot(), 1);
    expect(sync.status.state).toBe("live");
    expect(store.incidents()).toEqual([]);
  });

  it("retries with a growing delay when the snapshot fails", async () => {
    const { scheduler, gateway, sync, errors } = setup();
    sync.connected();
    await gateway.ack("E1", 0);
    gateway.snapshots[0]?.reject(new Error("503"));
    await settle();
    expect(errors).toHaveLength(1);
    scheduler.advance(999);
    expect(gateway.subscribes).toHaveLength(1);
    scheduler.advance(1);
    expect(gateway.subscribes).toHaveLength(2);
    await gateway.ack("E1", 0);
    gateway.snapshots[1]?.reject(new Error("503"));
    await settle();
    scheduler.advance(1999);
    expect(gateway.subscribes).toHaveLength(2);
    scheduler.advance(1);
    expect(gateway.subscribes).toHaveLength(3);
  });

  it("trusts nothing while disconnected and starts over on reconnect", async () => {
    const { store, gateway, sync } = setup();
    sync.connected();
    await gateway.ack("E1", 0);
    await gateway.snapshot(newSnapshot());
    sync.disconnected();
    expect(sync.status.state).toBe("reconnecting");
    sync.receive(incidentEvent(1));
    sync.connected();
    await gateway.ack("E1", 1);
    await gateway.snapshot(newSnapshot());
    expect(store.incidents()).toEqual([]);
    expect(sync.status.state).toBe("live");
  });
});

describe("LiveSync detections", () => {
  it("subscribes again with the selected camera, keeping the seq when nothing was missed", async () => {
    const { gateway, sync } = setup();
    sync.connected();
    await gateway.ack("E1", 0);
    await gateway.snapshot(newSnapshot());
    sync.receive(incidentEvent(1));
    sync.setDetections(["cam-7"]);
    expect(gateway.subscribes[1]?.request).toEqual({ area: "city", detections: ["cam-7"] });
    await gateway.ack("E1", 1);
    expect(sync.status.state).toBe("live");
    expect(gateway.subscribes).toHaveLength(2);
  });

  it("resyncs when the detection resubscribe shows a missed event", async () => {
    const { gateway, sync } = setup();
    sync.connected();
    await gateway.ack("E1", 0);
    await gateway.snapshot(newSnapshot());
    sync.setDetections(["cam-7"]);
    await gateway.ack("E1", 4);
    expect(sync.status.state).toBe("resyncing");
    expect(gateway.subscribes[2]?.request).toEqual({ area: "city", detections: ["cam-7"] });
  });

  it("follows the area without detections when the role may not stream them", async () => {
    const { gateway, sync, errors } = setup();
    sync.setDetections(["cam-7"]);
    sync.connected();
    gateway.subscribes[0]?.reply.resolve({
      ok: false,
      error: { type: "about:blank", title: "Forbidden", status: 403, detail: "role" },
    });
    await settle();
    expect(errors).toHaveLength(1);
    expect(gateway.subscribes[1]?.request).toEqual({ area: "city" });
    await gateway.ack("E1", 0);
    await gateway.snapshot(newSnapshot());
    expect(sync.status.state).toBe("live");
  });
});
