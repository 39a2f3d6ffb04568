import { describe, expect, it } from "vitest";
import { type DrawAction, type DrawState, drawReducer, initialDrawState } from "./draw";
import { drawPointerEvents } from "./draw-events";

function harness(mode: DrawState["mode"]) {
  let state = initialDrawState(mode);
  const actions: DrawAction[] = [];
  const hits: string[] = [];
  const events = drawPointerEvents(
    () => state,
    (action) => {
      actions.push(action);
      state = drawReducer(state, action);
    },
    (id) => hits.push(id),
  );
  return { events, actions, hits, state: () => state, set: (next: DrawState) => (state = next) };
}

const far = () => false;

describe("drawPointerEvents", () => {
  it("draws a circle with press and drag, and takes the click after the release as nothing", () => {
    const h = harness("circle");
    expect(h.events.onPointerDown([113.5, 22.1])).toBe(true);
    h.events.onPointerMove([113.51, 22.1]);
    h.events.onPointerUp([113.51, 22.1], true);
    h.events.onClick([113.51, 22.1], far, null);
    expect(h.actions.map((action) => action.type)).toEqual(["pointerDown", "pointerMove", "pointerUp"]);
    expect(h.state().drawing).toBe(false);
    expect(Number(h.state().circle.radius)).toBeGreaterThan(900);
  });

  it("lets the map pan (press not taken) and reports a hit feature once the drawing is done", () => {
    const h = harness("circle");
    h.set({ ...h.state(), drawing: false });
    expect(h.events.onPointerDown([113.5, 22.1])).toBe(false);
    h.events.onClick([113.5, 22.1], far, "MO-TAI");
    expect(h.hits).toEqual(["MO-TAI"]);
  });

  it("closes a polygon when its first corner is clicked again, and uses Backspace only with corners", () => {
    const h = harness("polygon");
    expect(h.events.onKey("Backspace")).toBe(false);
    for (const pos of [
      [113.5, 22.1],
      [113.6, 22.1],
      [113.6, 22.2],
    ] as const)
      h.events.onClick([pos[0], pos[1]], far, null);
    expect(h.state().corners).toHaveLength(3);
    h.events.onClick([113.5, 22.1], (other) => other[0] === 113.5, null);
    expect(h.state().closed).toBe(true);
    expect(h.events.onKey("Enter")).toBe(false);
    expect(h.events.onKey("Backspace")).toBe(true);
    expect(h.state().closed).toBe(false);
  });
});
