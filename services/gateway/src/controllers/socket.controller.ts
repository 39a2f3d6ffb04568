import type { Logger } from "@hub/common";
import type { AuthService } from "../services/auth.service.js";
import type { DashboardService } from "../services/dashboard.service.js";
import type { HubServer, LiveHub } from "../services/live.service.js";

/**
 * Socket.IO edge: the handshake must carry a valid sign-in token (`auth: { token }`); a client then picks its
 * area with "view:subscribe" and receives that room's events.
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
  io.use((socket, next) => {
    if (io.engine.clientsCount > deps.maxClients) {
      next(Object.assign(new Error("gateway is at its client limit; try another instance"), { data: { status: 503 } }));
      return;
    }
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    deps.auth
      .verify(typeof token === "string" ? token : undefined)
      .then((user) => {
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
