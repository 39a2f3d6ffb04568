import type { CaseArea } from "@hub/contracts";
import { distanceM, type Position } from "../map/geo";

/**
 * Drawing the search area: a circle or a polygon, with the mouse on the map or from the keyboard. A pure reducer:
 * the map controller turns pointer events into actions, the form's inputs dispatch theirs, and `areaOf` says what
 * (if anything) can be searched.
 *
 * Circle: press on the centre, then either drag to the radius and let go, or let go and click again at the radius.
 * The circle is kept as the text of its three inputs (lat, lon, radius), so typing and drawing edit the same thing.
 *
 * Polygon: click the corners; click the first corner again (or the last one again, as a double click does), or
 * press Enter, to close it. Backspace removes the last corner (and reopens a closed outline); Escape cancels the
 * outline being drawn.
 */

export const MIN_RADIUS_M = 1;
export const MAX_RADIUS_M = 5000;
/** The gateway takes 4..201 ring points: 3..200 corners and the first again. */
export const MIN_CORNERS = 3;
export const MAX_CORNERS = 200;

export const AREA_MODES = ["circle", "polygon"] as const;
export type AreaMode = (typeof AREA_MODES)[number];

export interface CircleFields {
  lat: string;
  lon: string;
  radius: string;
}

/** A circle being drawn with the mouse. `press` is the button press in progress, if any. */
export interface CircleDraft {
  centre: Position;
  radiusM: number;
  press: "centre" | "radius" | null;
}

export interface DrawState {
  mode: AreaMode;
  /** Map clicks draw. Off once a shape is finished, so the map pans again. */
  drawing: boolean;
  circle: CircleFields;
  draft: CircleDraft | null;
  /** Polygon corners, [lon, lat]; the first is not repeated at the end. */
  corners: Position[];
  closed: boolean;
  /** Where the pointer is, while a polygon is being drawn: the edge to it is previewed. */
  cursor: Position | null;
}

export type DrawAction =
  | { type: "mode"; mode: AreaMode }
  | { type: "arm"; drawing: boolean }
  | { type: "circleField"; field: keyof CircleFields; value: string }
  /** Circle centre from the keyboard (the map's centre); the radius is kept. */
  | { type: "centre"; pos: Position }
  | { type: "pointerDown"; pos: Position }
  | { type: "pointerMove"; pos: Position }
  /** `dragged`: the pointer moved more than a few pixels since it was pressed. */
  | { type: "pointerUp"; pos: Position; dragged: boolean }
  /** A click on the map; `nearFirst`/`nearLast`: within a few pixels of the first/last corner. */
  | { type: "click"; pos: Position; nearFirst: boolean; nearLast: boolean }
  /** A corner from the keyboard (the map's centre). */
  | { type: "addCorner"; pos: Position }
  /** Enter. */
  | { type: "finish" }
  /** Backspace. */
  | { type: "removeLast" }
  /** Escape. */
  | { type: "cancel" }
  | { type: "clear" };

export const DEFAULT_RADIUS_M = 200;

export function initialDrawState(mode: AreaMode = "circle"): DrawState {
  return {
    mode,
    drawing: true,
    circle: { lat: "", lon: "", radius: String(DEFAULT_RADIUS_M) },
    draft: null,
    corners: [],
    closed: false,
    cursor: null,
  };
}

export const clampRadius = (metres: number): number =>
  Math.min(MAX_RADIUS_M, Math.max(MIN_RADIUS_M, Math.round(metres)));

/** Six decimals of a degree: about 10 cm, plenty for a search area. */
const coordinate = (value: number): string => String(Math.round(value * 1e6) / 1e6);

function commitCircle(state: DrawState, centre: Position, radiusM: number): DrawState {
  return {
    ...state,
    drawing: false,
    draft: null,
    circle: { lat: coordinate(centre[1]), lon: coordinate(centre[0]), radius: String(clampRadius(radiusM)) },
  };
}

function addCorner(state: DrawState, pos: Position): DrawState {
  // A click after a finished outline starts a new one.
  if (state.closed) return { ...state, corners: [pos], closed: false, drawing: true };
  if (state.corners.length >= MAX_CORNERS) return state;
  return { ...state, corners: [...state.corners, pos] };
}

