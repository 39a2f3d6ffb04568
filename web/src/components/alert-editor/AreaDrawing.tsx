import type { Dispatch } from "react";
import { type AreaProblem, type DrawAction, type DrawState, MAX_RADIUS_M, MIN_RADIUS_M } from "../../cases/draw";
import { useI18n } from "../../i18n/I18nProvider";
import { DrawControls } from "../DrawControls";

const CIRCLE_FIELDS = [
  ["lat", "caseLatitude", -90, 90],
  ["lon", "caseLongitude", -180, 180],
  ["radius", "caseRadius", MIN_RADIUS_M, MAX_RADIUS_M],
] as const;

/**
 * Drawing a shape for the area being edited: the drawing controls, a circle's centre and radius typed in, and the
 * button that adds the finished shape to the area.
 */
export function AreaDrawing({
  id,
  areaNumber,
  draw,
  dispatch,
  mapCentre,
  canAdd,
  problem,
  onAdd,
}: {
  id: string;
  /** The area the shape goes to, from 1. */
  areaNumber: number;
  draw: DrawState;
  dispatch: Dispatch<DrawAction>;
  mapCentre(): [number, number] | undefined;
  canAdd: boolean;
  /** Why the drawing is not a shape yet, if it is not. */
  problem: AreaProblem | null;
  onAdd(): void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="case-fieldset">
      <legend>{t("alertDrawHeading", { n: areaNumber })}</legend>
      <DrawControls
        draw={draw}
        dispatch={dispatch}
        mapCentre={mapCentre}
        modes={["polygon", "circle"]}
        name={`${id}-draw-mode`}
        modeTestId="draw-mode"
        toggleTestId="draw-toggle"
        closeTestId="draw-close"
      />
      {draw.mode === "circle" && (
        <div className="field-row">
          {CIRCLE_FIELDS.map(([field, label, min, max]) => (
            <div className="field" key={field}>
              <label htmlFor={`${id}-circle-${field}`}>{t(label)}</label>
              <input
                id={`${id}-circle-${field}`}
                data-testid={`draw-circle-${field}`}
                type="number"
                inputMode="decimal"
                step="any"
                min={min}
                max={max}
                value={draw.circle[field]}
                onChange={(event) => dispatch({ type: "circleField", field, value: event.target.value })}
              />
            </div>
          ))}
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          className="button primary"
          data-testid="add-shape"
          disabled={!canAdd}
          aria-describedby={`${id}-draw-status`}
          onClick={onAdd}
        >
          {t("alertAddShape", { n: areaNumber })}
        </button>
      </div>
      <p id={`${id}-draw-status`} className="hint" aria-live="polite">
        {problem && problem !== "noArea" ? t(`caseProblem_${problem}`) : t("alertDrawStatus")}
      </p>
    </fieldset>
  );
}
