import type { Dispatch } from "react";
import type { AreaMode, DrawAction, DrawState } from "../cases/draw";
import { useI18n } from "../i18n/I18nProvider";

interface DrawControlsProps {
  draw: DrawState;
  dispatch: Dispatch<DrawAction>;
  /** The map's centre, where a keyboard user puts a circle's centre or a polygon's next corner (null before it loads). */
  mapCentre(): [number, number] | null | undefined;
  /** Order of the shape choices. */
  modes: readonly AreaMode[];
  /** Name of the radio group (unique on the page). */
  name: string;
  /** Test ids: `${modeTestId}-circle`, `${modeTestId}-polygon`; the draw toggle and the close button. */
  modeTestId: string;
  toggleTestId?: string;
  closeTestId?: string;
  hintId?: string;
  /** Element ids of the radios: `${idPrefix}-circle`, `${idPrefix}-polygon` (to focus one on an error). */
  idPrefix?: string;
}

/**
 * The drawing controls shared by the case lookup and the alert editor: circle or polygon, drawing on the map on or
 * off, a corner or centre at the map's centre (the keyboard way), remove the last corner, close the outline, clear.
 */
export function DrawControls({
  draw,
  dispatch,
  mapCentre,
  modes,
  name,
  modeTestId,
  toggleTestId,
  closeTestId,
  hintId,
  idPrefix,
}: DrawControlsProps) {
  const { t } = useI18n();
  const placeAtMapCentre = () => {
    const centre = mapCentre();
    if (centre) dispatch({ type: draw.mode === "circle" ? "centre" : "addCorner", pos: centre });
  };
  return (
    <>
      <div className="segmented" role="radiogroup" aria-label={t("caseAreaShape")}>
        {modes.map((mode) => (
          <label key={mode} className="segment">
            <input
              type="radio"
              name={name}
              id={idPrefix ? `${idPrefix}-${mode}` : undefined}
              data-testid={`${modeTestId}-${mode}`}
              value={mode}
              checked={draw.mode === mode}
              onChange={() => dispatch({ type: "mode", mode })}
            />
            {t(mode === "circle" ? "caseCircle" : "casePolygon")}
          </label>
        ))}
      </div>
      <p id={hintId} className="hint">
        {t(draw.mode === "circle" ? "caseCircleHint" : "casePolygonHint")}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button"
          data-testid={toggleTestId}
          aria-pressed={draw.drawing}
          onClick={() => dispatch({ type: "arm", drawing: !draw.drawing })}
        >
          {t(draw.drawing ? "caseDrawingOn" : "caseDrawOnMap")}
        </button>
        <button type="button" className="button" onClick={placeAtMapCentre}>
          {t(draw.mode === "circle" ? "caseUseMapCentre" : "caseAddCornerAtCentre")}
        </button>
        {draw.mode === "polygon" && (
          <>
            <button
              type="button"
              className="button"
              disabled={draw.corners.length === 0}
              onClick={() => dispatch({ type: "removeLast" })}
            >
              {t("caseRemoveCorner")}
            </button>
            <button
              type="button"
              className="button"
              data-testid={closeTestId}
              disabled={draw.closed || draw.corners.length < 3}
              onClick={() => dispatch({ type: "finish" })}
            >
              {t("caseCloseOutline")}
            </button>
          </>
        )}
        <button type="button" className="button" onClick={() => dispatch({ type: "clear" })}>
          {t("caseClearArea")}
        </button>
      </div>
    </>
  );
}