function close(state: DrawState): DrawState {
  if (state.closed || state.corners.length < MIN_CORNERS) return state;
  return { ...state, closed: true, drawing: false, cursor: null };
}

export function drawReducer(state: DrawState, action: DrawAction): DrawState {
  switch (action.type) {
    case "mode":
      if (action.mode === state.mode) return state.drawing ? state : { ...state, drawing: true };
      return { ...state, mode: action.mode, drawing: true, draft: null, cursor: null };
    case "arm":
      return action.drawing ? { ...state, drawing: true } : { ...state, drawing: false, draft: null, cursor: null };
    case "circleField":
      return { ...state, draft: null, circle: { ...state.circle, [action.field]: action.value } };
    case "centre": {
      const radius = state.circle.radius.trim() === "" ? String(DEFAULT_RADIUS_M) : state.circle.radius;
      return {
        ...state,
        draft: null,
        circle: { lat: coordinate(action.pos[1]), lon: coordinate(action.pos[0]), radius },
      };
    }
    case "pointerDown": {
      if (state.mode !== "circle" || !state.drawing) return state;
      const draft = state.draft;
      // Waiting for the second click: this press sets the radius.
      if (draft && draft.press === null) {
        return { ...state, draft: { ...draft, press: "radius", radiusM: distanceM(draft.centre, action.pos) } };
      }
      return { ...state, draft: { centre: action.pos, radiusM: 0, press: "centre" } };
    }
    case "pointerMove": {
      if (state.mode === "circle") {
        if (!state.draft) return state;
        return { ...state, draft: { ...state.draft, radiusM: distanceM(state.draft.centre, action.pos) } };
      }
      if (!state.drawing || state.closed || state.corners.length === 0) return state;
      return { ...state, cursor: action.pos };
    }
    case "pointerUp": {
      const draft = state.draft;
      if (state.mode !== "circle" || !draft) return state;
      // A click (no drag) on the centre: the radius comes with the next click.
      if (draft.press === "centre" && !action.dragged) return { ...state, draft: { ...draft, press: null } };
      if (draft.press === null) return state; // a release without a press we saw (it began off the map)
      return commitCircle(state, draft.centre, distanceM(draft.centre, action.pos));
    }
    case "click": {
      if (state.mode !== "polygon" || !state.drawing) return state;
      if (!state.closed && state.corners.length >= MIN_CORNERS && (action.nearFirst || action.nearLast))
        return close(state);
      // Too few corners to close, or the second click of a double click: not a new corner.
      if (!state.closed && (action.nearFirst || action.nearLast) && state.corners.length > 0) return state;
      return addCorner(state, action.pos);
    }
    case "addCorner":
      if (state.mode !== "polygon") return state;
      return addCorner(state, action.pos);
    case "finish":
      if (state.mode === "polygon") return close(state);
      if (state.draft && state.draft.press === null)
        return commitCircle(state, state.draft.centre, state.draft.radiusM);
      return state;
    case "removeLast":
      if (state.mode !== "polygon" || state.corners.length === 0) return state;
      return { ...state, corners: state.corners.slice(0, -1), closed: false, drawing: true };
    case "cancel":
      if (state.mode === "circle") return { ...state, draft: null, drawing: false };
      // A finished outline stays; one being drawn goes.
      if (state.closed) return { ...state, drawing: false, cursor: null };
      return { ...state, corners: [], cursor: null, drawing: false };
    case "clear":
      if (state.mode === "circle") return { ...state, circle: { ...state.circle, lat: "", lon: "" }, draft: null };
      return { ...state, corners: [], closed: false, cursor: null, drawing: true };
  }
}

// ---- What can be searched ------------------------------------------------------------------------------------------

export type AreaProblem =
  | "noArea"
  | "circleLat"
  | "circleLon"
  | "circleRadius"
  | "polygonTooFew"
  | "polygonOpen"
  | "polygonCrossing"
  | "polygonEmpty";

export type AreaResult = { ok: true; area: CaseArea } | { ok: false; problem: AreaProblem };

