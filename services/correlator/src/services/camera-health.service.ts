import { type PoolClient, topics } from "@hub/common";
import { CameraHealthRecord, CameraState } from "@hub/proto";
import type { CameraHealthChange } from "../repositories/camera-health.repository.js";
import type { OutboxMessage } from "../repositories/outbox.repository.js";
import type { EventRow } from "./records.js";

/** What the service needs of the database (CameraHealthRepository and OutboxRepository in production). */
export interface CameraHealthStore<Tx> {
  heard(tx: Tx, heard: { cameraId: string; at: Date }[], recentS: number): Promise<CameraHealthChange[]>;
  markSilent(tx: Tx, silentAfterS: number, limit: number): Promise<CameraHealthChange[]>;
}
export interface HealthOutbox<Tx> {
  add(tx: Tx, messages: OutboxMessage[]): Promise<void>;
}

const stateProto: Record<string, CameraState> = {
  online: CameraState.CAMERA_STATE_ONLINE,
  degraded: CameraState.CAMERA_STATE_DEGRADED,
  offline: CameraState.CAMERA_STATE_OFFLINE,
  silent: CameraState.CAMERA_STATE_SILENT,
};

/** The outbox message of a change, relayed to hub.camera-health.v1 after commit. */
export function healthMessage(change: CameraHealthChange): OutboxMessage {
  const record = CameraHealthRecord.encode({
    cameraId: change.cameraId,
    state: stateProto[change.state] ?? CameraState.CAMERA_STATE_UNSPECIFIED,
    changedAt: change.changedAt,
    district: change.district,
  }).finish();
  return {
    topic: topics.cameraHealth.name,
    key: change.cameraId,
    value: Buffer.from(record),
    headers: { "hub-type": "hub.v1.CameraHealthRecord" },
  };
}

/** The newest event of each camera in a batch (status reports and detections both count as hearing it). */
export function newestPerCamera(events: EventRow[]): { cameraId: string; at: Date }[] {
  const newest = new Map<string, Date>();
  for (const event of events) {
    if (event.kind === "sensor_reading") continue;
    const seen = newest.get(event.row.cameraId);
    if (!seen || event.row.observedAt > seen) newest.set(event.row.cameraId, event.row.observedAt);
  }
  return [...newest].map(([cameraId, at]) => ({ cameraId, at }));
}

/** Cameras marked silent per sweep transaction (the sweep goes on in new transactions while a round is full). */
export const SWEEP_BATCH = 500;

/**
 * Silent cameras: one that sends no status and no detection for `silentAfterS` turns silent (the sweep, on a
 * timer), and returns to its reported state when heard again (in the writer's transaction). Each change goes to
 * the outbox in the same transaction as the row it reports, so the map never misses or invents one.
 */
export class CameraHealthService<Tx = PoolClient> {
  constructor(
    private readonly silentAfterS: number,
    private readonly deps: { store: CameraHealthStore<Tx>; outbox: HealthOutbox<Tx> },
  ) {}

  async heard(tx: Tx, events: EventRow[]): Promise<number> {
    const changes = await this.deps.store.heard(tx, newestPerCamera(events), this.silentAfterS);
    await this.deps.outbox.add(tx, changes.map(healthMessage));
    return changes.length;
  }

  /** One round: marks at most SWEEP_BATCH cameras silent. Returns how many; a full round means sweep again. */
  async sweep(tx: Tx): Promise<number> {
    const changes = await this.deps.store.markSilent(tx, this.silentAfterS, SWEEP_BATCH);
    await this.deps.outbox.add(tx, changes.map(healthMessage));
    return changes.length;
  }
}
