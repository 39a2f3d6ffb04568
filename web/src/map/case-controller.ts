import type { ClientConfig } from "@hub/gateway/contract";
import type { GeoJSONSource, Map as MapLibreMap, NavigationControl } from "maplibre-gl";
import { createBaseMap, createNavigation, type MapLabels, prefersReducedMotion, relabel } from "./base";
import type { Bounds } from "./case-features";
import { CASE_LAYERS, CASE_SOURCES, type CaseSource, caseLayers, caseSources } from "./case-layers";
import { DrawPointer, type DrawPointerEvents } from "./draw-pointer";
import type { Position } from "./geo";

export type { DrawKey } from "./draw-pointer";

/** Drawing input (a click's `hitId` is a camera under it), and map errors. */
export interface CaseMapEvents extends DrawPointerEvents {
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
  readonly #pointer: DrawPointer;
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
    this.#pointer = new DrawPointer(this.#map, options.events, {
      hitLayer: CASE_LAYERS.cameras,
      isLoaded: () => this.#loaded,
      isDrawing: () => this.#drawing,
    });
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
    this.#pointer.destroy();
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
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
}
