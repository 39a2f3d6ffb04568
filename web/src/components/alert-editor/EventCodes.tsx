import type { AlertForm } from "../../alerts/form";
import { useI18n } from "../../i18n/I18nProvider";
import type { FieldHelpers } from "./types";

/** The CAP event codes: name and value pairs, added and removed in rows. */
export function EventCodes({
  codes,
  onChange,
  fieldId,
  problemAt,
}: {
  codes: AlertForm["eventCodes"];
  onChange(codes: AlertForm["eventCodes"]): void;
} & Pick<FieldHelpers, "fieldId" | "problemAt">) {
  const { t } = useI18n();
  const set = (index: number, key: "valueName" | "value", value: string) =>
    onChange(codes.map((code, i) => (i === index ? { ...code, [key]: value } : code)));
  return (
    <fieldset className="case-fieldset" id={fieldId("eventCodes")} tabIndex={-1}>
      <legend>{t("alertField_eventCodes")}</legend>
      {codes.map((code, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their order is their identity
        <div className="field-row" key={index}>
          <div className="field">
            <label htmlFor={fieldId(`eventCodes.${index}.valueName`)}>{t("alertEventCodeName")}</label>
            <input
              id={fieldId(`eventCodes.${index}.valueName`)}
              data-testid={`event-code-name-${index}`}
              value={code.valueName}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => set(index, "valueName", event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={fieldId(`eventCodes.${index}.value`)}>{t("alertEventCodeValue")}</label>
            <input
              id={fieldId(`eventCodes.${index}.value`)}
              data-testid={`event-code-value-${index}`}
              value={code.value}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => set(index, "value", event.target.value)}
            />
          </div>
          <button
            type="button"
            className="button align-end"
            onClick={() => onChange(codes.filter((_, i) => i !== index))}
          >
            {t("alertRemove")}
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" className="button" onClick={() => onChange([...codes, { valueName: "", value: "" }])}>
          {t("alertAddEventCode")}
        </button>
      </div>
      {problemAt("eventCodes")}
    </fieldset>
  );
}
