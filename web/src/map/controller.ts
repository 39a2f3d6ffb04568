import type { ClientConfig, SensorSummary } from "@hub/contracts";
import type { GeoJSONSource, MapLayerMouseEvent, Map as MapLibreMap, NavigationControl } from "maplibre-gl";
import { createThrottle, type Throttle } from "../live/batcher";
import type { LiveStore, StoreRevisions } from "../live/store";
import type { Theme } from "../theme/theme";
import { createBaseMap, createNavigation, type MapLabels, prefersReducedMotion, relabel } from "./base";
import { alertFeatures, cameraFeatures, fovFeatures, incidentFeatures, sensorFeatures } from "./features";
import { type HubSource, hubLayers, hubSources, LAYERS, SOURCES, themePaint } from "./layers";
import {
  SILENT_SENSOR_LAYER,
  SILENT_SENSOR_SOURCE,
  silentSensorFeatures,
  silentSensorLayer,
  silentSensorSource,
} from "./silent-sensors";

export type { MapLabels };

/**
 * The map redraws from the store at most this often, however fast events come. Live changes already reach the
 * store in 250 ms batches, so each batch is drawn at once (leading edge), in step with the panels.
 */
const RENDER_INTERVAL_MS = 200;
const PULSE_INTERVAL_MS = 120;

export interface MapSelection {
  cameraId: string | null;
  incidentId: string | null;
}

export interface MapControllerOptions {
  container: HTMLElement;
  config: ClientConfig;
  store: LiveStore;
  /** The test hook: its data-* attributes count the features last given to each source. */
  stats: HTMLElement;
  labels: MapLabels;
  theme: Theme;
  onSelectCamera(id: string): void;
  onSelectIncident(id: string): void;
  /** A sensor (its reading or its silent ring) was clicked. */
  onSelectSensor?(id: string): void;
  /** The configured base style could not be loaded: the offline land outline is shown instead. */
  onBaseMapFallback(): void;
  onError(error: unknown): void;
}

type Dirty = Record<HubSource, boolean>;

/**
 * One MapLibre map and the hub's layers on it. Sources are added once, when the style has loaded; afterwards
 * they only get `setData`, from the store, at most every RENDER_INTERVAL_MS and only for layers whose data
 * changed. Works offline: without a style URL the base map is drawn from the land outline alone.
 */
export class MapController {
  readonly #options: MapControllerOptions;
  readonly #map: MapLibreMap;
  readonly #throttle: Throttle;
  readonly #reducedMotion: boolean;
  #navigation: NavigationControl;
  #theme: Theme;
  #loaded = false;
  #seen: StoreRevisions | null = null;
  #dirty: Dirty = { cameras: true, fov: true, incidents: true, sensors: true, alerts: true };
  #selection: MapSelection = { cameraId: null, incidentId: null };
  #hoveredCameraId: string | null = null;
  #highlightTimer: ReturnType<typeof setTimeout> | null = null;
  #pulseTimer: ReturnType<typeof setInterval> | null = null;
  #flyFrame: number | null = null;
  #silentSensors: readonly SensorSummary[] = [];
  #unsubscribe: () => void;

  constructor(options: MapControllerOptions) {
    this.#options = options;
    const { config, container, labels } = options;
    this.#reducedMotion = prefersReducedMotion();
    this.#theme = options.theme;
    // A wall map stays north-up: no rotation or pitch to get lost in.
    this.#map = createBaseMap(container, config, labels, options.theme, () => options.onBaseMapFallback());
    this.#navigation = createNavigation(this.#map);
    this.#map.on("load", () => this.#onLoad());
    this.#map.on("error", (event) => options.onError(event.error));
    this.#throttle = createThrottle(() => this.#render(), RENDER_INTERVAL_MS, undefined, { leading: true });
    this.#unsubscribe = options.store.subscribe(() => this.#throttle.schedule());
    for (const name of ["cameras", "incidents", "alerts", "sensors"] as const) options.stats.dataset[name] = "0";
    options.stats.dataset.mapLoaded = "false";
  }

