import { PUBLIC_ALERTS, type PublicAlertView } from "@hub/contracts";
import type { Namespace, Server } from "socket.io";
import { addressKey } from "./client-address.js";
import { ConnectionLimits, releaseWhenGone } from "./connection-limits.js";

type PublicEvents = import("@hub/contracts").PublicServerToClientEvents;

/**
 * The public alert page's live picture: active alerts from hub.alerts.v1, pushed to anyone connected to the
 * unauthenticated "/public" namespace (a snapshot on connect, then every change). An alert leaves at its expiry by
 * itself: a timer drops it and tells the clients, before the alerts service's own expiry record arrives.
 *
 * The namespace has its own limits, apart from the signed-in dashboard's: `maxClients` in all and `maxPerAddress`
 * from one address (IPv6: one /64), so anonymous visitors can neither take the operators' places nor one visitor
 * all the public ones. A refused page is told why (connect_error) and keeps polling the public JSON meanwhile.
 */
export class PublicAlerts {
  private readonly alerts = new Map<string, PublicAlertView>();
  /** Highest version seen per id, also for alerts no longer active (a late, older record must not revive one). */
  private readonly versions = new Map<string, number>();
  private readonly namespace: Namespace<Record<string, never>, PublicEvents>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    io: Server,
    options: {
      maxClients: number;
      maxPerAddress: number;
      /** The client's address by the gateway's one rule (X-Forwarded-For only from a trusted proxy); else the peer. */
      clientAddress?: (peer: string, forwardedFor: string | string[] | undefined) => string;
      expiryCheckMs?: number;
    },
  ) {
    this.namespace = io.of(PUBLIC_ALERTS.socketNamespace) as unknown as Namespace<Record<string, never>, PublicEvents>;
    const limits = new ConnectionLimits({ total: options.maxClients, perAddress: options.maxPerAddress });
    this.namespace.use((socket, next) => {
      const { address, headers } = socket.handshake;
      const client = options.clientAddress?.(address, headers["x-forwarded-for"]) ?? address;
      const grant = limits.acquire(addressKey(client));
      if (!grant.ok) {
        const refusal =
          grant.reason === "address"
            ? { message: "too many public connections from this address", status: 429 }
            : { message: "the public alert stream is full; try again shortly", status: 503 };
        next(Object.assign(new Error(refusal.message), { data: { status: refusal.status } }));
        return;
      }
      releaseWhenGone(socket, grant.release);
      next();
    });
    this.namespace.on("connection", (socket) => {
      socket.emit("alerts:snapshot", this.active());
    });
    this.timer = setInterval(() => this.expire(Date.now()), options.expiryCheckMs ?? 1000);
    this.timer.unref();
  }

  change(alert: PublicAlertView): void {
    if ((this.versions.get(alert.id) ?? -1) >= alert.version) return;
    this.versions.set(alert.id, alert.version);
    if (alert.state === "active" && !expired(alert, Date.now())) this.alerts.set(alert.id, alert);
    else this.alerts.delete(alert.id);
    this.namespace.emit("alert:changed", alert);
  }

  /** Active, unexpired alerts, most severe first, then newest. */
  active(): PublicAlertView[] {
    const now = Date.now();
    return [...this.alerts.values()]
      .filter((alert) => !expired(alert, now))
      .sort((a, b) => rank(b) - rank(a) || b.sent.localeCompare(a.sent));
  }

  expire(now: number): void {
    for (const alert of this.alerts.values()) {
      if (!expired(alert, now)) continue;
      this.alerts.delete(alert.id);
      this.namespace.emit("alert:changed", { ...alert, state: "expired" });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const severityRank: Record<PublicAlertView["severity"], number> = {
  Extreme: 4,
  Severe: 3,
  Moderate: 2,
  Minor: 1,
  Unknown: 0,
};

function rank(alert: PublicAlertView): number {
  return severityRank[alert.severity];
}

function expired(alert: PublicAlertView, now: number): boolean {
  return alert.expires !== null && Date.parse(alert.expires) <= now;
}
