import type { ClientConfig } from "@hub/gateway/contract";
import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent, NavigationControl, PointLike } from "maplibre-gl";
import { createBaseMap, createNavigation, type MapLabels, prefersReducedMotion, relabel } from "./base";
import type { Bounds } from "./case-features";
import { CASE_LAYERS, CASE_SOURCES, type CaseSource, caseLayers, caseSources } from "./case-layers";
import type { Position } from "./geo";

/** A press that moves more than this many pixels is a drag, not a click. */
const DRAG_PX = 4;
/** A click this close to a corner (pixels) is on it. */
const NEAR_PX = 12;

export type DrawKey = "Enter" | "Escape" | "Backspace";

export interface CaseMapEvents {
  /** A mouse press: true when it draws, and the map must not pan with it. */
  onPointerDown(pos: Position): boolean;
  onPointerMove(pos: Position): void;
  onPointerUp(pos: Position, dragged: boolean): void;
  /** A click; `near` tells whether a position is within a few pixels of it; `cameraId` a camera under it. */
  onClick(pos: Position, near: (other: Position) => boolean, cameraId: string | null): void;
  /** A drawing key pressed on the map: true when it was used. */
  onKey(key: DrawKey): boolean;
  onError(error: unknown): void;
}

export interface CaseMapOptions {
  container: HTMLElement;
  config: ClientConfig;
  labels: MapLabels;
  /** The test hook: data-map-loaded, and data-area / data-cameras = features last given to each source. */
  stats: HTMLElement;
  events: CaseMapEvents;
}

const positionOf = (event: MapMouseEvent): Position => [event.lngLat.lng, event.lngLat.lat];

/**
 * The case-lookup map: the base map, the area being drawn, the covering cameras and their fields of view. Sources
 * are added once, when the style has loaded (data given before that waits); afterwards only `setData`, at most
 * once per frame per source however fast the pointer moves.
 */
export class CaseMapController {
  readonly #options: CaseMapOptions;
  readonly #map: MapLibreMap;
  readonly #reducedMotion: boolean;
  #navigation: NavigationControl;
  #loaded = false;
  #pending = new Map<CaseSource, GeoJSON.FeatureCollection>();
  #frame: number | null = null;
  #press: { point: PointLike & { x: number; y: number }; release: () => void } | null = null;
  #drawing = false;

  constructor(options: CaseMapOptions) {
    this.#options = options;
    this.#reducedMotion = prefersReducedMotion();
    this.#map = createBaseMap(options.container, options.config, options.labels);
    // Corners are placed with quick clicks: a double click must not zoom.
    this.#map.doubleClickZoom.disable();
    this.#navigation = createNavigation(this.#map);
    this.#map.on("load", () => this.#onLoad());
    this.#map.on("error", (event) => options.events.onError(event.error));
    this.#bindPointer();
    this.#map.getCanvas().addEventListener("keydown", this.#onKeyDown);
    options.stats.dataset.mapLoaded = "false";
    options.stats.dataset.area = "0";
    options.stats.dataset.cameras = "0";
  }

  /** While drawing, the cursor is a crosshair. */
  setDrawing(drawing: boolean): void {
    this.#drawing = drawing;
    this.#map.getCanvas().style.cursor = drawing ? "crosshair" : "";
  }

  setArea(collection: GeoJSON.FeatureCollection): void {
    this.#setData("area", collection);
  }

  setCameras(points: GeoJSON.FeatureCollection, fov: GeoJSON.FeatureCollection): void {
    this.#setData("cameras", points);
    this.#setData("fov", fov);
  }

  /** The map's centre: where a keyboard user puts a circle's centre or a corner. */
  centre(): Position {
    const { lng, lat } = this.#map.getCenter();
    return [lng, lat];
  }

  fitTo(bounds: Bounds): void {
    this.#map.resize();
    this.#map.fitBounds(bounds, { padding: 48, maxZoom: 18, duration: this.#reducedMotion ? 0 : 600 });
  }

  flyTo(lon: number, lat: number): void {
    const zoom = Math.max(this.#map.getZoom(), 16);
    if (this.#reducedMotion) this.#map.jumpTo({ center: [lon, lat], zoom });
    else this.#map.flyTo({ center: [lon, lat], zoom, duration: 800, essential: true });
  }

  setLabels(labels: MapLabels): void {
    this.#navigation = relabel(this.#map, labels, this.#navigation);
  }

  resize(): void {
    this.#map.resize();
  }

  destroy(): void {
    this.#press?.release();
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#map.getCanvas().removeEventListener("keydown", this.#onKeyDown);
    this.#map.remove();
  }

  #onLoad(): void {
    const sources = caseSources();
    for (const name of Object.keys(CASE_SOURCES) as CaseSource[])
      this.#map.addSource(CASE_SOURCES[name], sources[name]);
    for (const layer of caseLayers()) this.#map.addLayer(layer);
    this.#loaded = true;
    this.#options.stats.dataset.mapLoaded = "true";
    this.#flush();
  }

  #setData(name: CaseSource, collection: GeoJSON.FeatureCollection): void {
    this.#pending.set(name, collection);
    if (this.#loaded && this.#frame === null)
      this.#frame = requestAnimationFrame(() => {
        this.#frame = null;
        this.#flush();
      });
  }

  #flush(): void {
    for (const [name, collection] of this.#pending) {
      const source = this.#map.getSource<GeoJSONSource>(CASE_SOURCES[name]);
      if (!source) continue;
      source.setData(collection).catch(this.#options.events.onError);
      if (name !== "fov") this.#options.stats.dataset[name] = String(collection.features.length);
    }
    this.#pending.clear();
  }

  #bindPointer(): void {
    const map = this.#map;
    const { events } = this.#options;
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
      const hit = this.#loaded ? map.queryRenderedFeatures(event.point, { layers: [CASE_LAYERS.cameras] }) : [];
      const id = hit[0]?.properties?.id;
      events.onClick(positionOf(event), near, typeof id === "string" ? id : null);
    });
    for (const [type, on] of [
      ["mouseenter", true],
      ["mouseleave", false],
    ] as const)
      map.on(type, CASE_LAYERS.cameras, () => {
        if (!this.#drawing) map.getCanvas().style.cursor = on ? "pointer" : "";
      });
  }

  readonly #onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "Enter" && event.key !== "Escape" && event.key !== "Backspace") return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (this.#options.events.onKey(event.key)) {
      event.preventDefault();
      event.stopPropagation();
    }
  };
}
