import { describe, expect, it } from "vitest";
import { destination, type Position } from "../map/geo";
import {
  areaOf,
  circleArea,
  circleToShow,
  type DrawAction,
  type DrawState,
  drawReducer,
  initialDrawState,
  MAX_CORNERS,
  polygonArea,
  ringCrossesItself,
} from "./draw";

const SENADO: Position = [113.5399, 22.1937];
const run = (state: DrawState, ...actions: DrawAction[]) => actions.reduce(drawReducer, state);
const at = (bearing: number, metres: number): Position => destination(SENADO[1], SENADO[0], bearing, metres);
const click = (pos: Position, near: { first?: boolean; last?: boolean } = {}): DrawAction => ({
  type: "click",
  pos,
  nearFirst: near.first ?? false,
  nearLast: near.last ?? false,
});
/** A square of about 200 m around Senado Square, corners clockwise from north-east. */
const square: Position[] = [at(45, 140), at(135, 140), at(225, 140), at(315, 140)];

describe("drawing a circle with the mouse", () => {
  it("press on the centre, drag to the radius, let go: a circle in the inputs, and the map pans again", () => {
    const edge = at(90, 350);
    const state = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerMove", pos: at(90, 100) },
      { type: "pointerMove", pos: edge },
      { type: "pointerUp", pos: edge, dragged: true },
    );
    expect(state.draft).toBeNull();
    expect(state.drawing).toBe(false);
    expect(state.circle).toEqual({ lat: "22.1937", lon: "113.5399", radius: "350" });
    expect(areaOf(state)).toEqual({ ok: true, area: { circle: { lat: 22.1937, lon: 113.5399, radiusM: 350 } } });
  });

  it("click the centre, move (the radius follows), click again at the radius", () => {
    let state = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerUp", pos: SENADO, dragged: false },
    );
    expect(state.draft).toMatchObject({ centre: SENADO, press: null });
    state = run(state, { type: "pointerMove", pos: at(0, 75) });
    expect(circleToShow(state)?.radiusM).toBeCloseTo(75, 6);
    expect(circleToShow(state)?.draft).toBe(true);
    state = run(
      state,
      { type: "pointerDown", pos: at(0, 120) },
      { type: "pointerUp", pos: at(0, 120), dragged: false },
    );
    expect(state.draft).toBeNull();
    expect(state.circle.radius).toBe("120");
    expect(circleToShow(state)).toMatchObject({ draft: false, radiusM: 120 });
  });

  it("keeps the radius within 1..5000 m", () => {
    const far = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerUp", pos: at(180, 9000), dragged: true },
    );
    expect(far.circle.radius).toBe("5000");
    const tiny = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerUp", pos: SENADO, dragged: false },
      { type: "pointerDown", pos: SENADO },
      { type: "pointerUp", pos: SENADO, dragged: false },
    );
    expect(tiny.circle.radius).toBe("1");
  });

  it("Escape drops the circle being drawn and keeps the previous one", () => {
    const drawn = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerUp", pos: at(90, 300), dragged: true },
      { type: "arm", drawing: true },
      { type: "pointerDown", pos: at(0, 1000) },
      { type: "pointerUp", pos: at(0, 1000), dragged: false },
      { type: "cancel" },
    );
    expect(drawn.draft).toBeNull();
    expect(drawn.circle).toMatchObject({ lat: "22.1937", radius: "300" });
  });

  it("does nothing with the pointer when not drawing (the map pans instead)", () => {
    const idle = run(initialDrawState("circle"), { type: "arm", drawing: false });
    expect(run(idle, { type: "pointerDown", pos: SENADO }).draft).toBeNull();
  });

  it("Enter takes the radius shown while waiting for the second click", () => {
    const state = run(
      initialDrawState("circle"),
      { type: "pointerDown", pos: SENADO },
      { type: "pointerUp", pos: SENADO, dragged: false },
      { type: "pointerMove", pos: at(270, 60) },
      { type: "finish" },
    );
    expect(state.circle.radius).toBe("60");
  });
});

