import type { CaseCamera, ClientConfig } from "@hub/gateway/contract";
import { type Dispatch, memo, type RefObject, useEffect, useId, useMemo, useRef, useState } from "react";
import { describeError } from "../api";
import type { DrawAction, DrawState } from "../cases/draw";
import { drawPointerEvents } from "../cases/draw-events";
import { useI18n } from "../i18n/I18nProvider";
import type { MapLabels } from "../map/base";
import type { CaseMapController } from "../map/case-controller";
import { areaFeatures, boundsOf, caseCameraFeatures, caseFovFeatures, resultPositions } from "../map/case-features";
import { MAP_COLOURS } from "../map/palette";

interface CaseMapProps {
  config: ClientConfig;
  draw: DrawState;
  dispatch: Dispatch<DrawAction>;
  cameras: readonly CaseCamera[];
  selectedCameraId: string | null;
  onSelectCamera(id: string): void;
  /** Changes when a new result arrives: the map then fits the area and the cameras. */
  fitKey: string | null;
  controllerRef: RefObject<CaseMapController | null>;
}

/**
 * The case-lookup map. React renders the frame; the CaseMapController (loaded on demand, like the live map's) owns
 * the map. Pointer events become drawing actions; the drawing and the result's cameras are handed to the map.
 */
export const CaseMap = memo(function CaseMap({
  config,
  draw,
  dispatch,
  cameras,
  selectedCameraId,
  onSelectCamera,
  fitKey,
  controllerRef,
}: CaseMapProps) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const stats = useRef<HTMLDivElement>(null);
  const helpId = useId();
  const [failure, setFailure] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const labels: MapLabels = useMemo(
    () => ({ canvas: t("caseMapCanvas"), zoomIn: t("mapZoomIn"), zoomOut: t("mapZoomOut") }),
    [t],
  );
  const labelsRef = useRef(labels);
  labelsRef.current = labels;
  // The map's handlers read the newest state and callbacks through refs: the map is made once.
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const selectRef = useRef(onSelectCamera);
  selectRef.current = onSelectCamera;

  useEffect(() => {
    const element = container.current;
    const statsElement = stats.current;
    if (!element || !statsElement) return;
    let controller: CaseMapController | null = null;
    let cancelled = false;
    import("../map/case-controller")
      .then((module) => {
        if (cancelled) return;
        controller = new module.CaseMapController({
          container: element,
          stats: statsElement,
          config,
          labels: labelsRef.current,
          events: {
            ...drawPointerEvents(
              () => drawRef.current,
              dispatch,
              (cameraId) => selectRef.current(cameraId),
            ),
            onError: (error) => console.warn("case map:", error),
          },
        });
        controllerRef.current = controller;
        setLoaded(true);
      })
      .catch((error: unknown) => {
        console.error("case map could not load:", error);
        if (!cancelled) setFailure(describeError(error).detail);
      });
    return () => {
      cancelled = true;
      controllerRef.current = null;
      controller?.destroy();
    };
  }, [config, dispatch, controllerRef]);

  useEffect(() => {
    controllerRef.current?.setLabels(labels);
  }, [labels, controllerRef]);

  const area = useMemo(() => areaFeatures(draw), [draw]);
  useEffect(() => {
    if (!loaded) return;
    controllerRef.current?.setArea(area);
    controllerRef.current?.setDrawing(draw.drawing);
  }, [area, draw.drawing, loaded, controllerRef]);

  useEffect(() => {
    if (!loaded) return;
    controllerRef.current?.setCameras(
      caseCameraFeatures(cameras, selectedCameraId),
      caseFovFeatures(cameras, selectedCameraId),
    );
  }, [cameras, selectedCameraId, loaded, controllerRef]);

  // Fit once per result, to the area searched and the cameras found (not on every redraw).
  const areaRef = useRef(area);
  areaRef.current = area;
  useEffect(() => {
    if (!loaded || fitKey === null) return;
    const bounds = boundsOf(resultPositions(areaRef.current, cameras));
    if (bounds) controllerRef.current?.fitTo(bounds);
  }, [fitKey, cameras, loaded, controllerRef]);

  return (
    <div className="case-map-wrap">
      {/* biome-ignore lint/a11y/useSemanticElements: MapLibre fills this div; a region names the map for screen readers */}
      <div ref={container} className="map" role="region" aria-label={t("caseMap")} aria-describedby={helpId} />
      <p id={helpId} className="visually-hidden">
        {t(draw.mode === "circle" ? "caseMapHelpCircle" : "caseMapHelpPolygon")}
      </p>
      <div ref={stats} data-testid="case-map-stats" className="visually-hidden" aria-hidden="true" />
      <p className="case-map-legend" aria-hidden="true">
        <span className="swatch" style={{ background: MAP_COLOURS.caseArea }} /> {t("caseLegendArea")}{" "}
        <span className="swatch" style={{ background: MAP_COLOURS.caseCamera }} /> {t("caseLegendCameras")}
      </p>
      {failure && (
        <p className="map-failure error" role="alert">
          {t("mapLoadFailed", { detail: failure })}
        </p>
      )}
    </div>
  );
});
