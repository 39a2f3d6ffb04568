import type { ClientConfig, District, DistrictCode } from "@hub/contracts";
import { type Dispatch, memo, type RefObject, useEffect, useId, useMemo, useRef } from "react";
import type { AreaForm } from "../alerts/form";
import type { DrawAction, DrawState } from "../cases/draw";
import { useI18n } from "../i18n/I18nProvider";
import type { AlertMapController } from "../map/alert-controller";
import { areaPositions, areaShapeFeatures, districtFeatures } from "../map/alert-features";
import { areaFeatures, boundsOf } from "../map/case-features";
import { ALERT_COLOURS } from "../map/draw-layers";
import { useDrawMap } from "./useDrawMap";

interface AlertAreaMapProps {
  config: ClientConfig;
  districts: readonly District[];
  areas: readonly AreaForm[];
  /** The area being edited: its districts and shapes stand out, and map clicks on districts toggle them. */
  activeArea: number;
  draw: DrawState;
  dispatch: Dispatch<DrawAction>;
  /** A district clicked while not drawing. */
  onDistrictClick(code: string): void;
  /** Changes when other content is loaded: the map then fits all the areas. */
  fitKey: number;
  controllerRef: RefObject<AlertMapController | null>;
}

const NO_CODES: ReadonlySet<DistrictCode> = new Set();

/**
 * The alert editor's map (MapLibre, loaded on demand): district outlines, the alert's areas, and the shape being
 * drawn with the case lookup's drawing reducer. React renders the frame; the AlertMapController owns the map.
 */
export const AlertAreaMap = memo(function AlertAreaMap({
  config,
  districts,
  areas,
  activeArea,
  draw,
  dispatch,
  onDistrictClick,
  fitKey,
  controllerRef,
}: AlertAreaMapProps) {
  const { t } = useI18n();
  const helpId = useId();
  const { container, stats, loaded, failure } = useDrawMap({
    load: () => import("../map/alert-controller").then((module) => module.AlertMapController),
    name: "alert map",
    canvasLabel: t("alertMapCanvas"),
    config,
    draw,
    dispatch,
    onHit: onDistrictClick,
    controllerRef,
  });

  const active = areas[activeArea];
  const districtData = useMemo(() => {
    const others = new Set<DistrictCode>();
    areas.forEach((area, index) => {
      if (index !== activeArea) for (const code of area.districts) others.add(code);
    });
    return districtFeatures(districts, active ? new Set(active.districts) : NO_CODES, others);
  }, [districts, areas, active, activeArea]);
  const shapeData = useMemo(() => areaShapeFeatures(areas, activeArea), [areas, activeArea]);
  const drawData = useMemo(() => areaFeatures(draw), [draw]);

  useEffect(() => {
    if (loaded) controllerRef.current?.setDistricts(districtData);
  }, [districtData, loaded, controllerRef]);
  useEffect(() => {
    if (loaded) controllerRef.current?.setShapes(shapeData);
  }, [shapeData, loaded, controllerRef]);
  useEffect(() => {
    if (!loaded) return;
    controllerRef.current?.setDraw(drawData);
    controllerRef.current?.setDrawing(draw.drawing);
  }, [drawData, draw.drawing, loaded, controllerRef]);

  // Fit once per loaded content, to every area (not on every edit).
  const areasRef = useRef(areas);
  areasRef.current = areas;
  useEffect(() => {
    if (!loaded) return;
    void fitKey;
    const bounds = boundsOf(areasRef.current.flatMap((area) => areaPositions(area, districts)));
    if (bounds) controllerRef.current?.fitTo(bounds);
  }, [fitKey, loaded, districts, controllerRef]);

  return (
    <div className="case-map-wrap">
      {/* biome-ignore lint/a11y/useSemanticElements: MapLibre fills this div; a region names the map for screen readers */}
      <div ref={container} className="map" role="region" aria-label={t("alertMap")} aria-describedby={helpId} />
      <p id={helpId} className="visually-hidden">
        {t("alertMapHelp")} {t(draw.mode === "circle" ? "caseMapHelpCircle" : "caseMapHelpPolygon")}
      </p>
      <div ref={stats} data-testid="alert-map-stats" className="visually-hidden" aria-hidden="true" />
      <p className="case-map-legend" aria-hidden="true">
        <span className="swatch" style={{ background: ALERT_COLOURS.district }} /> {t("alertLegendDistricts")}{" "}
        <span className="swatch" style={{ background: ALERT_COLOURS.area }} /> {t("alertLegendAreas")}{" "}
        <span className="swatch" style={{ background: ALERT_COLOURS.drawing }} /> {t("alertLegendDrawing")}
      </p>
      {failure && (
        <p className="map-failure error" role="alert">
          {t("mapLoadFailed", { detail: failure })}
        </p>
      )}
    </div>
  );
});
