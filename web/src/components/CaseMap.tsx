import type { CaseCamera, ClientConfig } from "@hub/contracts";
import { type Dispatch, memo, type RefObject, useEffect, useId, useMemo, useRef } from "react";
import type { DrawAction, DrawState } from "../cases/draw";
import { useI18n } from "../i18n/I18nProvider";
import type { CaseMapController } from "../map/case-controller";
import { areaFeatures, boundsOf, caseCameraFeatures, caseFovFeatures, resultPositions } from "../map/case-features";
import { MAP_COLOURS } from "../map/palette";
import { useDrawMap } from "./useDrawMap";

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
  const helpId = useId();
  const { container, stats, loaded, failure } = useDrawMap({
    load: () => import("../map/case-controller").then((module) => module.CaseMapController),
    name: "case map",
    canvasLabel: t("caseMapCanvas"),
    config,
    draw,
    dispatch,
    onHit: onSelectCamera,
    controllerRef,
  });

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
