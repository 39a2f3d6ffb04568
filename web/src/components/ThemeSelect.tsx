import { useId } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { isTheme, THEMES } from "../theme/theme";
import { useTheme } from "../theme/useTheme";

/** Dark (the control room's wall) or light (a desk): beside the language, in the same style. */
export function ThemeSelect() {
  const { t } = useI18n();
  const [theme, setTheme] = useTheme();
  const id = useId();
  return (
    <div className="language-select">
      <label htmlFor={id}>{t("theme")}</label>
      <select
        id={id}
        data-testid="theme-select"
        value={theme}
        onChange={(event) => {
          if (isTheme(event.target.value)) setTheme(event.target.value);
        }}
      >
        {THEMES.map((value) => (
          <option key={value} value={value}>
            {t(`theme_${value}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
