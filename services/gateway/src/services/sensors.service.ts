import { NotFoundError } from "@hub/common";
import type { SensorDetail, SensorSummary } from "@hub/contracts";
import type { SensorRow, SensorsRepository } from "../repositories/sensors.repository.js";

/** The window of the sensor panel's chart. */
const SERIES_HOURS = 24;
/** The sensor list of the dashboard: at most this many (a city has hundreds). */
const MAX_SENSORS = 2000;

const summaryOf = (row: SensorRow): SensorSummary => ({
  id: row.id,
  name: row.name,
  district: row.district,
  lat: row.lat,
  lon: row.lon,
  lastHeardAt: row.lastHeardAt?.toISOString() ?? null,
  silentSince: row.silentSince?.toISOString() ?? null,
});

/** The dashboard's sensor panel: the sensors with their health, and one sensor's latest readings and last 24 h. */
export class SensorsService {
  constructor(private readonly deps: { sensors: SensorsRepository; now?: () => Date }) {}

  async list(): Promise<SensorSummary[]> {
    return (await this.deps.sensors.sensors({ limit: MAX_SENSORS, offset: 0 })).map(summaryOf);
  }

  async detail(id: string): Promise<SensorDetail> {
    const sensor = await this.deps.sensors.sensor(id);
    if (!sensor) throw new NotFoundError("id", `no sensor ${id}`);
    const to = this.deps.now?.() ?? new Date();
    const from = new Date(to.getTime() - SERIES_HOURS * 3_600_000);
    const [datastreams, latest, stats] = await Promise.all([
      this.deps.sensors.datastreams(id, { limit: 100, offset: 0 }),
      this.deps.sensors.latest(id),
      this.deps.sensors.stats(id, from),
    ]);
    return {
      sensor: summaryOf(sensor),
      from: from.toISOString(),
      to: to.toISOString(),
      datastreams: datastreams.map((datastream) => {
        const newest = latest.find((row) => row.datastreamId === datastream.id);
        return {
          id: datastream.id,
          kind: datastream.kind,
          unit: datastream.unit,
          latest: newest ? { value: newest.value, observedAt: newest.observedAt.toISOString() } : null,
          // Buckets of another unit (the datastream's unit changed) are left out: never two units on one chart.
          series: stats
            .filter((row) => row.datastreamId === datastream.id && row.unit === datastream.unit)
            .map((row) => ({ bucket: row.bucket.toISOString(), avg: row.avg, min: row.min, max: row.max })),
        };
      }),
    };
  }
}
