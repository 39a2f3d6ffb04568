/**
 * The dashboard's colour theme: dark for the control-room video wall (the default), light for a desk by a window.
 * Chosen in the top bar, remembered in localStorage, applied as `data-theme` on <html> (styles.css overrides the
 * colours for `:root[data-theme="light"]`).
 */

export const THEMES = ["dark", "light"] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_KEY = "hub.dashboard.theme";
export const DEFAULT_THEME: Theme = "dark";

export const isTheme = (value: unknown): value is Theme =>
  typeof value === "string" && (THEMES as readonly string[]).includes(value);

export function loadTheme(storage: Pick<Storage, "getItem"> | undefined): Theme {
  try {
    const stored = storage?.getItem(THEME_KEY);
    if (isTheme(stored)) return stored;
  } catch {
    // Storage blocked (privacy mode): the default it is.
  }
  return DEFAULT_THEME;
}

export function saveTheme(storage: Pick<Storage, "setItem"> | undefined, theme: Theme): void {
  try {
    storage?.setItem(THEME_KEY, theme);
  } catch {
    // Not remembered; the choice still holds for this visit.
  }
}

/** Dark is the stylesheet's default, so only light is marked. */
export function applyTheme(root: { dataset: DOMStringMap }, theme: Theme): void {
  if (theme === "light") root.dataset.theme = "light";
  else delete root.dataset.theme;
}

/** The theme read from the page (what applyTheme set), for code outside React such as the map's base style. */
export function themeOf(root: { dataset: DOMStringMap }): Theme {
  return root.dataset.theme === "light" ? "light" : "dark";
}

export interface ThemeStore {
  get(): Theme;
  set(theme: Theme): void;
  subscribe(listener: () => void): () => void;
}

/** The current theme: saved and applied on every change, listeners told (React through useSyncExternalStore). */
export function createThemeStore(
  storage: Pick<Storage, "getItem" | "setItem"> | undefined,
  root: { dataset: DOMStringMap },
): ThemeStore {
  let current = loadTheme(storage);
  applyTheme(root, current);
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(theme) {
      saveTheme(storage, theme);
      if (theme === current) return;
      current = theme;
      applyTheme(root, theme);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
