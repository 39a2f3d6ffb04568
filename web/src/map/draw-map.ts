import type { ClientConfig } from "@hub/contracts";
import type {
  AddLayerObject,
  GeoJSONSource,
  GeoJSONSourceSpecification,
  Map as MapLibreMap,
  NavigationControl,
} from "maplibre-gl";
import { createBaseMap, createNavigation, type MapLabels, prefersReducedMotion, relabel } from "./base";
import type { Bounds } from "./case-features";
import { DrawPointer, type DrawPointerEvents } from "./draw-pointer";
import type { Position } from "./geo";

/** Drawing input (a click's `hitId` is the feature under it in the hit layer), and map errors. */
export interface DrawMapEvents extends DrawPointerEvents {
  onError(error: unknown): void;
}

export interface DrawMapOptions {
  container: HTMLElement;
  config: ClientConfig;
  labels: MapLabels;
  /** The test hook: data-map-loaded, and per counted source the number of features last given to it. */
  stats: HTMLElement;
  events: DrawMapEvents;
}

/** What a particular drawing map shows: its sources (name → MapLibre source id) and layers. */
export interface DrawMapLayers<S extends string> {
  sourceIds: Readonly<Record<S, string>>;
  sources(): Record<S, GeoJSONSourceSpecification>;
  layers(): AddLayerObject[];
  /** The layer a click can hit (its features' `id` is reported as `hitId`). */
  hitLayer: string;
  /** Sources whose feature counts go on the stats element (data-<source>). */
  counted: readonly S[];
  /** Closest zoom when fitting to bounds. */
  maxZoom: number;
}

/**
 * A map that is drawn on (the case lookup's area, an alert's areas): the base map, drawing input, and GeoJSON
 * sources that are added once when the style has loaded (data given before that waits) and afterwards only
 * `setData`'d, at most once per frame per source however fast the pointer moves. Subclasses name their sources.
 */
export class DrawMapController<S extends string> {
  readonly #options: DrawMapOptions;
  readonly #layers: DrawMapLayers<S>;
  readonly #reducedMotion: boolean;
  readonly #pointer: DrawPointer;
  #navigation: NavigationControl;
  #loaded = false;
  #pending = new Map<S, GeoJSON.FeatureCollection>();
  #frame: number | null = null;
  #drawing = false;
  protected readonly map: MapLibreMap;

  constructor(options: DrawMapOptions, layers: DrawMapLayers<S>) {
    this.#options = options;
    this.#layers = layers;
    this.#reducedMotion = prefersReducedMotion();
    this.map = createBaseMap(options.container, options.config, options.labels);
    // Corners are placed with quick clicks: a double click must not zoom.
    this.map.doubleClickZoom.disable();
    this.#navigation = createNavigation(this.map);
    this.map.on("load", () => this.#onLoad());
    this.map.on("error", (event) => options.events.onError(event.error));
    this.#pointer = new DrawPointer(this.map, options.events, {
      hitLayer: layers.hitLayer,
      isLoaded: () => this.#loaded,
      isDrawing: () => this.#drawing,
    });
    options.stats.dataset.mapLoaded = "false";
    for (const name of layers.counted) options.stats.dataset[name] = "0";
  }

  /** While drawing, the cursor is a crosshair. */
  setDrawing(drawing: boolean): void {
    this.#drawing = drawing;
    this.map.getCanvas().style.cursor = drawing ? "crosshair" : "";
  }

  /** The map's centre: where a keyboard user puts a circle's centre or a corner. */
  centre(): Position {
    const { lng, lat } = this.map.getCenter();
    return [lng, lat];
  }

  fitTo(bounds: Bounds): void {
    this.map.resize();
    this.map.fitBounds(bounds, {
      padding: 48,
      maxZoom: this.#layers.maxZoom,
      duration: this.#reducedMotion ? 0 : 600,
    });
  }

  flyTo(lon: number, lat: number): void {
    const zoom = Math.max(this.map.getZoom(), 16);
    if (this.#reducedMotion) this.map.jumpTo({ center: [lon, lat], zoom });
    else this.map.flyTo({ center: [lon, lat], zoom, duration: 800, essential: true });
  }

  setLabels(labels: MapLabels): void {
    this.#navigation = relabel(this.map, labels, this.#navigation);
  }

  resize(): void {
    this.map.resize();
  }

  destroy(): void {
    this.#pointer.destroy();
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.map.remove();
  }

  protected setData(name: S, collection: GeoJSON.FeatureCollection): void {
    this.#pending.set(name, collection);
    if (this.#loaded && this.#frame === null)
      this.#frame = requestAnimationFrame(() => {
        this.#frame = null;
        this.#flush();
      });
  }

  #onLoad(): void {
    const sources = this.#layers.sources();
    for (const name of Object.keys(this.#layers.sourceIds) as S[])
      this.map.addSource(this.#layers.sourceIds[name], sources[name]);
    for (const layer of this.#layers.layers()) this.map.addLayer(layer);
    this.#loaded = true;
    this.#options.stats.dataset.mapLoaded = "true";
    this.#flush();
  }

  #flush(): void {
    for (const [name, collection] of this.#pending) {
      const source = this.map.getSource<GeoJSONSource>(this.#layers.sourceIds[name]);
      if (!source) continue;
      source.setData(collection).catch(this.#options.events.onError);
      if (this.#layers.counted.includes(name)) this.#options.stats.dataset[name] = String(collection.features.length);
    }
    this.#pending.clear();
  }
}
