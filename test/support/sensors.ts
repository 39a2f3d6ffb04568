import { h3Cell, type Pool } from "@hub/common";

/** A sensor with its datastreams, straight into the registry (as ingest's RegisterSensor would). */
export async function insertSensor(
  pool: Pool,
  sensor: {
    id: string;
    name?: string;
    district: string;
    lat: number;
    lon: number;
    datastreams: { id: string; kind: string; unit: string }[];
  },
): Promise<void> {
  await pool.query("INSERT INTO sites (id, name) VALUES ('site-test', 'site-test') ON CONFLICT (id) DO NOTHING");
  await pool.query(
    `INSERT INTO sensors (id, site_id, name, lat, lon, h3_cell, district)
     VALUES ($1, 'site-test', $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [sensor.id, sensor.name ?? sensor.id, sensor.lat, sensor.lon, h3Cell(sensor.lat, sensor.lon), sensor.district],
  );
  for (const datastream of sensor.datastreams) {
    await pool.query(
      `INSERT INTO sensor_datastreams (sensor_id, id, kind, unit) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sensor_id, id) DO NOTHING`,
      [sensor.id, datastream.id, datastream.kind, datastream.unit],
    );
  }
}

/** The water level and rainfall datastreams of newSensor(), as the registry stores them (ingest writes the enum's name). */
export const LEVEL_AND_RAIN = [
  { id: "level", kind: "SENSOR_KIND_WATER_LEVEL", unit: "m" },
  { id: "rain", kind: "SENSOR_KIND_RAINFALL", unit: "mm/h" },
];
