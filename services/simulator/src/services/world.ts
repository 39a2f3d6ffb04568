import { devSites, type Region } from "@hub/common";
import { type Camera, CameraState, type Datastream, type Sensor, SensorKind } from "@hub/proto";
import { Random } from "./random.js";

/**
 * The simulated city: cameras and sensors placed on Macao's land outline. Deterministic for a seed.
 *
 * Districts are approximations (nearest parish centre on the peninsula, latitude bands on the islands); the real
 * parish boundaries are not in the bundled outline. Phase sizes are illustrative.
 */
export interface SimCamera extends Camera {
  siteId: string;
}

export interface SimSensor extends Sensor {
  siteId: string;
  /** Where the inner harbour floods first: these water-level sensors drive storm-surge scenarios. */
  innerHarbour: boolean;
}

export interface World {
  cameras: SimCamera[];
  sensors: SimSensor[];
}

const PENINSULA_PARISHES: readonly { name: string; lat: number; lon: number }[] = [
  { name: "Nossa Senhora de Fátima", lat: 22.2095, lon: 113.5515 },
  { name: "Santo António", lat: 22.2015, lon: 113.5405 },
  { name: "São Lázaro", lat: 22.2005, lon: 113.55 },
  { name: "Sé", lat: 22.192, lon: 113.544 },
  { name: "São Lourenço", lat: 22.187, lon: 113.537 },
];

/** Camera density relative to the peninsula, where the network is densest. */
const DENSITY: Record<string, number> = {
  "Nossa Senhora do Carmo (Taipa)": 0.3,
  Cotai: 0.25,
  "São Francisco Xavier (Coloane)": 0.1,
};

/** Cameras installed per phase (sums to 1,701). */
const PHASE_SIZES = [219, 400, 420, 380, 282];

export function districtOf(lat: number, lon: number): string {
  if (lat > 22.172) {
    let best = PENINSULA_PARISHES[0] as (typeof PENINSULA_PARISHES)[number];
    let bestDistance = Infinity;
    for (const parish of PENINSULA_PARISHES) {
      const distance = (parish.lat - lat) ** 2 + (parish.lon - lon) ** 2;
      if (distance < bestDistance) {
        best = parish;
        bestDistance = distance;
      }
    }
    return best.name;
  }
  if (lat > 22.1475) return "Nossa Senhora do Carmo (Taipa)";
  if (lat > 22.1335) return "Cotai";
  return "São Francisco Xavier (Coloane)";
}

function siteFor(district: string): string {
  return devSites.find((site) => site.districts.includes(district))?.id ?? "site-peninsula";
}

function phaseOf(index: number): number {
  let remaining = index;
  for (const [phase, size] of PHASE_SIZES.entries()) {
    if (remaining < size) return phase + 1;
    remaining -= size;
  }
  return PHASE_SIZES.length;
}

