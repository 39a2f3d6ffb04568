import { useEffect, useState, useSyncExternalStore } from "react";
import type { LiveStore } from "../live/store";
import type { LiveSync, SyncStatus } from "../live/sync";
import { type View, viewOfHash } from "../route";

/** Re-renders when the store changes (at most a few times a second: changes reach it in batches). */
export function useStoreRevision(store: LiveStore): number {
  return useSyncExternalStore(store.subscribe, store.getRevision);
}

export function useSyncStatus(sync: LiveSync): SyncStatus {
  const [status, setStatus] = useState(sync.status);
  useEffect(() => {
    setStatus(sync.status);
    return sync.onStatus(setStatus);
  }, [sync]);
  return status;
}

/** The time, refreshed every `intervalMs` (for "new" highlights that fade on their own). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export type Loadable<T> = { state: "loading" } | { state: "loaded"; value: T } | { state: "failed"; error: unknown };

/** The view the URL's hash names (#/cases, #/audit), following the browser's back and forward buttons. */
export function useView(): View {
  const [view, setView] = useState<View>(() => viewOfHash(globalThis.location?.hash ?? "") ?? "live");
  useEffect(() => {
    const onChange = () => {
      const next = viewOfHash(globalThis.location.hash);
      if (next) setView(next);
    };
    globalThis.addEventListener("hashchange", onChange);
    return () => globalThis.removeEventListener("hashchange", onChange);
  }, []);
  return view;
}