  setSelection(selection: MapSelection): void {
    if (selection.cameraId === this.#selection.cameraId && selection.incidentId === this.#selection.incidentId) return;
    this.#selection = selection;
    if (!this.#loaded) return;
    this.#applySelectionFilters();
    this.#dirty.fov = true;
    this.#throttle.schedule();
  }

  /** The sensor registry's latest list: the silent ones are drawn as rings (silent-sensors.ts). */
  setSilentSensors(sensors: readonly SensorSummary[]): void {
    this.#silentSensors = sensors;
    if (!this.#loaded) return;
    const data = silentSensorFeatures(sensors);
    this.#map.getSource<GeoJSONSource>(SILENT_SENSOR_SOURCE)?.setData(data);
    this.#options.stats.dataset.silentSensors = String(data.features.length);
  }

  /**
   * Moves to a place: a short flight, or a jump when the user asked for less motion. Waits a frame, because the
   * click that asks for it usually opens a detail panel that narrows the map: centre on the map as it will be.
   */
  flyTo(lon: number, lat: number): void {
    if (this.#flyFrame !== null) cancelAnimationFrame(this.#flyFrame);
    this.#flyFrame = requestAnimationFrame(() => {
      this.#flyFrame = null;
      this.#map.resize();
      const zoom = Math.max(this.#map.getZoom(), 16);
      if (this.#reducedMotion) this.#map.jumpTo({ center: [lon, lat], zoom });
      else this.#map.flyTo({ center: [lon, lat], zoom, duration: 1200, essential: true });
    });
  }

  /** The language changed: MapLibre's own control labels and the canvas's name follow. */
  setLabels(labels: MapLabels): void {
    this.#navigation = relabel(this.#map, labels, this.#navigation);
  }

  /**
   * The theme changed: the base map's and the rings' colours follow through setPaintProperty, so the sources and
   * their data stay (setStyle would drop them). Before load, the layers are made in the new colours.
   */
  setTheme(theme: Theme): void {
    if (theme === this.#theme) return;
    this.#theme = theme;
    if (!this.#loaded) return;
    for (const { layer, property, value } of themePaint(theme))
      if (this.#map.getLayer(layer)) this.#map.setPaintProperty(layer, property, value);
  }

  resize(): void {
    this.#map.resize();
  }

  /** The area shown: west, south, east, north (degrees). */
  bounds(): [number, number, number, number] {
    const bounds = this.#map.getBounds();
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
  }

  destroy(): void {
    this.#unsubscribe();
    this.#throttle.cancel();
    if (this.#highlightTimer) clearTimeout(this.#highlightTimer);
    if (this.#pulseTimer) clearInterval(this.#pulseTimer);
    if (this.#flyFrame !== null) cancelAnimationFrame(this.#flyFrame);
    this.#map.remove();
  }

  #onLoad(): void {
    const map = this.#map;
    const sources = hubSources();
    for (const name of Object.keys(SOURCES) as HubSource[]) map.addSource(SOURCES[name], sources[name]);
    for (const layer of hubLayers(this.#theme)) map.addLayer(layer);
    map.addSource(SILENT_SENSOR_SOURCE, silentSensorSource());
    map.addLayer(silentSensorLayer(), LAYERS.clusters);
    this.#loaded = true;
    this.setSilentSensors(this.#silentSensors);
    this.#applySelectionFilters();
    this.#bindPointer();
    this.#options.stats.dataset.mapLoaded = "true";
    this.#options.stats.dataset.style = map.getStyle().name ?? "";
    this.#throttle.flush();
  }

  #bindPointer(): void {
    const map = this.#map;
    const pointer = (on: boolean) => () => {
      map.getCanvas().style.cursor = on ? "pointer" : "";
    };
    for (const layer of [LAYERS.cameras, LAYERS.clusters, LAYERS.incidents, LAYERS.sensors]) {
      map.on("mouseenter", layer, pointer(true));
      map.on("mouseleave", layer, pointer(false));
    }
    map.on("click", LAYERS.incidents, (event) => {
      const id = idOf(event);
      if (id) this.#options.onSelectIncident(id);
    });
    map.on("click", LAYERS.cameras, (event) => {
      // An incident drawn over the camera takes the click.
      if (map.queryRenderedFeatures(event.point, { layers: [LAYERS.incidents] }).length > 0) return;
      const id = idOf(event);
      if (id) this.#options.onSelectCamera(id);
    });
    for (const layer of [LAYERS.sensors, SILENT_SENSOR_LAYER]) {
      map.on("click", layer, (event) => {
        // A camera or an incident drawn over the sensor takes the click.
        if (map.queryRenderedFeatures(event.point, { layers: [LAYERS.incidents, LAYERS.cameras] }).length > 0) return;
        const sensorId = event.features?.[0]?.properties?.sensorId;
        if (typeof sensorId === "string") this.#options.onSelectSensor?.(sensorId);
      });
    }
    map.on("mouseenter", SILENT_SENSOR_LAYER, pointer(true));
    map.on("mouseleave", SILENT_SENSOR_LAYER, pointer(false));
    map.on("click", LAYERS.clusters, (event) => {
      const feature = event.features?.[0];
      const clusterId = feature?.properties?.cluster_id;
      if (typeof clusterId !== "number" || feature?.geometry.type !== "Point") return;
      const center = feature.geometry.coordinates as [number, number];
      const source = map.getSource<GeoJSONSource>(SOURCES.cameras);
      source
        ?.getClusterExpansionZoom(clusterId)
        .then((zoom) => map.easeTo({ center, zoom, duration: this.#reducedMotion ? 0 : 500 }))
        .catch(this.#options.onError);
    });
    map.on("mousemove", LAYERS.cameras, (event) => this.#hover(idOf(event)));
    map.on("mouseleave", LAYERS.cameras, () => this.#hover(null));
  }

  #hover(cameraId: string | null): void {
    if (cameraId === this.#hoveredCameraId) return;
    this.#hoveredCameraId = cameraId;
    this.#dirty.fov = true;
    this.#throttle.schedule();
  }

  #applySelectionFilters(): void {
    this.#map.setFilter(LAYERS.cameraSelected, ["==", ["get", "id"], this.#selection.cameraId ?? ""]);
    this.#map.setFilter(LAYERS.incidentSelected, ["==", ["get", "id"], this.#selection.incidentId ?? ""]);
  }

  #render(): void {
    if (!this.#loaded) return;
    const { store } = this.#options;
    const revisions = store.revisions;
    const seen = this.#seen;
    const dirty = this.#dirty;
    if (!seen || seen.cameras !== revisions.cameras) dirty.cameras = dirty.fov = true;
    if (!seen || seen.incidents !== revisions.incidents) dirty.incidents = true;
    if (!seen || seen.sensors !== revisions.sensors) dirty.sensors = true;
    if (!seen || seen.alerts !== revisions.alerts) dirty.alerts = true;
    this.#seen = revisions;

    if (dirty.cameras) this.#setData("cameras", cameraFeatures(store.cameras()));
    if (dirty.fov) {
      const selected = this.#selection.cameraId ? store.camera(this.#selection.cameraId) : undefined;
      const hovered = this.#hoveredCameraId ? store.camera(this.#hoveredCameraId) : undefined;
      this.#setData("fov", fovFeatures(selected, hovered));
    }
    if (dirty.incidents) {
      const now = Date.now();
      this.#setData(
        "incidents",
        incidentFeatures(store.incidents(), (id) => store.isNew(id, now)),
      );
      this.#scheduleHighlightExpiry(now);
    }
    if (dirty.sensors) this.#setData("sensors", sensorFeatures(store.sensors()));
    if (dirty.alerts) this.#setData("alerts", alertFeatures(store.alerts()));
    this.#dirty = { cameras: false, fov: false, incidents: false, sensors: false, alerts: false };
  }

  #setData(name: HubSource, collection: GeoJSON.FeatureCollection): void {
    const source = this.#map.getSource<GeoJSONSource>(SOURCES[name]);
    if (!source) return;
    source.setData(collection).catch(this.#options.onError);
    if (name !== "fov") this.#options.stats.dataset[name] = String(collection.features.length);
  }

  /** Redraws incidents when the next "new" highlight ends, and pulses the highlight while there is one. */
  #scheduleHighlightExpiry(now: number): void {
    if (this.#highlightTimer) clearTimeout(this.#highlightTimer);
    this.#highlightTimer = null;
    const expiry = this.#options.store.nextHighlightExpiry(now);
    if (expiry !== null) {
      this.#highlightTimer = setTimeout(
        () => {
          this.#highlightTimer = null;
          this.#dirty.incidents = true;
          this.#throttle.schedule();
        },
        expiry - now + 20,
      );
    }
    this.#pulse(expiry !== null);
  }

  #pulse(on: boolean): void {
    if (this.#reducedMotion) return; // the ring stays, steady
    if (on && !this.#pulseTimer) {
      const started = performance.now();
      this.#pulseTimer = setInterval(() => {
        const phase = ((performance.now() - started) % 1200) / 1200;
        const opacity = 0.35 + 0.65 * (0.5 + 0.5 * Math.cos(phase * 2 * Math.PI));
        this.#map.setPaintProperty(LAYERS.incidentPulse, "circle-stroke-opacity", opacity);
      }, PULSE_INTERVAL_MS);
    } else if (!on && this.#pulseTimer) {
      clearInterval(this.#pulseTimer);
      this.#pulseTimer = null;
    }
  }
}

function idOf(event: MapLayerMouseEvent): string | null {
  const id = event.features?.[0]?.properties?.id;
  return typeof id === "string" ? id : null;
}
