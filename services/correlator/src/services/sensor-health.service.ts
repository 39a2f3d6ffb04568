import type { PoolClient } from "@hub/common";
import type { EventRow } from "./records.js";

/** What the service needs of the database (SensorHealthRepository in production). */
export interface SensorHealthStore<Tx> {
  heard(tx: Tx, heard: { sensorId: string; at: Date }[], recentS: number): Promise<string[]>;
  markSilent(tx: Tx, silentAfterS: number, limit: number): Promise<string[]>;
}

/** The newest reading of each sensor in a batch. */
export function newestPerSensor(events: EventRow[]): { sensorId: string; at: Date }[] {
  const newest = new Map<string, Date>();
  for (const event of events) {
    if (event.kind !== "sensor_reading") continue;
    const seen = newest.get(event.row.sensorId);
    if (!seen || event.row.observedAt > seen) newest.set(event.row.sensorId, event.row.observedAt);
  }
  return [...newest].map(([sensorId, at]) => ({ sensorId, at }));
}

/** Sensors marked silent per sweep transaction (the sweep goes on in new transactions while a round is full). */
export const SENSOR_SWEEP_BATCH = 500;

/**
 * Silent sensors: one that sends no reading for `silentAfterS` turns silent (the sweep, on the correlator's silence
 * timer), and is back when a reading is heard (in the writer's transaction). The map and the sensor panel read the
 * state from the registry (GET /api/v1/sensors); unlike cameras nothing is published on Kafka.
 */
export class SensorHealthService<Tx = PoolClient> {
  constructor(
    private readonly silentAfterS: number,
    private readonly store: SensorHealthStore<Tx>,
  ) {}

  /** Returns how many sensors were heard again after a silence. */
  async heard(tx: Tx, events: EventRow[]): Promise<number> {
    const heard = newestPerSensor(events);
    if (heard.length === 0) return 0;
    return (await this.store.heard(tx, heard, this.silentAfterS)).length;
  }

  /** One round: marks at most SENSOR_SWEEP_BATCH sensors silent. Returns how many; a full round means sweep again. */
  async sweep(tx: Tx): Promise<number> {
    return (await this.store.markSilent(tx, this.silentAfterS, SENSOR_SWEEP_BATCH)).length;
  }
}
