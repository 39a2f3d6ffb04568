import { describe, expect, it } from "vitest";
import { newAlert, newCamera, newIncident, newReading } from "../testing/factories";
import {
  alertFeatures,
  cameraFeatures,
  countCameraStates,
  fovFeatures,
  incidentFeatures,
  sensorFeatures,
  sensorLevel,
} from "./features";

describe("cameraFeatures", () => {
  it("makes one point per camera, [lon, lat], with its state", () => {
    const cameras = [newCamera({ lat: 22.1, lon: 113.5, state: "offline" }), newCamera()];
    const collection = cameraFeatures(cameras);
    expect(collection.features).toHaveLength(2);
    expect(collection.features[0]?.geometry.coordinates).toEqual([113.5, 22.1]);
    expect(collection.features[0]?.properties).toMatchObject({ id: cameras[0]?.id, state: "offline" });
  });

  it("counts cameras per state", () => {
    const cameras = [
      newCamera({ state: "offline" }),
      newCamera({ state: "offline" }),
      newCamera(),
      newCamera({ state: "silent" }),
    ];
    expect(countCameraStates(cameras)).toEqual({
      online: 1,
      degraded: 0,
      offline: 2,
      silent: 1,
      maintenance: 0,
      unknown: 0,
    });
  });
});

describe("fovFeatures", () => {
  it("draws the selected camera, and the hovered one only when it is another camera", () => {
    const selected = newCamera();
    const other = newCamera();
    expect(fovFeatures(selected, selected).features.map((f) => f.properties.role)).toEqual(["selected"]);
    expect(fovFeatures(selected, other).features.map((f) => f.properties.role)).toEqual(["hovered", "selected"]);
    expect(fovFeatures(undefined, undefined).features).toEqual([]);
    const ring = fovFeatures(selected, undefined).features[0]?.geometry.coordinates[0];
    expect(ring?.[0]).toEqual([selected.lon, selected.lat]);
  });
});

describe("incidentFeatures", () => {
  it("orders by severity so the most severe is drawn last (on top) and marks new ones", () => {
    const extreme = newIncident({ severity: "extreme" });
    const minor = newIncident({ severity: "minor" });
    const collection = incidentFeatures([extreme, minor], (id) => id === minor.id);
    expect(collection.features.map((f) => f.properties.id)).toEqual([minor.id, extreme.id]);
    expect(collection.features.map((f) => [f.properties.rank, f.properties.isNew])).toEqual([
      [0, true],
      [3, false],
    ]);
  });
});

describe("sensors", () => {
  it("grades water level against road level and rainfall against the rainstorm signals", () => {
    expect(sensorLevel("water_level", -1.2)).toBe(0);
    expect(sensorLevel("water_level", 0.2)).toBe(1);
    expect(sensorLevel("water_level", 0.62)).toBe(2);
    expect(sensorLevel("rainfall", 5)).toBe(0);
    expect(sensorLevel("rainfall", 30)).toBe(1);
    expect(sensorLevel("rainfall", 80)).toBe(2);
  });

  it("gives each reading of a sensor its own feature id", () => {
    const level = newReading({ sensorId: "s1", kind: "water_level", value: 0.7 });
    const rain = newReading({ sensorId: "s1", kind: "rainfall", value: 3, unit: "mm/h" });
    const collection = sensorFeatures([level, rain]);
    expect(collection.features.map((f) => f.properties.id)).toEqual(["s1/water_level", "s1/rainfall"]);
    expect(collection.features.map((f) => f.properties.level)).toEqual([2, 0]);
  });
});

describe("alertFeatures", () => {
  it("makes one MultiPolygon per active alert from all its areas' rings", () => {
    const ring: [number, number][] = [
      [113.55, 22.15],
      [113.56, 22.15],
      [113.56, 22.16],
      [113.55, 22.15],
    ];
    const alert = newAlert();
    alert.areas.push({ description: alert.headline, polygons: [ring] });
    const collection = alertFeatures([alert, newAlert({ state: "expired" })]);
    expect(collection.features).toHaveLength(1);
    expect(collection.features[0]?.geometry.coordinates).toHaveLength(2);
    expect(collection.features[0]?.geometry.coordinates[1]).toEqual([ring]);
  });
});
