import type { Logger } from "@hub/common";
import { ConnectionLimits, releaseWhenGone } from "../services/connection-limits.js";
import type { DashboardService } from "../services/dashboard.service.js";
import type { HubServer, LiveHub } from "../services/live.service.js";
import type { SessionService } from "../services/sessions.service.js";

/**
 * Socket.IO edge: the handshake must carry a valid access token of a live session (`auth: { token }`); a client
 * then picks its area with "view:subscribe" and receives that room's events. Only signed-in sockets count toward
 * `maxClients`: the anonymous "/public" namespace has its own limits (public-alerts.service.ts), so no public load
 * can refuse an operator.
 */
export function registerSockets(
  io: HubServer,
  deps: {
    sessions: SessionService;
    live: LiveHub;
    dashboard: DashboardService;
    maxClients: number;
    /** The client's address by the gateway's one rule (X-Forwarded-For only from a trusted proxy). */
    clientAddress: (peer: string, forwardedFor: string | string[] | undefined) => string;
    logger: Logger;
  },
): void {
  const signedIn = new ConnectionLimits({ total: deps.maxClients });
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    deps.sessions
      .authenticate(typeof token === "string" ? token : undefined)
      .then(({ principal, sessionId }) => {
        // Counted once signed in: an anonymous handshake to "/" takes no operator's place.
        const grant = signedIn.acquire("");
        if (!grant.ok) {
          next(
            Object.assign(new Error("gateway is at its client limit; try another instance"), { data: { status: 503 } }),
          );
          return;
        }
        releaseWhenGone(socket, grant.release);
        socket.data.user = principal;
        socket.data.sessionId = sessionId;
        socket.data.sourceIp = deps.clientAddress(
          socket.handshake.address,
          socket.handshake.headers["x-forwarded-for"],
        );
        next();
      })
      .catch((error: Error) => next(Object.assign(new Error(error.message), { data: { status: 401 } })));
  });
  io.on("connection", (socket) => {
    socket.on("view:subscribe", (request, ack) => {
      if (typeof ack !== "function") return;
      deps.live
        .subscribe(socket, request, deps.dashboard.knownDistricts())
        .then(ack)
        .catch((err: unknown) => {
          deps.logger.error({ err }, "subscribe failed");
          ack({ ok: false, error: { type: "about:blank", title: "Internal error", status: 500, detail: "try again" } });
        });
    });
    // A watch of live detections ends with the connection (signed out, revoked, network): recorded with its duration.
    socket.on("disconnect", () => {
      void deps.live.unsubscribe(socket, "disconnected");
    });
  });
}

/**
 * An open socket outlives its access token, so every `intervalMs` one query asks which of the sessions behind this
 * instance's sockets have ended (signed out, user disabled, roles changed, expired) and those sockets are told why
 * and disconnected. Every instance sweeps its own sockets, so a change made through any instance reaches all.
 * Returns the function that stops the sweep.
 */
export function startSessionSweep(
  io: HubServer,
  deps: { sessions: SessionService; intervalMs: number; logger: Logger; onDisconnected?: (count: number) => void },
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const sweep = async () => {
    const sockets = [...io.of("/").sockets.values()];
    const ids = [...new Set(sockets.map((socket) => socket.data.sessionId).filter((id): id is string => !!id))];
    if (ids.length === 0) return;
    const dead = await deps.sessions.deadAmong(ids);
    if (dead.size === 0) return;
    let count = 0;
    for (const socket of sockets) {
      const reason = dead.get(socket.data.sessionId);
      if (!reason) continue;
      socket.emit("session:ended", { reason });
      socket.disconnect(true);
      count += 1;
    }
    deps.logger.info({ sockets: count, sessions: dead.size }, "disconnected the sockets of ended sessions");
    deps.onDisconnected?.(count);
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      sweep()
        .catch((err: unknown) => deps.logger.warn({ err }, "session sweep failed"))
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
