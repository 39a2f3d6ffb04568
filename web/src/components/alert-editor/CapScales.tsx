import { CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from "@hub/contracts";
import type { AlertForm } from "../../alerts/form";
import { useI18n } from "../../i18n/I18nProvider";
import type { FieldHelpers } from "./types";

type Scale = "urgency" | "severity" | "certainty";

const SCALES = [
  ["urgency", CAP_URGENCIES],
  ["severity", CAP_SEVERITIES],
  ["certainty", CAP_CERTAINTIES],
] as const;

/** CAP's urgency, severity and certainty: a select each, in a row. */
export function CapScales({
  form,
  onChange,
  fieldId,
  invalid,
  describedBy,
  problemAt,
}: {
  form: AlertForm;
  onChange(name: Scale, value: string): void;
} & FieldHelpers) {
  const { t } = useI18n();
  return (
    <div className="field-row">
      {SCALES.map(([name, values]) => (
        <div className="field" key={name}>
          <label htmlFor={fieldId(name)}>{t(`alertField_${name}`)}</label>
          <select
            id={fieldId(name)}
            data-testid={`select-${name}`}
            value={form[name]}
            aria-invalid={invalid(name)}
            aria-describedby={describedBy(name)}
            onChange={(event) => onChange(name, event.target.value)}
          >
            {values.map((value) => (
              <option key={value} value={value}>
                {t(
                  name === "urgency"
                    ? `capUrgency_${value as (typeof CAP_URGENCIES)[number]}`
                    : name === "severity"
                      ? `capSeverity_${value as (typeof CAP_SEVERITIES)[number]}`
                      : `capCertainty_${value as (typeof CAP_CERTAINTIES)[number]}`,
                )}
              </option>
            ))}
          </select>
          {problemAt(name)}
        </div>
      ))}
    </div>
  );
}
