import type { AlertForm } from "../../alerts/form";
import { useI18n } from "../../i18n/I18nProvider";
import type { FieldHelpers } from "./types";

/** Onset and expiry, in Macao time. */
export function TimingFields({
  form,
  hintId,
  onChange,
  fieldId,
  invalid,
  describedBy,
  problemAt,
}: {
  form: AlertForm;
  hintId: string;
  onChange(name: "onset" | "expires", value: string): void;
} & FieldHelpers) {
  const { t } = useI18n();
  return (
    <fieldset className="case-fieldset">
      <legend>{t("alertTimes")}</legend>
      <div className="field-row">
        {(["onset", "expires"] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={fieldId(name)}>{t(`alertField_${name}`)}</label>
            <input
              id={fieldId(name)}
              data-testid={`${name}-input`}
              type="datetime-local"
              step={60}
              required={name === "expires"}
              value={form[name]}
              aria-invalid={invalid(name)}
              aria-describedby={describedBy(name, hintId)}
              onChange={(event) => onChange(name, event.target.value)}
            />
            {problemAt(name)}
          </div>
        ))}
      </div>
      <p id={hintId} className="hint">
        {t("alertTimesHint")}
      </p>
    </fieldset>
  );
}
