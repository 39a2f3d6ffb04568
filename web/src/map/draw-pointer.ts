import type { Map as MapLibreMap, MapMouseEvent, PointLike } from "maplibre-gl";
import type { Position } from "./geo";

/** A press that moves more than this many pixels is a drag, not a click. */
const DRAG_PX = 4;
/** A click this close to a corner (pixels) is on it. */
const NEAR_PX = 12;

export type DrawKey = "Enter" | "Escape" | "Backspace";

/** What a map that is drawn on (an area with the `cases/draw` reducer) tells its owner. */
export interface DrawPointerEvents {
  /** A mouse press: true when it draws, and the map must not pan with it. */
  onPointerDown(pos: Position): boolean;
  onPointerMove(pos: Position): void;
  onPointerUp(pos: Position, dragged: boolean): void;
  /** A click; `near` tells whether a position is within a few pixels of it; `hitId` the feature under it, if any. */
  onClick(pos: Position, near: (other: Position) => boolean, hitId: string | null): void;
  /** A drawing key pressed on the map: true when it was used. */
  onKey(key: DrawKey): boolean;
}

export interface DrawPointerOptions {
  /** The layer whose features a click can hit (their `id` property is reported), once the style has loaded. */
  hitLayer: string;
  isLoaded(): boolean;
  /** While drawing the cursor is a crosshair, and the hit layer does not show the pointer cursor. */
  isDrawing(): boolean;
}

const positionOf = (event: MapMouseEvent): Position => [event.lngLat.lng, event.lngLat.lat];

/**
 * Mouse and keyboard input for drawing on a map: presses (a press that draws stops the map panning until the button
 * is released, wherever that happens), moves, clicks with "near" tests in pixels, and Enter/Escape/Backspace on the
 * focused canvas. Shared by the case-lookup map and the alert-area map.
 */
export class DrawPointer {
  readonly #map: MapLibreMap;
  readonly #events: DrawPointerEvents;
  readonly #options: DrawPointerOptions;
  #press: { point: PointLike & { x: number; y: number }; release: () => void } | null = null;

  constructor(map: MapLibreMap, events: DrawPointerEvents, options: DrawPointerOptions) {
    this.#map = map;
    this.#events = events;
    this.#options = options;
    this.#bind();
    map.getCanvas().addEventListener("keydown", this.#onKeyDown);
  }

  destroy(): void {
    this.#press?.release();
    this.#map.getCanvas().removeEventListener("keydown", this.#onKeyDown);
  }

  #bind(): void {
    const map = this.#map;
    const events = this.#events;
    map.on("mousedown", (event) => {
      if (event.originalEvent.button !== 0 || !events.onPointerDown(positionOf(event))) return;
      // This press draws: no panning until the button is released, wherever that happens.
      map.dragPan.disable();
      const onWindowUp = (up: MouseEvent) => {
        if (!this.#press) return;
        const rect = map.getCanvasContainer().getBoundingClientRect();
        const point = { x: up.clientX - rect.left, y: up.clientY - rect.top };
        const { lng, lat } = map.unproject([point.x, point.y]);
        const dragged = Math.hypot(point.x - this.#press.point.x, point.y - this.#press.point.y) > DRAG_PX;
        this.#press.release();
        events.onPointerUp([lng, lat], dragged);
      };
      const release = () => {
        globalThis.removeEventListener("mouseup", onWindowUp);
        map.dragPan.enable();
        this.#press = null;
      };
      globalThis.addEventListener("mouseup", onWindowUp);
      this.#press = { point: event.point, release };
    });
    map.on("mousemove", (event) => events.onPointerMove(positionOf(event)));
    map.on("click", (event) => {
      const near = (other: Position) => {
        const projected = map.project(other);
        return Math.hypot(projected.x - event.point.x, projected.y - event.point.y) <= NEAR_PX;
      };
      const hit = this.#options.isLoaded()
        ? map.queryRenderedFeatures(event.point, { layers: [this.#options.hitLayer] })
        : [];
      const id = hit[0]?.properties?.id;
      events.onClick(positionOf(event), near, typeof id === "string" ? id : null);
    });
    for (const [type, on] of [
      ["mouseenter", true],
      ["mouseleave", false],
    ] as const)
      map.on(type, this.#options.hitLayer, () => {
        if (!this.#options.isDrawing()) map.getCanvas().style.cursor = on ? "pointer" : "";
      });
  }

  readonly #onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "Enter" && event.key !== "Escape" && event.key !== "Backspace") return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (this.#events.onKey(event.key)) {
      event.preventDefault();
      event.stopPropagation();
    }
  };
}
