import { LANGUAGES } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { createFormatters, DICTIONARIES, loadLanguage, saveLanguage, translate, translateOr } from "./i18n";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("dictionaries", () => {
  it("every language has every key, none empty, with the same placeholders as English", () => {
    for (const language of LANGUAGES) {
      const dictionary = DICTIONARIES[language];
      expect(Object.keys(dictionary).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        const translated = dictionary[key as keyof typeof en];
        expect(translated.trim(), `${language}.${key}`).not.toBe("");
        expect(placeholders(translated), `${language}.${key}`).toEqual(placeholders(text));
      }
    }
  });

  it("translates severity, status, camera state and incident kind into every language", () => {
    for (const key of ["severity_extreme", "status_acknowledged", "camera_offline", "kind_flood"] as const) {
      expect(new Set(LANGUAGES.map((language) => translate(language, key))).size).toBe(3);
    }
  });
});

describe("translate", () => {
  it("fills in parameters and leaves unknown ones visible", () => {
    expect(translate("en", "signedInAs", { name: "Ana" })).toBe("Signed in as Ana");
    expect(translate("zh-Hant", "evidenceCount", { count: 3 })).toBe("證據：3");
    expect(translate("en", "signedInAs")).toBe("Signed in as {name}");
  });

  it("falls back for data-driven keys it does not know", () => {
    expect(translateOr("pt", "kind_fire", "fire")).toBe("Incêndio");
    expect(translateOr("pt", "kind_meteor", "meteor")).toBe("meteor");
    expect(translateOr("en", "toString", "x")).toBe("x");
  });
});

describe("language choice", () => {
  it("defaults to Traditional Chinese and remembers a valid choice only", () => {
    const values = new Map<string, string>();
    const storage = {
      getItem: (k: string) => values.get(k) ?? null,
      setItem: (k: string, v: string) => values.set(k, v),
    };
    expect(loadLanguage(storage)).toBe("zh-Hant");
    saveLanguage(storage, "pt");
    expect(loadLanguage(storage)).toBe("pt");
    values.set("hub.language", "fr");
    expect(loadLanguage(storage)).toBe("zh-Hant");
    expect(
      loadLanguage({
        getItem: () => {
          throw new Error("blocked");
        },
      }),
    ).toBe("zh-Hant");
  });
});

describe("formatters", () => {
  it("show times in Macao's zone (UTC+8)", () => {
    expect(createFormatters("en").time("2025-06-01T08:00:05.000Z")).toBe("16:00:05");
    expect(createFormatters("en").time("not a time")).toBe("not a time");
    expect(createFormatters("en").percent(0.874)).toBe("87");
  });
});
