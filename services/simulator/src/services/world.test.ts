import { macaoLandPath, Region } from "@hub/common";
import { SensorKind } from "@hub/proto";
import { describe, expect, it } from "vitest";
import { buildWorld, districtOf } from "./world.js";

const region = Region.fromFile(macaoLandPath);

describe("buildWorld", () => {
  const world = buildWorld(region, 1701, 853);

  it("places 1,701 cameras with unique ids on Macao's land, in five phases", () => {
    expect(world.cameras).toHaveLength(1701);
    expect(new Set(world.cameras.map((camera) => camera.id)).size).toBe(1701);
    for (const camera of world.cameras) {
      expect(region.contains(camera.position?.lat ?? 0, camera.position?.lon ?? 0)).toBe(true);
    }
    const phases = new Map<number, number>();
    for (const camera of world.cameras) phases.set(camera.phase, (phases.get(camera.phase) ?? 0) + 1);
    expect([...phases.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("spreads cameras over all districts, densest per area on the peninsula", () => {
    const districts = new Set(world.cameras.map((camera) => camera.district));
    expect(districts.size).toBe(8);
    const peninsula = world.cameras.filter((camera) => (camera.position?.lat ?? 0) > 22.172).length;
    expect(peninsula).toBeGreaterThan(world.cameras.length / 2);
  });

  it("gives every camera a valid field of view", () => {
    for (const { fieldOfView } of world.cameras) {
      expect(fieldOfView?.bearingDeg).toBeGreaterThanOrEqual(0);
      expect(fieldOfView?.bearingDeg).toBeLessThan(360);
      expect(fieldOfView?.angleDeg).toBeGreaterThan(0);
      expect(fieldOfView?.angleDeg).toBeLessThanOrEqual(360);
      expect(fieldOfView?.rangeM).toBeGreaterThan(0);
    }
  });

  it("builds the same city for the same seed and another for another seed", () => {
    expect(buildWorld(region, 50, 853).cameras).toEqual(buildWorld(region, 50, 853).cameras);
    expect(buildWorld(region, 50, 854).cameras).not.toEqual(buildWorld(region, 50, 853).cameras);
  });

  it("has water-level sensors along the Inner Harbour and the other sensor kinds", () => {
    const innerHarbour = world.sensors.filter((sensor) => sensor.innerHarbour);
    expect(innerHarbour.length).toBeGreaterThanOrEqual(4);
    for (const sensor of innerHarbour) {
      expect(sensor.datastreams.map((stream) => stream.kind)).toEqual([SensorKind.SENSOR_KIND_WATER_LEVEL]);
      expect(sensor.position?.lon).toBeLessThan(113.545);
    }
    const kinds = new Set(world.sensors.flatMap((sensor) => sensor.datastreams.map((stream) => stream.kind)));
    for (const kind of [
      SensorKind.SENSOR_KIND_RAINFALL,
      SensorKind.SENSOR_KIND_WIND_SPEED,
      SensorKind.SENSOR_KIND_SMOKE,
    ]) {
      expect(kinds.has(kind)).toBe(true);
    }
  });
});

describe("districtOf", () => {
  it("names the parish, Taipa, Cotai and Coloane", () => {
    expect(districtOf(22.1935, 113.5395)).toBe("Sé");
    expect(districtOf(22.211, 113.55)).toBe("Nossa Senhora de Fátima");
    expect(districtOf(22.156, 113.556)).toBe("Nossa Senhora do Carmo (Taipa)");
    expect(districtOf(22.14, 113.565)).toBe("Cotai");
    expect(districtOf(22.12, 113.565)).toBe("São Francisco Xavier (Coloane)");
  });
});
