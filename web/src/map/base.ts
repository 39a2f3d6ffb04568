import { API, type ClientConfig } from "@hub/contracts";
import { Map as MapLibreMap, NavigationControl, setWorkerUrl } from "maplibre-gl";
// Bundled as a worker chunk (.js), so any static server sends it with a JavaScript type.
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url";
import { type Theme, themeOf } from "../theme/theme";
import { offlineStyle } from "./layers";
import { fallBackToOffline } from "./style-fallback";

setWorkerUrl(new URL(workerUrl, globalThis.location.href).href);

/** What every map of the dashboard shares: the base map (offline or the configured style) and its controls. */

export interface MapLabels {
  /** The canvas's accessible name (MapLibre makes the canvas a focusable region). */
  canvas: string;
  zoomIn: string;
  zoomOut: string;
}

export function prefersReducedMotion(): boolean {
  return globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

/**
 * A north-up map of Macao: the configured style, or without one the offline base map drawn from the land outline
 * the gateway serves, in the page's theme. No rotation or pitch to get lost in. When the configured style cannot
 * be loaded, the map falls back to the offline one and `onFallback` is called (the page says so).
 */
export function createBaseMap(
  container: HTMLElement,
  config: ClientConfig,
  labels: MapLabels,
  theme: Theme = themeOf(document.documentElement),
  onFallback: () => void = () => undefined,
): MapLibreMap {
  const offline = () => offlineStyle(new URL(API.landOutline, globalThis.location.href).href, theme);
  const map = new MapLibreMap({
    container,
    style: config.mapStyleUrl ?? offline(),
    center: config.center,
    zoom: config.zoom,
    minZoom: 9,
    maxZoom: 19,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    attributionControl: { compact: false, customAttribution: config.mapAttribution },
    locale: localeOf(labels),
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  if (config.mapStyleUrl) fallBackToOffline(map, offline, onFallback);
  return map;
}

export function createNavigation(map: MapLibreMap): NavigationControl {
  const navigation = new NavigationControl({ showCompass: false });
  map.addControl(navigation, "top-right");
  return navigation;
}

/** The language changed: MapLibre's own control labels and the canvas's name follow. Returns the new control. */
export function relabel(map: MapLibreMap, labels: MapLabels, navigation: NavigationControl): NavigationControl {
  map._locale = { ...map._locale, ...localeOf(labels) };
  map.getCanvas().setAttribute("aria-label", labels.canvas);
  map.removeControl(navigation);
  return createNavigation(map);
}

export function localeOf(labels: MapLabels): Record<string, string> {
  return {
    "Map.Title": labels.canvas,
    "NavigationControl.ZoomIn": labels.zoomIn,
    "NavigationControl.ZoomOut": labels.zoomOut,
  };
}
