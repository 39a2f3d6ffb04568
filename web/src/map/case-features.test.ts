import { describe, expect, it } from "vitest";
import { type DrawAction, type DrawState, drawReducer, initialDrawState } from "../cases/draw";
import { newCaseCamera } from "../testing/factories";
import {
  areaFeatures,
  boundsOf,
  caseCameraFeatures,
  caseFovFeatures,
  circleRing,
  resultPositions,
} from "./case-features";
import { distanceM, type Position } from "./geo";

const SENADO: Position = [113.5399, 22.1937];
const run = (state: DrawState, ...actions: DrawAction[]) => actions.reduce(drawReducer, state);
const click = (pos: Position): DrawAction => ({ type: "click", pos, nearFirst: false, nearLast: false });
const roles = (state: DrawState) => areaFeatures(state).features.map((f) => [f.geometry.type, f.properties.role]);

describe("circleRing", () => {
  it("is closed, and every point is the radius away", () => {
    const ring = circleRing(SENADO[1], SENADO[0], 250, 36);
    expect(ring).toHaveLength(37);
    expect(ring[0]).toEqual(ring[36]);
    for (const point of ring) expect(distanceM(SENADO, point)).toBeCloseTo(250, 6);
  });
});

describe("areaFeatures", () => {
  it("shows nothing before anything is drawn", () => {
    expect(areaFeatures(initialDrawState("circle")).features).toEqual([]);
    expect(areaFeatures(initialDrawState("polygon")).features).toEqual([]);
  });

  it("a circle being drawn is a draft; a finished one, typed or drawn, is the area", () => {
    const drafting = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerMove", pos: [113.541, 22.1937] },
    );
    expect(roles(drafting)).toEqual([
      ["Polygon", "draft"],
      ["Point", "centre"],
    ]);
    const typed = run(initialDrawState("circle"), { type: "centre", pos: SENADO });
    expect(roles(typed)).toEqual([
      ["Polygon", "area"],
      ["Point", "centre"],
    ]);
  });

  it("an open outline is a line to the pointer with its corners; the first is closable from 3 corners", () => {
    const corners: Position[] = [
      [113.54, 22.19],
      [113.55, 22.19],
      [113.55, 22.2],
    ];
    const open = run(initialDrawState("polygon"), ...corners.map(click), {
      type: "pointerMove",
      pos: [113.545, 22.205],
    });
    const features = areaFeatures(open).features;
    expect(features[0]?.geometry).toEqual({ type: "LineString", coordinates: [...corners, [113.545, 22.205]] });
    expect(features.slice(1).map((f) => f.properties.closable)).toEqual([true, false, false]);
    const closed = run(open, { type: "finish" });
    expect(roles(closed)).toEqual([
      ["Polygon", "area"],
      ["Point", "vertex"],
      ["Point", "vertex"],
      ["Point", "vertex"],
    ]);
    expect(areaFeatures(closed).features[0]?.geometry).toEqual({
      type: "Polygon",
      coordinates: [[...corners, corners[0]]],
    });
  });
});

describe("cameras", () => {
  it("one point and one field of view per covering camera, the selected one marked and drawn last", () => {
    const a = newCaseCamera({ id: "a" });
    const b = newCaseCamera({ id: "b", lon: 113.541 });
    expect(caseCameraFeatures([a, b], "a").features.map((f) => f.properties)).toEqual([
      { id: "a", name: a.name, selected: true },
      { id: "b", name: b.name, selected: false },
    ]);
    const fov = caseFovFeatures([a, b], "a").features;
    expect(fov.map((f) => [f.properties.id, f.properties.role])).toEqual([
      ["b", "covering"],
      ["a", "selected"],
    ]);
    expect(fov[1]?.geometry.coordinates[0]?.[0]).toEqual([a.lon, a.lat]);
  });

  it("fits the area and the fields of view", () => {
    const area = areaFeatures(run(initialDrawState("circle"), { type: "centre", pos: SENADO }));
    const camera = newCaseCamera({ lat: 22.2, lon: 113.56, rangeM: 50 });
    const bounds = boundsOf(resultPositions(area, [camera]));
    expect(bounds?.[0][0]).toBeLessThan(SENADO[0]);
    expect(bounds?.[1][0]).toBeGreaterThan(113.56);
    expect(bounds?.[1][1]).toBeGreaterThanOrEqual(22.2);
    expect(boundsOf([])).toBeNull();
  });
});