function landPoint(region: Region, random: Random, accept: (lat: number, lon: number) => boolean = () => true) {
  const { minLat, maxLat, minLon, maxLon } = region.bbox;
  for (let attempt = 0; attempt < 100_000; attempt += 1) {
    const lat = random.between(minLat, maxLat);
    const lon = random.between(minLon, maxLon);
    if (region.contains(lat, lon) && accept(lat, lon)) return { lat: round(lat), lon: round(lon) };
  }
  throw new Error("could not place a point on land");
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function buildCameras(region: Region, count: number, seed: number): SimCamera[] {
  const random = new Random(seed);
  const cameras: SimCamera[] = [];
  for (let index = 0; index < count; index += 1) {
    const position = landPoint(region, random, (lat, lon) => random.next() <= (DENSITY[districtOf(lat, lon)] ?? 1));
    const district = districtOf(position.lat, position.lon);
    const dome = random.next() < 0.12;
    const id = `MO-CAM-${String(index + 1).padStart(4, "0")}`;
    cameras.push({
      id,
      name: `${district} camera ${index + 1}`,
      position,
      district,
      phase: phaseOf(index),
      fieldOfView: {
        bearingDeg: dome ? 0 : Math.floor(random.between(0, 360)),
        angleDeg: dome ? 360 : random.int(55, 110),
        rangeM: dome ? random.int(40, 80) : random.int(30, 150),
      },
      state: CameraState.CAMERA_STATE_UNSPECIFIED,
      siteId: siteFor(district),
      updatedAt: undefined,
      // Recorded by the site's recorder under its own id (the development stand-in recorder, README "Video evidence").
      video: { liveUri: "", recording: { $case: "recorderCamera", value: id } },
    });
  }
  return cameras;
}

const stream = (id: string, kind: SensorKind, unit: string): Datastream => ({ id, kind, unit });

/** The inner harbour's waterfront (Porto Interior), north to south, just inland of the outline's coast. */
const INNER_HARBOUR: readonly { lat: number; lon: number }[] = [
  { lat: 22.2045, lon: 113.5368 },
  { lat: 22.201, lon: 113.5362 },
  { lat: 22.1975, lon: 113.5356 },
  { lat: 22.1945, lon: 113.5362 },
  { lat: 22.1915, lon: 113.5386 },
  { lat: 22.1885, lon: 113.541 },
];

const LANDMARK_FIRE_DETECTORS: readonly [string, string, { lat: number; lon: number }][] = [
  ["MO-FD-SENADO", "Fire detector, Largo do Senado", { lat: 22.1937, lon: 113.5402 }],
  ["MO-FD-SAOPAULO", "Fire detector, Ruins of St. Paul's", { lat: 22.1972, lon: 113.5412 }],
  ["MO-FD-TAIPA", "Fire detector, Rua do Cunha", { lat: 22.1535, lon: 113.5565 }],
];

export function buildSensors(region: Region, seed: number): SimSensor[] {
  const random = new Random(seed ^ 0x5e5e);
  const sensors: SimSensor[] = [];
  const add = (
    id: string,
    name: string,
    position: { lat: number; lon: number },
    datastreams: Datastream[],
    innerHarbour = false,
  ) => {
    const district = districtOf(position.lat, position.lon);
    sensors.push({ id, name, position, district, datastreams, siteId: "site-iot", innerHarbour, updatedAt: undefined });
  };
  INNER_HARBOUR.forEach((position, index) => {
    add(
      `MO-WL-IH-${index + 1}`,
      `Inner Harbour water level ${index + 1}`,
      position,
      [stream("level", SensorKind.SENSOR_KIND_WATER_LEVEL, "m")],
      true,
    );
  });
  for (let index = 0; index < 6; index += 1) {
    add(`MO-WL-${index + 1}`, `Water level ${index + 1}`, landPoint(region, random), [
      stream("level", SensorKind.SENSOR_KIND_WATER_LEVEL, "m"),
    ]);
  }
  for (let index = 0; index < 10; index += 1) {
    add(`MO-WX-${index + 1}`, `Weather station ${index + 1}`, landPoint(region, random), [
      stream("rain", SensorKind.SENSOR_KIND_RAINFALL, "mm/h"),
      stream("wind", SensorKind.SENSOR_KIND_WIND_SPEED, "m/s"),
      stream("temp", SensorKind.SENSOR_KIND_TEMPERATURE, "Cel"),
      stream("rh", SensorKind.SENSOR_KIND_HUMIDITY, "%"),
    ]);
  }
  // Fire detectors at landmarks the shipped scenarios use, so that a scripted fire is confirmed by a sensor.
  for (const [id, name, position] of LANDMARK_FIRE_DETECTORS) {
    add(id, name, position, [
      stream("smoke", SensorKind.SENSOR_KIND_SMOKE, "%/m"),
      stream("temp", SensorKind.SENSOR_KIND_TEMPERATURE, "Cel"),
    ]);
  }
  for (let index = 0; index < 40; index += 1) {
    add(`MO-FD-${index + 1}`, `Fire detector ${index + 1}`, landPoint(region, random), [
      stream("smoke", SensorKind.SENSOR_KIND_SMOKE, "%/m"),
      stream("temp", SensorKind.SENSOR_KIND_TEMPERATURE, "Cel"),
    ]);
  }
  for (let index = 0; index < 6; index += 1) {
    add(`MO-ST-${index + 1}`, `Structural monitor ${index + 1}`, landPoint(region, random), [
      stream("tilt", SensorKind.SENSOR_KIND_STRUCTURAL_TILT, "deg"),
    ]);
  }
  for (let index = 0; index < 6; index += 1) {
    add(`MO-AQ-${index + 1}`, `Air quality ${index + 1}`, landPoint(region, random), [
      stream("pm25", SensorKind.SENSOR_KIND_AIR_QUALITY, "ug/m3"),
    ]);
  }
  return sensors;
}

export function buildWorld(region: Region, cameraCount: number, seed: number): World {
  return { cameras: buildCameras(region, cameraCount, seed), sensors: buildSensors(region, seed) };
}
