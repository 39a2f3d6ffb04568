import { describe, expect, it } from "vitest";
import { areaOf, drawReducer, initialDrawState } from "../cases/draw";
import { newTemplate } from "../testing/alert-factories";
import { addShape, groupTemplates, removeShape, shapeOfDrawing, toggleDistrict } from "./areas";
import { emptyArea } from "./form";

describe("shapeOfDrawing", () => {
  it("turns a drawn circle in metres into an alert circle in km, [lon, lat]", () => {
    let state = initialDrawState("circle");
    for (const [field, value] of [
      ["lat", "22.19"],
      ["lon", "113.54"],
      ["radius", "1500"],
    ] as const)
      state = drawReducer(state, { type: "circleField", field, value });
    expect(shapeOfDrawing(areaOf(state))).toEqual({
      kind: "circle",
      circle: { center: [113.54, 22.19], radiusKm: 1.5 },
    });
  });

  it("takes a closed polygon as a closed ring, and nothing while the outline is open", () => {
    let state = initialDrawState("polygon");
    for (const pos of [
      [113.5, 22.1],
      [113.6, 22.1],
      [113.6, 22.2],
    ] as const)
      state = drawReducer(state, { type: "addCorner", pos: [pos[0], pos[1]] });
    expect(shapeOfDrawing(areaOf(state))).toBeNull();
    state = drawReducer(state, { type: "finish" });
    const shape = shapeOfDrawing(areaOf(state));
    expect(shape?.kind === "polygon" && shape.ring).toEqual([
      [113.5, 22.1],
      [113.6, 22.1],
      [113.6, 22.2],
      [113.5, 22.1],
    ]);
  });
});

describe("area editing", () => {
  it("adds and removes shapes by kind and index", () => {
    let area = emptyArea();
    area = addShape(area, { kind: "circle", circle: { center: [1, 2], radiusKm: 1 } });
    area = addShape(area, { kind: "circle", circle: { center: [3, 4], radiusKm: 2 } });
    area = removeShape(area, "circle", 0);
    expect(area.circles).toEqual([{ center: [3, 4], radiusKm: 2 }]);
    expect(area.polygons).toEqual([]);
  });

  it("keeps the chosen districts in the service's order, whatever order they were ticked in", () => {
    const order = ["MO-NSF", "MO-STA", "MO-TAI"] as const;
    let area = emptyArea();
    area = toggleDistrict(area, "MO-TAI", true, order);
    area = toggleDistrict(area, "MO-NSF", true, order);
    area = toggleDistrict(area, "MO-NSF", true, order);
    expect(area.districts).toEqual(["MO-NSF", "MO-TAI"]);
    expect(toggleDistrict(area, "MO-NSF", false, order).districts).toEqual(["MO-TAI"]);
  });
});

describe("groupTemplates", () => {
  it("groups by `group` in the order first seen, keeping each group's order", () => {
    const a = newTemplate({ group: "tropical-cyclone" });
    const b = newTemplate({ group: "rainstorm" });
    const c = newTemplate({ group: "tropical-cyclone" });
    expect(groupTemplates([a, b, c]).map(({ group, templates }) => [group, templates.map((t) => t.id)])).toEqual([
      ["tropical-cyclone", [a.id, c.id]],
      ["rainstorm", [b.id]],
    ]);
  });
});
