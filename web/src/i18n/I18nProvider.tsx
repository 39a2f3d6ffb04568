import type { Language } from "@hub/contracts";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import {
  createFormatters,
  type Formatters,
  loadLanguage,
  type MessageKey,
  type Params,
  saveLanguage,
  titleIn,
  translate,
  translateOr,
} from "./i18n";

export interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t(key: MessageKey, params?: Params): string;
  /** An incident's title in the chosen language. */
  title(incident: { title: string; titles?: Partial<Record<Language, string>> }): string;
  /** For keys built from data, e.g. `kind_${incident.kind}`: falls back to the raw value. */
  tOr(key: string, fallback: string, params?: Params): string;
  format: Formatters;
}

const I18nContext = createContext<I18n | null>(null);

const storage = (): Storage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
};

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() => loadLanguage(storage()));

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = translate(language, "appTitle");
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    saveLanguage(storage(), next);
    setLanguageState(next);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage,
      t: (key, params) => translate(language, key, params),
      tOr: (key, fallback, params) => translateOr(language, key, fallback, params),
      title: (incident) => titleIn(language, incident),
      format: createFormatters(language),
    }),
    [language, setLanguage],
  );

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error("useI18n outside I18nProvider");
  return context;
}
