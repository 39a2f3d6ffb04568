import {
  PUBLIC_ALERTS,
  type PublicAlertView,
  type PublicClientToServerEvents,
  type PublicServerToClientEvents,
} from "@hub/contracts";
import { io, type Socket } from "socket.io-client";
import type { PublicAlertStore } from "./store";

type PublicSocket = Socket<PublicServerToClientEvents, PublicClientToServerEvents>;

export type ConnectionState = "connecting" | "live" | "offline";

/** While the stream is down, the JSON is fetched this often (the stream's own reconnection goes on meanwhile). */
export const FALLBACK_POLL_MS = 30_000;

export interface PublicConnection {
  readonly state: ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

export interface PublicConnectionOptions {
  fetch?: typeof fetch;
  onError?(error: unknown): void;
}

/**
 * The public page's only network code: the unauthenticated Socket.IO namespace (snapshot on every connect, then
 * changes), and the public JSON fetched at once and then while the stream is down, so the page shows the warnings
 * even where WebSockets and long polling are blocked.
 */
export function openPublicConnection(store: PublicAlertStore, options: PublicConnectionOptions = {}): PublicConnection {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const listeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = "connecting";
  let closed = false;
  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of [...listeners]) listener(next);
  };

  const fetchJson = async () => {
    try {
      const response = await doFetch(PUBLIC_ALERTS.json, { headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const alerts = (await response.json()) as PublicAlertView[];
      if (!closed && Array.isArray(alerts)) store.snapshot(alerts, "http");
    } catch (error) {
      options.onError?.(error);
    }
  };

  const schedulePoll = () => {
    if (closed || pollTimer !== null || store.live) return;
    pollTimer = setTimeout(() => {
      pollTimer = null;
      if (closed || store.live) return;
      void fetchJson().finally(schedulePoll);
    }, FALLBACK_POLL_MS);
  };

  const socket: PublicSocket = io(PUBLIC_ALERTS.socketNamespace);
  socket.on("alerts:snapshot", (alerts) => {
    store.snapshot(alerts, "socket");
    setState("live");
  });
  socket.on("alert:changed", (alert) => store.change(alert));
  socket.on("disconnect", () => {
    store.setLive(false);
    setState("offline");
    schedulePoll();
  });
  socket.on("connect_error", (error) => {
    options.onError?.(error);
    setState("offline");
    schedulePoll();
  });

  void fetchJson().finally(schedulePoll);

  return {
    get state() {
      return state;
    },
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      if (pollTimer !== null) clearTimeout(pollTimer);
      listeners.clear();
      socket.close();
    },
  };
}