/** A number typed into an input, or null: "" is not 0. */
function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

export function circleArea(fields: CircleFields): AreaResult {
  if (fields.lat.trim() === "" && fields.lon.trim() === "") return { ok: false, problem: "noArea" };
  const lat = parseNumber(fields.lat);
  if (lat === null || lat < -90 || lat > 90) return { ok: false, problem: "circleLat" };
  const lon = parseNumber(fields.lon);
  if (lon === null || lon < -180 || lon > 180) return { ok: false, problem: "circleLon" };
  const radiusM = parseNumber(fields.radius);
  if (radiusM === null || radiusM < MIN_RADIUS_M || radiusM > MAX_RADIUS_M)
    return { ok: false, problem: "circleRadius" };
  return { ok: true, area: { circle: { lat, lon, radiusM } } };
}

/** The corners as a closed GeoJSON ring: the first corner repeated at the end. */
export function closedRing(corners: readonly Position[]): [number, number][] {
  const first = corners[0];
  return first ? [...corners.map((c): [number, number] => [c[0], c[1]]), [first[0], first[1]]] : [];
}

const orientation = (p: Position, q: Position, r: Position): number =>
  Math.sign((q[1] - p[1]) * (r[0] - q[0]) - (q[0] - p[0]) * (r[1] - q[1]));

const within = (p: Position, q: Position, r: Position): boolean =>
  Math.min(p[0], r[0]) <= q[0] &&
  q[0] <= Math.max(p[0], r[0]) &&
  Math.min(p[1], r[1]) <= q[1] &&
  q[1] <= Math.max(p[1], r[1]);

/** Segments ab and cd cross or touch. */
export function segmentsIntersect(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && within(a, c, b)) ||
    (o2 === 0 && within(a, d, b)) ||
    (o3 === 0 && within(c, a, d)) ||
    (o4 === 0 && within(c, b, d))
  );
}

/** Two edges of the closed outline that are not neighbours cross or touch (as the gateway checks it). */
export function ringCrossesItself(ring: readonly Position[]): boolean {
  const edges = ring.length - 1;
  for (let i = 0; i < edges; i += 1) {
    for (let j = i + 1; j < edges; j += 1) {
      if (j === i + 1 || (i === 0 && j === edges - 1)) continue;
      if (segmentsIntersect(ring[i] as Position, ring[i + 1] as Position, ring[j] as Position, ring[j + 1] as Position))
        return true;
    }
  }
  return false;
}

/** Twice the ring's signed area in square degrees (shoelace); 0 when every corner is on one line. */
export function ringTwiceArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i += 1) {
    const [x1, y1] = ring[i] as Position;
    const [x2, y2] = ring[i + 1] as Position;
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

export function polygonArea(corners: readonly Position[], closed: boolean): AreaResult {
  if (corners.length === 0) return { ok: false, problem: "noArea" };
  if (corners.length < MIN_CORNERS) return { ok: false, problem: "polygonTooFew" };
  if (!closed) return { ok: false, problem: "polygonOpen" };
  const ring = closedRing(corners);
  if (ringCrossesItself(ring)) return { ok: false, problem: "polygonCrossing" };
  if (Math.abs(ringTwiceArea(ring)) < 1e-12) return { ok: false, problem: "polygonEmpty" };
  return { ok: true, area: { polygon: ring } };
}

/** The area of the chosen shape, or why there is none yet. */
export function areaOf(state: DrawState): AreaResult {
  return state.mode === "circle" ? circleArea(state.circle) : polygonArea(state.corners, state.closed);
}

/** The circle to draw: the one being drawn, else the one in the inputs (if they make one). */
export function circleToShow(state: DrawState): { centre: Position; radiusM: number; draft: boolean } | null {
  if (state.draft) return { centre: state.draft.centre, radiusM: state.draft.radiusM, draft: true };
  const result = circleArea(state.circle);
  if (!result.ok || !("circle" in result.area)) return null;
  const { lat, lon, radiusM } = result.area.circle;
  return { centre: [lon, lat], radiusM, draft: false };
}
