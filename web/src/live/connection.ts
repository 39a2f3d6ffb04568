import type {
  ClientToServerEvents,
  DetectionBrief,
  Envelope,
  ServerToClientEvents,
  SessionEndReason,
  SubscribeResponse,
} from "@hub/contracts";
import { io, type Socket } from "socket.io-client";
import type { ApiClient } from "../api";
import type { RefreshOutcome } from "../tokens";
import type { LiveChange } from "./changes";
import type { LiveStore } from "./store";
import { LiveSync } from "./sync";

type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** After the gateway refuses a connection for a reason other than the token (e.g. 503, at its client limit). */
const REFUSED_RETRY_MS = 5_000;

export interface LiveConnection {
  readonly sync: LiveSync;
  /** Detections of the cameras given to `sync.setDetections` (no envelope: a gap there is harmless). */
  onDetections(listener: (detections: DetectionBrief[]) => void): () => void;
  close(): void;
}

export interface ConnectionOptions {
  /** The current access token (read at every (re)connection: it is replaced every few minutes). */
  token(): string;
  /** A new access token after the handshake refused the current one. */
  refresh(): Promise<RefreshOutcome>;
  store: LiveStore;
  api: ApiClient;
  /**
   * The session is over: the server ended it (`reason`: signed out, account disabled, roles changed…) or refused
   * the token and a refresh did not help. Back to sign-in.
   */
  onUnauthorized(reason?: SessionEndReason): void;
  onError?(error: unknown): void;
}

/**
 * The Socket.IO side of the live picture: one socket, the typed event map, and the protocol in `LiveSync`. Every
 * state event becomes a list of `LiveChange`s with its envelope, so sequencing and merging stay in pure code.
 */
export function openLiveConnection(options: ConnectionOptions): LiveConnection {
  const { store, api } = options;
  const socket: HubSocket = io({ auth: (send) => send({ token: options.token() }), transports: ["websocket"] });
  const detectionListeners = new Set<(detections: DetectionBrief[]) => void>();
  let refusedTimer: ReturnType<typeof setTimeout> | null = null;

  const sync = new LiveSync(
    store,
    {
      subscribe: (request) =>
        new Promise<SubscribeResponse>((resolve, reject) => {
          socket.timeout(SUBSCRIBE_TIMEOUT_MS).emit("view:subscribe", request, (error, response) => {
            if (error) reject(error);
            else resolve(response);
          });
        }),
      fetchSnapshot: (area) => api.snapshot(area),
    },
    { ...(options.onError ? { onError: options.onError } : {}) },
  );

  const wrap =
    <T>(toChanges: (data: T) => LiveChange[]) =>
    (message: Envelope<T>) =>
      sync.receive({ epoch: message.epoch, seq: message.seq, data: toChanges(message.data) });

  socket.on(
    "cameras:status",
    wrap((changes) => changes.map((change) => ({ kind: "camera", change }))),
  );
  socket.on(
    "incident:changed",
    wrap((incident) => [{ kind: "incident", incident }]),
  );
  socket.on(
    "alert:changed",
    wrap((alert) => [{ kind: "alert", alert }]),
  );
  socket.on(
    "sensors:readings",
    wrap((readings) => readings.map((reading) => ({ kind: "sensor", reading }))),
  );
  socket.on(
    "counters:tick",
    wrap((counters) => [{ kind: "counters", counters }]),
  );
  socket.on("detections:batch", (detections) => {
    for (const listener of detectionListeners) listener(detections);
  });

  let ended = false;
  const end = (reason?: SessionEndReason) => {
    if (ended) return;
    ended = true;
    sync.stop();
    socket.disconnect();
    options.onUnauthorized(reason);
  };
  // The server ended the session (it disconnects the socket right after): no reconnecting.
  socket.on("session:ended", ({ reason }) => end(reason));

  // One refresh per refused handshake: a fresh token that is refused too means the session is over.
  let refreshedOnce = false;
  socket.on("connect", () => {
    refreshedOnce = false;
    sync.connected();
  });
  socket.on("disconnect", (reason) => {
    sync.disconnected();
    // The server closed this socket on purpose: Socket.IO will not retry by itself.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (error: Error & { data?: { status?: number } }) => {
    if (error.data?.status === 401) {
      // Most likely the access token expired while the socket was away: refresh it once, then connect again.
      sync.connecting();
      void options.refresh().then((outcome) => {
        if (ended) return;
        if (outcome === "refreshed" && !refreshedOnce) {
          refreshedOnce = true;
          socket.connect();
        } else if (outcome === "failed") refusedTimer = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
        else end();
      });
      return;
    }
    sync.connecting();
    if (!socket.active) {
      // Refused by the server for another reason: Socket.IO will not retry by itself, so we do, a little later.
      options.onError?.(error);
      refusedTimer = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
    }
  });
  socket.io.on("reconnect_attempt", () => sync.connecting());
  sync.connecting();

  return {
    sync,
    onDetections(listener) {
      detectionListeners.add(listener);
      return () => detectionListeners.delete(listener);
    },
    close() {
      ended = true;
      if (refusedTimer !== null) clearTimeout(refusedTimer);
      sync.stop();
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}
