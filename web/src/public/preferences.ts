import { LANGUAGES, type Language } from "@hub/contracts";

/** The public page's choices, remembered in localStorage: the language and the colour scheme. */

export const LANGUAGE_KEY = "hub.public.language";
export const THEME_KEY = "hub.public.theme";
export const DEFAULT_LANGUAGE: Language = "zh-Hant";
export const LANGUAGE_NAMES: Record<Language, string> = { "zh-Hant": "繁體中文", pt: "Português", en: "English" };
/** Locales for dates: Macao's own where the platform knows them. */
export const LOCALES: Record<Language, string> = { "zh-Hant": "zh-Hant-MO", pt: "pt-MO", en: "en-GB" };
export const TIME_ZONE = "Asia/Macau";

export type Theme = "light" | "dark";

export const isLanguage = (value: unknown): value is Language =>
  typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);

/** The first of the browser's languages the page has (any Chinese → Traditional Chinese), else Chinese. */
export function languageOfNavigator(languages: readonly string[]): Language {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (primary === "zh") return "zh-Hant";
    if (primary === "pt") return "pt";
    if (primary === "en") return "en";
  }
  return DEFAULT_LANGUAGE;
}

export function loadLanguage(
  storage: Pick<Storage, "getItem"> | undefined,
  navigatorLanguages: readonly string[],
): Language {
  try {
    const stored = storage?.getItem(LANGUAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage blocked (privacy mode): the browser's language it is.
  }
  return languageOfNavigator(navigatorLanguages);
}

/** The chosen scheme, or null to follow the system's (prefers-color-scheme). */
export function loadTheme(storage: Pick<Storage, "getItem"> | undefined): Theme | null {
  try {
    const stored = storage?.getItem(THEME_KEY);
    return stored === "light" || stored === "dark" ? stored : null;
  } catch {
    return null;
  }
}

export function save(storage: Pick<Storage, "setItem"> | undefined, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Not remembered; the choice still holds for this visit.
  }
}
