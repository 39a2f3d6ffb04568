import type { ClientConfig } from "@hub/gateway/contract";
import type { GeoJSONSource, Map as MapLibreMap, NavigationControl } from "maplibre-gl";
import { ALERT_LAYERS, ALERT_SOURCES, type AlertSource, alertLayers, alertSources } from "./alert-layers";
import { createBaseMap, createNavigation, type MapLabels, prefersReducedMotion, relabel } from "./base";
import type { Bounds } from "./case-features";
import { DrawPointer, type DrawPointerEvents } from "./draw-pointer";
import type { Position } from "./geo";

/** Drawing input (a click's `hitId` is a district code under it), and map errors. */
export interface AlertMapEvents extends DrawPointerEvents {
  onError(error: unknown): void;
}

export interface AlertMapOptions {
  container: HTMLElement;
  config: ClientConfig;
  labels: MapLabels;
  /** The test hook: data-map-loaded, and data-districts / data-shapes / data-draw = features last given. */
  stats: HTMLElement;
  events: AlertMapEvents;
}

/**
 * The alert editor's map: the base map, the district outlines, the alert's areas, and the shape being drawn.
 * Sources are added once, when the style has loaded (data given before that waits); afterwards only `setData`, at
 * most once per frame per source.
 */
export class AlertMapController {
  readonly #options: AlertMapOptions;
  readonly #map: MapLibreMap;
  readonly #reducedMotion: boolean;
  readonly #pointer: DrawPointer;
  #navigation: NavigationControl;
  #loaded = false;
  #pending = new Map<AlertSource, GeoJSON.FeatureCollection>();
  #frame: number | null = null;
  #drawing = false;

  constructor(options: AlertMapOptions) {
    this.#options = options;
    this.#reducedMotion = prefersReducedMotion();
    this.#map = createBaseMap(options.container, options.config, options.labels);
    this.#map.doubleClickZoom.disable();
    this.#navigation = createNavigation(this.#map);
    this.#map.on("load", () => this.#onLoad());
    this.#map.on("error", (event) => options.events.onError(event.error));
    this.#pointer = new DrawPointer(this.#map, options.events, {
      hitLayer: ALERT_LAYERS.districtFill,
      isLoaded: () => this.#loaded,
      isDrawing: () => this.#drawing,
    });
    options.stats.dataset.mapLoaded = "false";
    for (const name of Object.keys(ALERT_SOURCES)) options.stats.dataset[name] = "0";
  }

  setDrawing(drawing: boolean): void {
    this.#drawing = drawing;
    this.#map.getCanvas().style.cursor = drawing ? "crosshair" : "";
  }

  setDistricts(collection: GeoJSON.FeatureCollection): void {
    this.#setData("districts", collection);
  }

  setShapes(collection: GeoJSON.FeatureCollection): void {
    this.#setData("shapes", collection);
  }

  setDraw(collection: GeoJSON.FeatureCollection): void {
    this.#setData("draw", collection);
  }

  centre(): Position {
    const { lng, lat } = this.#map.getCenter();
    return [lng, lat];
  }

  fitTo(bounds: Bounds): void {
    this.#map.resize();
    this.#map.fitBounds(bounds, { padding: 48, maxZoom: 16, duration: this.#reducedMotion ? 0 : 600 });
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
    const sources = alertSources();
    for (const name of Object.keys(ALERT_SOURCES) as AlertSource[])
      this.#map.addSource(ALERT_SOURCES[name], sources[name]);
    for (const layer of alertLayers()) this.#map.addLayer(layer);
    this.#loaded = true;
    this.#options.stats.dataset.mapLoaded = "true";
    this.#flush();
  }

  #setData(name: AlertSource, collection: GeoJSON.FeatureCollection): void {
    this.#pending.set(name, collection);
    if (this.#loaded && this.#frame === null)
      this.#frame = requestAnimationFrame(() => {
        this.#frame = null;
        this.#flush();
      });
  }

  #flush(): void {
    for (const [name, collection] of this.#pending) {
      const source = this.#map.getSource<GeoJSONSource>(ALERT_SOURCES[name]);
      if (!source) continue;
      source.setData(collection).catch(this.#options.events.onError);
      this.#options.stats.dataset[name] = String(collection.features.length);
    }
    this.#pending.clear();
  }
}