describe("the circle's inputs (the keyboard way)", () => {
  it("typed latitude, longitude and radius make the area", () => {
    const state = run(
      initialDrawState("circle"),
      { type: "circleField", field: "lat", value: " 22.19 " },
      { type: "circleField", field: "lon", value: "113.54" },
      { type: "circleField", field: "radius", value: "250" },
    );
    expect(areaOf(state)).toEqual({ ok: true, area: { circle: { lat: 22.19, lon: 113.54, radiusM: 250 } } });
  });

  it("names the bad input; an empty one is not zero", () => {
    const fields = { lat: "22.19", lon: "113.54", radius: "250" };
    expect(circleArea({ lat: "", lon: "", radius: "250" })).toEqual({ ok: false, problem: "noArea" });
    expect(circleArea({ ...fields, lat: "" })).toEqual({ ok: false, problem: "circleLat" });
    expect(circleArea({ ...fields, lat: "91" })).toEqual({ ok: false, problem: "circleLat" });
    expect(circleArea({ ...fields, lon: "abc" })).toEqual({ ok: false, problem: "circleLon" });
    expect(circleArea({ ...fields, radius: "" })).toEqual({ ok: false, problem: "circleRadius" });
    expect(circleArea({ ...fields, radius: "0.5" })).toEqual({ ok: false, problem: "circleRadius" });
    expect(circleArea({ ...fields, radius: "5001" })).toEqual({ ok: false, problem: "circleRadius" });
    expect(circleArea({ ...fields, radius: "5000" }).ok).toBe(true);
  });

  it("the map's centre sets the circle's centre and keeps a typed radius", () => {
    const state = run(
      initialDrawState("circle"),
      { type: "circleField", field: "radius", value: "40" },
      { type: "centre", pos: [113.55, 22.2] },
    );
    expect(state.circle).toEqual({ lat: "22.2", lon: "113.55", radius: "40" });
  });
});

