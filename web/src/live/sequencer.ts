import type { Envelope } from "@hub/contracts";

/**
 * Where the stream is in the reconnect protocol:
 *   idle         nothing trusted (not connected, or a gap was seen and a resync is due);
 *   subscribing  "view:subscribe" sent, ack not yet back: events are held, their seq not yet checkable;
 *   syncing      ack received (epoch + seq known), snapshot being fetched: events are checked and buffered;
 *   live         snapshot applied: events are checked and applied.
 */
export type SyncPhase = "idle" | "subscribing" | "syncing" | "live";

/**
 *   apply     in order: apply it now;
 *   buffered  kept until the snapshot is in (`complete` hands it back);
 *   ignored   already covered (seq not above the last one, or nothing is being followed);
 *   resync    something was missed (another epoch, or a seq gap): take a fresh subscription and snapshot.
 */
export type ReceiveResult = "apply" | "buffered" | "ignored" | "resync";
export type AcknowledgeResult = "ok" | "stale" | "resync";

/** Events held before the ack is back; past this many something is wrong with the subscription: start over. */
const MAX_HELD = 10_000;

/**
 * Checks the `{ epoch, seq }` of every state event against the subscription's ack, and holds events back while a
 * snapshot is being fetched. Pure bookkeeping: the caller does the I/O. Every (re)subscription gets a token, so
 * the answer to an older one (an ack or snapshot that arrives late) is recognised and dropped.
 *
 * The ack's `seq` is the last seq the room has sent: the first event after it carries seq + 1. An event whose seq
 * is not above the last one is already in the snapshot (or was seen): it is ignored, never applied, so a stale
 * copy cannot bring back an incident the snapshot no longer lists.
 */
export class StreamSequencer<T> {
  #phase: SyncPhase = "idle";
  #token = 0;
  #epoch: string | null = null;
  #lastSeq = 0;
  #held: Envelope<T>[] = [];
  #buffer: T[] = [];

  get phase(): SyncPhase {
    return this.#phase;
  }

  get epoch(): string | null {
    return this.#epoch;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Starts a (re)subscription: everything known about the stream is dropped. Returns the attempt's token. */
  begin(): number {
    this.#token += 1;
    this.#phase = "subscribing";
    this.#epoch = null;
    this.#lastSeq = 0;
    this.#held = [];
    this.#buffer = [];
    return this.#token;
  }

  /** Stops following the stream (disconnected, signed out): events are ignored until the next `begin`. */
  stop(): void {
    this.#token += 1;
    this.#phase = "idle";
    this.#held = [];
    this.#buffer = [];
  }

  /** The subscribe ack of attempt `token`: from now on seqs are checked; events that came first are replayed. */
  acknowledge(token: number, epoch: string, seq: number): AcknowledgeResult {
    if (token !== this.#token || this.#phase !== "subscribing") return "stale";
    this.#epoch = epoch;
    this.#lastSeq = seq;
    this.#phase = "syncing";
    const held = this.#held;
    this.#held = [];
    for (const envelope of held) if (this.receive(envelope) === "resync") return "resync";
    return "ok";
  }

  receive(envelope: Envelope<T>): ReceiveResult {
    switch (this.#phase) {
      case "idle":
        return "ignored";
      case "subscribing":
        if (this.#held.length >= MAX_HELD) return this.#gap();
        this.#held.push(envelope);
        return "buffered";
      case "syncing":
      case "live": {
        if (envelope.epoch !== this.#epoch) return this.#gap();
        if (envelope.seq <= this.#lastSeq) return "ignored";
        if (envelope.seq !== this.#lastSeq + 1) return this.#gap();
        this.#lastSeq = envelope.seq;
        if (this.#phase === "live") return "apply";
        this.#buffer.push(envelope.data);
        return "buffered";
      }
    }
  }

  /** The snapshot of attempt `token` is applied: go live and get the events buffered since the ack, oldest first. */
  complete(token: number): T[] | null {
    if (token !== this.#token || this.#phase !== "syncing") return null;
    this.#phase = "live";
    const buffered = this.#buffer;
    this.#buffer = [];
    return buffered;
  }

  /** Whether `token` still names the current attempt (its ack or snapshot is still wanted). */
  isCurrent(token: number): boolean {
    return token === this.#token && (this.#phase === "subscribing" || this.#phase === "syncing");
  }

  #gap(): ReceiveResult {
    this.stop();
    return "resync";
  }
}
