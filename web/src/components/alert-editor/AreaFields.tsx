import { type District, type DistrictCode, LANGUAGES } from "@hub/contracts";
import { removeShape, toggleDistrict } from "../../alerts/areas";
import type { AreaForm, FieldKey } from "../../alerts/form";
import { useI18n } from "../../i18n/I18nProvider";
import { LANGUAGE_NAMES } from "../../i18n/i18n";
import { CheckGroup } from "../CheckGroup";
import type { FieldHelpers } from "./types";

interface AreaFieldsProps extends FieldHelpers {
  index: number;
  area: AreaForm;
  active: boolean;
  count: number;
  districts: readonly District[];
  districtOrder: readonly DistrictCode[];
  onActivate(): void;
  onChange(change: (area: AreaForm) => AreaForm, field?: FieldKey): void;
  onRemove(): void;
}

/** One area: its description in the three languages, its districts, and the shapes drawn for it. */
export function AreaFields({
  index,
  area,
  active,
  count,
  districts,
  districtOrder,
  onActivate,
  onChange,
  onRemove,
  fieldId,
  invalid,
  describedBy,
  problemAt,
}: AreaFieldsProps) {
  const { t, language } = useI18n();
  const prefix = `areas.${index}`;
  return (
    <fieldset
      className={`case-fieldset area-fieldset${active ? " is-active" : ""}`}
      id={fieldId(prefix)}
      tabIndex={-1}
      data-testid="area"
      data-area-index={index}
      data-districts={area.districts.join(",")}
      data-polygons={area.polygons.length}
      data-circles={area.circles.length}
    >
      <legend>{t("alertAreaN", { n: index + 1 })}</legend>
      <label className="segment">
        <input type="radio" data-testid={`area-${index}-edit`} checked={active} onChange={onActivate} />
        {t("alertAreaEditOnMap")}
      </label>
      <div className="localized-inputs">
        {LANGUAGES.map((lang) => {
          const key = `${prefix}.description.${lang}`;
          return (
            <div className="field" key={lang}>
              <label htmlFor={fieldId(key)}>
                {t("alertAreaDescription")} · {LANGUAGE_NAMES[lang]}
              </label>
              <input
                id={fieldId(key)}
                lang={lang}
                data-testid={`area-${index}-desc-${lang}`}
                autoComplete="off"
                value={area.description[lang]}
                aria-invalid={invalid(key)}
                aria-describedby={describedBy(key)}
                onChange={(event) => {
                  const value = event.target.value;
                  onChange(
                    (previous) => ({ ...previous, description: { ...previous.description, [lang]: value } }),
                    key,
                  );
                }}
              />
              {problemAt(key)}
            </div>
          );
        })}
      </div>
      <CheckGroup
        nested
        legend={t("alertDistricts")}
        options={districts.map((district) => ({
          value: district.code,
          label: district.name[language],
          testId: `area-${index}-district-${district.code}`,
        }))}
        checked={area.districts}
        onToggle={(code, on) => onChange((previous) => toggleDistrict(previous, code, on, districtOrder))}
        empty={<p className="muted">{t("alertNoDistricts")}</p>}
      />
      {(area.polygons.length > 0 || area.circles.length > 0) && (
        <ul className="area-shapes" data-testid={`area-${index}-shapes`}>
          {area.polygons.map((ring, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: shapes are only added and removed, never reordered
            <li key={`p${i}`}>
              {t("alertPolygon", { corners: Math.max(0, ring.length - 1) })}{" "}
              <button
                type="button"
                className="link-button"
                data-testid={`area-${index}-remove-polygon-${i}`}
                onClick={() => onChange((previous) => removeShape(previous, "polygon", i))}
              >
                {t("alertRemove")}
              </button>
            </li>
          ))}
          {area.circles.map((circle, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: shapes are only added and removed, never reordered
            <li key={`c${i}`}>
              {t("alertCircle", {
                radius: circle.radiusKm,
                lat: circle.center[1].toFixed(5),
                lon: circle.center[0].toFixed(5),
              })}{" "}
              <button
                type="button"
                className="link-button"
                data-testid={`area-${index}-remove-circle-${i}`}
                onClick={() => onChange((previous) => removeShape(previous, "circle", i))}
              >
                {t("alertRemove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {problemAt(prefix)}
      {count > 1 && (
        <div className="actions">
          <button type="button" className="button" data-testid={`area-${index}-remove`} onClick={onRemove}>
            {t("alertRemoveArea")}
          </button>
        </div>
      )}
    </fieldset>
  );
}