describe("drawing a polygon", () => {
  const polygon = () => initialDrawState("polygon");

  it("closes by clicking the first corner again: a closed ring of corners + 1 points", () => {
    const state = run(
      polygon(),
      ...square.map((corner) => click(corner)),
      click(square[0] as Position, { first: true }),
    );
    expect(state.closed).toBe(true);
    expect(state.drawing).toBe(false);
    const result = areaOf(state);
    expect(result.ok).toBe(true);
    const ring = result.ok && "polygon" in result.area ? result.area.polygon : [];
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    expect(ring.slice(0, 4)).toEqual(square);
  });

  it("Enter closes once there are 3 corners, not before", () => {
    const two = run(polygon(), click(square[0] as Position), click(square[1] as Position), { type: "finish" });
    expect(two.closed).toBe(false);
    expect(areaOf(two)).toEqual({ ok: false, problem: "polygonTooFew" });
    const three = run(two, click(square[2] as Position));
    expect(areaOf(three)).toEqual({ ok: false, problem: "polygonOpen" });
    expect(areaOf(run(three, { type: "finish" })).ok).toBe(true);
  });

  it("clicking the first corner with fewer than 3 corners adds nothing and does not close", () => {
    const state = run(
      polygon(),
      click(square[0] as Position),
      click(square[1] as Position),
      click(square[0] as Position, { first: true }),
    );
    expect(state.corners).toHaveLength(2);
    expect(state.closed).toBe(false);
  });

  it("a double click on the last corner adds no duplicate; with 3 corners it finishes", () => {
    const state = run(
      polygon(),
      click(square[0] as Position),
      click(square[1] as Position),
      click(square[1] as Position, { last: true }),
    );
    expect(state.corners).toEqual([square[0], square[1]]);
    const finished = run(state, click(square[2] as Position), click(square[2] as Position, { last: true }));
    expect(finished.corners).toHaveLength(3);
    expect(finished.closed).toBe(true);
  });

  it("Backspace removes the last corner and reopens a closed outline", () => {
    const closed = run(polygon(), ...square.map((corner) => click(corner)), { type: "finish" });
    const state = run(closed, { type: "removeLast" });
    expect(state.closed).toBe(false);
    expect(state.drawing).toBe(true);
    expect(state.corners).toEqual(square.slice(0, 3));
    expect(run(polygon(), { type: "removeLast" }).corners).toEqual([]);
  });

  it("Escape cancels an outline being drawn but keeps a finished one", () => {
    const open = run(polygon(), click(square[0] as Position), click(square[1] as Position), { type: "cancel" });
    expect(open.corners).toEqual([]);
    expect(areaOf(open)).toEqual({ ok: false, problem: "noArea" });
    const closed = run(polygon(), ...square.map((corner) => click(corner)), { type: "finish" }, { type: "cancel" });
    expect(areaOf(closed).ok).toBe(true);
  });

  it("refuses an outline that crosses itself or encloses nothing", () => {
    // A bow tie: NE, SW, SE, NW.
    const bowTie = [square[0], square[2], square[1], square[3]] as Position[];
    expect(polygonArea(bowTie, true)).toEqual({ ok: false, problem: "polygonCrossing" });
    const line: Position[] = [at(0, 10), at(0, 20), at(0, 30)];
    expect(polygonArea(line, true)).toEqual({ ok: false, problem: "polygonEmpty" });
    expect(ringCrossesItself([...square, square[0] as Position])).toBe(false);
  });

  it("a click after a finished outline (drawing again) starts a new one", () => {
    const state = run(
      polygon(),
      ...square.map((corner) => click(corner)),
      { type: "finish" },
      { type: "arm", drawing: true },
      click(SENADO),
    );
    expect(state.corners).toEqual([SENADO]);
    expect(state.closed).toBe(false);
  });

  it("previews the next edge while drawing, and takes corners from the keyboard", () => {
    let state = run(polygon(), { type: "addCorner", pos: square[0] as Position });
    state = run(state, { type: "pointerMove", pos: SENADO });
    expect(state.cursor).toEqual(SENADO);
    state = run(
      state,
      { type: "addCorner", pos: square[1] as Position },
      { type: "addCorner", pos: square[2] as Position },
      { type: "finish" },
    );
    expect(state.cursor).toBeNull();
    expect(areaOf(state).ok).toBe(true);
  });

  it("stops at 200 corners (the gateway's 201 ring points)", () => {
    let state = polygon();
    for (let i = 0; i < MAX_CORNERS + 5; i += 1) state = drawReducer(state, click(at((i * 360) / 205, 500)));
    expect(state.corners).toHaveLength(MAX_CORNERS);
  });
});

describe("switching shapes", () => {
  it("keeps each shape; the area is the chosen one's", () => {
    const state = run(
      initialDrawState("circle"),
      { type: "circleField", field: "lat", value: "22.19" },
      { type: "circleField", field: "lon", value: "113.54" },
      { type: "mode", mode: "polygon" },
    );
    expect(areaOf(state)).toEqual({ ok: false, problem: "noArea" });
    const back = run(state, { type: "mode", mode: "circle" });
    expect(areaOf(back).ok).toBe(true);
  });

  it("clear empties only the chosen shape", () => {
    const withBoth = run(
      initialDrawState("polygon"),
      ...square.map((corner) => click(corner)),
      { type: "finish" },
      { type: "mode", mode: "circle" },
      { type: "centre", pos: SENADO },
      { type: "clear" },
    );
    expect(areaOf(withBoth)).toEqual({ ok: false, problem: "noArea" });
    expect(areaOf(run(withBoth, { type: "mode", mode: "polygon" })).ok).toBe(true);
  });
});
