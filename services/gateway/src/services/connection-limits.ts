/**
 * Counts live connections of one kind (signed-in dashboards, anonymous public pages) against a total and, if set, a
 * per-address limit. Memory is bounded by the total: an address is remembered only while it has a connection.
 * `acquire` returns a release function that counts down once, however often it is called (a socket may report
 * both its own disconnect and its transport's close).
 */
export class ConnectionLimits {
  private count = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly limits: { total: number; perAddress?: number }) {}

  get size(): number {
    return this.count;
  }

  acquire(address: string): { ok: true; release: () => void } | { ok: false; reason: "full" | "address" } {
    if (this.count >= this.limits.total) return { ok: false, reason: "full" };
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.limits.perAddress !== undefined && fromAddress >= this.limits.perAddress)
      return { ok: false, reason: "address" };
    this.count += 1;
    this.perAddress.set(address, fromAddress + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.count -= 1;
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left > 0) this.perAddress.set(address, left);
        else this.perAddress.delete(address);
      },
    };
  }
}

/** What `releaseWhenGone` uses of a Socket.IO socket. */
export interface ClosableSocket {
  on(event: "disconnect", listener: () => void): unknown;
  readonly conn: {
    once(event: "close", listener: () => void): unknown;
    off(event: "close", listener: () => void): unknown;
  };
}

/**
 * Calls `release` when the socket disconnects, or when its transport closes before the socket ever connected
 * (a handshake that passed the middleware but never completed must not keep its place).
 */
export function releaseWhenGone(socket: ClosableSocket, release: () => void): void {
  socket.conn.once("close", release);
  socket.on("disconnect", () => {
    socket.conn.off("close", release);
    release();
  });
}
