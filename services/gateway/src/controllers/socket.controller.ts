import type { Logger } from "@hub/common";
import type { AuthService } from "../services/auth.service.js";
import { ConnectionLimits, releaseWhenGone } from "../services/connection-limits.js";
import type { DashboardService } from "../services/dashboard.service.js";
import type { HubServer, LiveHub } from "../services/live.service.js";

/**
 * Socket.IO edge: the handshake must carry a valid sign-in token (`auth: { token }`); a client then picks its
 * area with "view:subscribe" and receives that room's events. Only signed-in sockets count toward `maxClients`:
 * the anonymous "/public" namespace has its own limits (public-alerts.service.ts), so no public load can refuse an
 * operator.
 */
export function registerSockets(
  io: HubServer,
  deps: {
    auth: AuthService;
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
    deps.auth
      .verify(typeof token === "string" ? token : undefined)
      .then((user) => {
        // Counted once signed in: an anonymous handshake to "/" takes no operator's place.
        const grant = signedIn.acquire("");
        if (!grant.ok) {
          next(
            Object.assign(new Error("gateway is at its client limit; try another instance"), { data: { status: 503 } }),
          );
          return;
        }
        releaseWhenGone(socket, grant.release);
        socket.data.user = user;
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
