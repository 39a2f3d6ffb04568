import { useSyncExternalStore } from "react";
import { createThemeStore, type Theme } from "./theme";

const storage = (): Storage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
};

/** The page's one theme store; created (and the remembered theme applied) when main.tsx imports it, before render. */
export const themeStore = createThemeStore(storage(), document.documentElement);

export function useTheme(): [Theme, (theme: Theme) => void] {
  const theme = useSyncExternalStore(themeStore.subscribe, themeStore.get);
  return [theme, themeStore.set];
}
