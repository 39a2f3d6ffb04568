import { LANGUAGES, type Language } from "@hub/contracts";
import { en, type MessageKey, type Messages } from "./en";
import { pt } from "./pt";
import { zhHant } from "./zh-Hant";

export type { MessageKey, Messages };

export const DICTIONARIES: Record<Language, Messages> = { "zh-Hant": zhHant, pt, en };
export const DEFAULT_LANGUAGE: Language = "zh-Hant";
/** Each language named in itself, for the switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = { "zh-Hant": "繁體中文", pt: "Português", en: "English" };
/** Locales for dates and numbers: Macao's own where the platform knows them. */
const LOCALES: Record<Language, string> = { "zh-Hant": "zh-Hant-MO", pt: "pt-MO", en: "en-GB" };
/** Times are shown in Macao's time, whatever the client machine's zone. */
export const TIME_ZONE = "Asia/Macau";
const STORAGE_KEY = "hub.language";

export type Params = Record<string, string | number>;

export const isLanguage = (value: unknown): value is Language =>
  typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);

const fill = (template: string, params?: Params): string =>
  params ? template.replace(/\{(\w+)\}/g, (match, name: string) => String(params[name] ?? match)) : template;

export function translate(language: Language, key: MessageKey, params?: Params): string {
  return fill(DICTIONARIES[language][key], params);
}

/** For keys built from data (`kind_${incident.kind}`): the translation if there is one, else `fallback`. */
export function translateOr(language: Language, key: string, fallback: string, params?: Params): string {
  const dictionary: Record<string, string> = DICTIONARIES[language];
  const template = Object.hasOwn(dictionary, key) ? dictionary[key] : undefined;
  return template === undefined ? fallback : fill(template, params);
}

export function loadLanguage(storage: Pick<Storage, "getItem"> | undefined): Language {
  try {
    const stored = storage?.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE; // storage blocked (privacy mode): the default it is
  }
}

export function saveLanguage(storage: Pick<Storage, "setItem"> | undefined, language: Language): void {
  try {
    storage?.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
}

/** An incident's title in `language` (incidents carry it in each language; `title` is the English default). */
export function titleIn(
  language: Language,
  incident: { title: string; titles?: Partial<Record<Language, string>> },
): string {
  return incident.titles?.[language] || incident.title;
}

export interface Formatters {
  /** Time of day (with seconds) in Macao. */
  time(iso: string): string;
  /** Date and time in Macao. */
  dateTime(iso: string): string;
  number(value: number): string;
  /** A share 0..1 as a whole percentage number (the % sign is in the message). */
  percent(share: number): string;
}

export function createFormatters(language: Language): Formatters {
  const locale = LOCALES[language];
  const time = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    dateStyle: "medium",
    timeStyle: "medium",
    hourCycle: "h23",
  });
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const safe = (format: Intl.DateTimeFormat) => (iso: string) => {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? iso : format.format(ms);
  };
  return {
    time: safe(time),
    dateTime: safe(dateTime),
    number: (value) => number.format(value),
    percent: (share) => percent.format(share * 100),
  };
}
