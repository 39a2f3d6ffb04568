import { LANGUAGES } from "@hub/contracts";
import { useId } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { isLanguage, LANGUAGE_NAMES } from "../i18n/i18n";

export function LanguageSelect() {
  const { language, setLanguage, t } = useI18n();
  const id = useId();
  return (
    <div className="language-select">
      <label htmlFor={id}>{t("language")}</label>
      <select
        id={id}
        data-testid="language-select"
        value={language}
        onChange={(event) => {
          if (isLanguage(event.target.value)) setLanguage(event.target.value);
        }}
      >
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}
