import { LANGUAGES } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { PUBLIC_DICTIONARIES, translate, translateOr } from "./messages";
import { LANGUAGE_KEY, languageOfNavigator, loadLanguage, loadTheme, THEME_KEY } from "./preferences";

const storageOf = (values: Record<string, string>) => ({ getItem: (key: string) => values[key] ?? null });

describe("the public page's language", () => {
  it("follows the browser: any Chinese is Traditional Chinese, then Portuguese or English, else Chinese", () => {
    expect(languageOfNavigator(["pt-PT", "en"])).toBe("pt");
    expect(languageOfNavigator(["zh-CN"])).toBe("zh-Hant");
    expect(languageOfNavigator(["fr-FR", "en-GB"])).toBe("en");
    expect(languageOfNavigator(["fr-FR"])).toBe("zh-Hant");
    expect(languageOfNavigator([])).toBe("zh-Hant");
  });

  it("prefers a remembered valid choice over the browser's", () => {
    expect(loadLanguage(storageOf({ [LANGUAGE_KEY]: "en" }), ["pt"])).toBe("en");
    expect(loadLanguage(storageOf({ [LANGUAGE_KEY]: "fr" }), ["pt"])).toBe("pt");
    const blocked = {
      getItem: () => {
        throw new Error("blocked");
      },
    };
    expect(loadLanguage(blocked, ["en-US"])).toBe("en");
  });

  it("remembers only a real colour scheme", () => {
    expect(loadTheme(storageOf({ [THEME_KEY]: "dark" }))).toBe("dark");
    expect(loadTheme(storageOf({ [THEME_KEY]: "sepia" }))).toBeNull();
    expect(loadTheme(undefined)).toBeNull();
  });
});

describe("the public page's texts", () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

  it("exist in every language with the English placeholders, and none is empty", () => {
    for (const language of LANGUAGES)
      for (const [key, text] of Object.entries(PUBLIC_DICTIONARIES.en)) {
        const translated = PUBLIC_DICTIONARIES[language][key as keyof typeof PUBLIC_DICTIONARIES.en];
        expect(translated.trim(), `${language}.${key}`).not.toBe("");
        expect(placeholders(translated), `${language}.${key}`).toEqual(placeholders(text));
      }
  });

  it("name the empty state in all three languages", () => {
    expect(LANGUAGES.map((language) => translate(language, "empty"))).toEqual([
      "現時沒有生效的警報",
      "Nenhum aviso em vigor",
      "No warnings in force",
    ]);
  });

  it("fall back to the raw value for an unknown category", () => {
    expect(translateOr("pt", "category_Met", "Met")).toBe("Meteorológico");
    expect(translateOr("pt", "category_Volcano", "Volcano")).toBe("Volcano");
    expect(translateOr("en", "constructor", "x")).toBe("x");
  });
});
