import { LANGUAGES } from "@hub/contracts";
import type { AlertForm, LocalizedField } from "../../alerts/form";
import { useI18n } from "../../i18n/I18nProvider";
import { LANGUAGE_NAMES } from "../../i18n/i18n";
import type { FieldHelpers } from "./types";

/** One CAP text in the three languages, side by side (stacked on narrow screens), each input in its language. */
export function LocalizedInputs({
  name,
  form,
  onChange,
  fieldId,
  invalid,
  describedBy,
  problemAt,
}: {
  name: LocalizedField;
  form: AlertForm;
  onChange(language: (typeof LANGUAGES)[number], value: string): void;
} & FieldHelpers) {
  const { t } = useI18n();
  const multiline = name === "description" || name === "instruction";
  return (
    <fieldset className="case-fieldset localized" id={fieldId(name)} tabIndex={-1}>
      <legend>{t(`alertField_${name}`)}</legend>
      <div className="localized-inputs">
        {LANGUAGES.map((language) => {
          const key = `${name}.${language}`;
          const common = {
            id: fieldId(key),
            lang: language,
            "data-testid": `text-${name}-${language}`,
            value: form[name][language],
            "aria-invalid": invalid(key),
            "aria-describedby": describedBy(key),
          };
          return (
            <div className="field" key={language}>
              <label htmlFor={fieldId(key)}>{LANGUAGE_NAMES[language]}</label>
              {multiline ? (
                <textarea {...common} rows={3} onChange={(event) => onChange(language, event.target.value)} />
              ) : (
                <input {...common} autoComplete="off" onChange={(event) => onChange(language, event.target.value)} />
              )}
              {problemAt(key)}
            </div>
          );
        })}
      </div>
      {problemAt(name)}
    </fieldset>
  );
}
