import { describe, expect, it } from "vitest";
import { createThemeStore, DEFAULT_THEME, loadTheme, THEME_KEY, themeOf } from "./theme";

function memoryStorage(values: Record<string, string> = {}) {
  return {
    values,
    getItem: (key: string) => values[key] ?? null,
    setItem: (key: string, value: string) => {
      values[key] = value;
    },
  };
}
const blocked = {
  getItem: (): string | null => {
    throw new Error("blocked");
  },
  setItem: () => {
    throw new Error("blocked");
  },
};

describe("the dashboard's theme", () => {
  it("is dark unless light was chosen: the control room's wall is the default", () => {
    expect(DEFAULT_THEME).toBe("dark");
    expect(loadTheme(undefined)).toBe("dark");
    expect(loadTheme(memoryStorage({ [THEME_KEY]: "light" }))).toBe("light");
    expect(loadTheme(memoryStorage({ [THEME_KEY]: "sepia" }))).toBe("dark");
    expect(loadTheme(blocked)).toBe("dark");
  });

  it("marks <html> only for light, and reads the mark back", () => {
    const root = { dataset: {} as DOMStringMap };
    const store = createThemeStore(memoryStorage({ [THEME_KEY]: "light" }), root);
    expect(root.dataset.theme).toBe("light");
    expect(themeOf(root)).toBe("light");
    store.set("dark");
    expect(root.dataset.theme).toBeUndefined();
    expect(themeOf(root)).toBe("dark");
  });

  it("remembers a choice and tells its listeners once per change", () => {
    const storage = memoryStorage();
    const root = { dataset: {} as DOMStringMap };
    const store = createThemeStore(storage, root);
    const seen: string[] = [];
    const unsubscribe = store.subscribe(() => seen.push(store.get()));
    store.set("light");
    store.set("light");
    expect(storage.values[THEME_KEY]).toBe("light");
    expect(seen).toEqual(["light"]);
    unsubscribe();
    store.set("dark");
    expect(seen).toEqual(["light"]);
    expect(createThemeStore(storage, { dataset: {} }).get()).toBe("dark");
  });

  it("still switches when storage is blocked", () => {
    const root = { dataset: {} as DOMStringMap };
    const store = createThemeStore(blocked, root);
    store.set("light");
    expect(store.get()).toBe("light");
    expect(root.dataset.theme).toBe("light");
  });
});
