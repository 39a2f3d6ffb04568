import type { ClientConfig, SensorSummary } from "@hub/contracts";
import { memo, type RefObject, useEffect, useId, useMemo, useRef, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import type { MapController, MapLabels, MapSelection } from "../map/controller";
import { countCameraStates } from "../map/features";
import { BASE_COLOURS, CAMERA_COLOURS, LEVEL_COLOURS, MAP_COLOURS, SEVERITY_COLOURS } from "../map/palette";
import { useTheme } from "../theme/useTheme";
import { useLive } from "./LiveContext";

interface MapViewProps {
  config: ClientConfig;
  selection: MapSelection;
  onSelectCamera(id: string): void;
  onSelectIncident(id: string): void;
  /** Sensors: a click on one opens its panel; the silent ones are drawn as rings. */
  onSelectSensor?(id: string): void;
  sensors?: readonly SensorSummary[];
  controllerRef: RefObject<MapController | null>;
}

/** The live map. React renders the frame; the MapController owns the map and feeds it from the store. */
export const MapView = memo(function MapView({
  config,
  selection,
  onSelectCamera,
  onSelectIncident,
  onSelectSensor,
  sensors,
  controllerRef,
}: MapViewProps) {
  const { t } = useI18n();
  const { store } = useLive();
  const summaryId = useId();
  const container = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [offlineBase, setOfflineBase] = useState(false);
  const stats = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onSelectCamera, onSelectIncident, onSelectSensor });
  callbacks.current = { onSelectCamera, onSelectIncident, onSelectSensor };
  const sensorsRef = useRef(sensors);
  sensorsRef.current = sensors;
  const labels: MapLabels = useMemo(
    () => ({ canvas: t("mapCanvas"), zoomIn: t("mapZoomIn"), zoomOut: t("mapZoomOut") }),
    [t],
  );
  const labelsRef = useRef(labels);
  labelsRef.current = labels;
  const [theme] = useTheme();
  const themeRef = useRef(theme);
  themeRef.current = theme;

  const { cameraId, incidentId } = selection;
  const selectionRef = useRef(selection);
  selectionRef.current = { cameraId, incidentId };

  // MapLibre is loaded on demand: the sign-in screen does not wait for it.
  useEffect(() => {
    const element = container.current;
    const statsElement = stats.current;
    if (!element || !statsElement) return;
    let controller: MapController | null = null;
    let cancelled = false;
    import("../map/controller")
      .then((module) => {
        if (cancelled) return;
        controller = new module.MapController({
          container: element,
          stats: statsElement,
          config,
          store,
          labels: labelsRef.current,
          theme: themeRef.current,
          onSelectCamera: (id) => callbacks.current.onSelectCamera(id),
          onSelectIncident: (id) => callbacks.current.onSelectIncident(id),
          onSelectSensor: (id) => callbacks.current.onSelectSensor?.(id),
          onBaseMapFallback: () => {
            if (!cancelled) setOfflineBase(true);
          },
          onError: (error) => console.warn("map:", error),
        });
        controller.setSelection(selectionRef.current);
        if (sensorsRef.current) controller.setSilentSensors(sensorsRef.current);
        controllerRef.current = controller;
      })
      .catch((error: unknown) => {
        // No WebGL, or the map module failed: the panels still work; say so where the map would be.
        console.error("map could not load:", error);
        if (!cancelled) setFailure(describeError(error).detail);
      });
    return () => {
      cancelled = true;
      controllerRef.current = null;
      controller?.destroy();
    };
  }, [config, store, controllerRef]);

  // A controller made later reads labelsRef; one that exists is told.
  useEffect(() => {
    controllerRef.current?.setLabels(labels);
  }, [labels, controllerRef]);

  useEffect(() => {
    controllerRef.current?.setTheme(theme);
  }, [theme, controllerRef]);

  useEffect(() => {
    controllerRef.current?.setSelection({ cameraId, incidentId });
  }, [cameraId, incidentId, controllerRef]);

  useEffect(() => {
    if (sensors) controllerRef.current?.setSilentSensors(sensors);
  }, [sensors, controllerRef]);

  const cameras = store.cameras();
  const counts = useMemo(() => countCameraStates(cameras), [cameras]);
  const summary = t("mapSummary", {
    cameras: cameras.length,
    ...counts,
    incidents: store.incidents().length,
    alerts: store.alerts().length,
    sensors: store.sensors().length,
  });

  return (
    <div className="map-wrap">
      {/* biome-ignore lint/a11y/useSemanticElements: MapLibre fills this div; role="region" is what the browser tests look for */}
      <div ref={container} className="map" role="region" aria-label={t("map")} aria-describedby={summaryId} />
      <p id={summaryId} className="visually-hidden">
        {summary}
      </p>
      <div ref={stats} data-testid="map-stats" className="visually-hidden" aria-hidden="true" />
      <Legend />
      {offlineBase && (
        <p className="map-notice" role="status" data-testid="map-style-fallback">
          {t("mapStyleFallback")}
        </p>
      )}
      {failure && (
        <p className="map-failure error" role="alert">
          {t("mapLoadFailed", { detail: failure })}
        </p>
      )}
    </div>
  );
});

function Swatch({ colour, ring = false }: { colour: string; ring?: boolean }) {
  const [theme] = useTheme();
  return (
    <span
      className="swatch"
      aria-hidden="true"
      style={ring ? { border: `3px solid ${colour}`, background: BASE_COLOURS[theme].sea } : { background: colour }}
    />
  );
}

function Legend() {
  const { t } = useI18n();
  return (
    <details className="legend">
      <summary>{t("legend")}</summary>
      <ul>
        {(["online", "degraded", "offline", "silent", "maintenance", "unknown"] as const).map((state) => (
          <li key={state}>
            <Swatch colour={CAMERA_COLOURS[state]} /> {t(`camera_${state}`)}
          </li>
        ))}
        <li>
          <Swatch colour={MAP_COLOURS.clusterWithOffline} /> {t("legendClusters")}
        </li>
        {(["minor", "moderate", "severe", "extreme"] as const).map((severity) => (
          <li key={severity}>
            <Swatch colour={SEVERITY_COLOURS[severity]} /> {t(`severity_${severity}`)}
          </li>
        ))}
        {([0, 1, 2] as const).map((level) => (
          <li key={level}>
            <Swatch colour={LEVEL_COLOURS[level]} /> {t("sensor_water_level")} · {t(`level_${level}`)}
          </li>
        ))}
        <li>
          <Swatch colour={LEVEL_COLOURS[0]} ring /> {t("sensor_rainfall")}
        </li>
      </ul>
    </details>
  );
}
