import type { AreaName, Envelope, Problem, Snapshot, SubscribeRequest, SubscribeResponse } from "@hub/contracts";
import { browserScheduler, KeyedBatcher, type Scheduler } from "./batcher";
import { changeKey, type LiveChange, supersedes } from "./changes";
import { StreamSequencer } from "./sequencer";
import type { LiveStore } from "./store";

export type ConnectionState = "offline" | "reconnecting" | "resyncing" | "live";

/** The I/O the protocol needs: the Socket.IO subscribe (with its ack) and the REST snapshot. */
export interface SyncPorts {
  subscribe(request: SubscribeRequest): Promise<SubscribeResponse>;
  fetchSnapshot(area: AreaName): Promise<Snapshot>;
}

export interface SyncOptions {
  area?: AreaName;
  /** How often live changes reach the store (and so the map and panels). */
  flushIntervalMs?: number;
  /** First retry delay after a failed subscribe or snapshot; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  scheduler?: Scheduler;
  onError?: (error: unknown) => void;
}

export interface SyncStatus {
  state: ConnectionState;
  epoch: string | null;
  seq: number;
}

/**
 * The reconnect protocol, free of Socket.IO and fetch:
 *   on (re)connect → subscribe (the ack gives epoch + seq) → buffer incoming events → fetch the snapshot → replace
 *   the store with it → apply the buffered events (merged by version) → live.
 * Live events are checked for gaps (another epoch, or a seq that is not the last + 1): a gap starts the protocol
 * over on the same connection. Live changes are coalesced per entity and reach the store at most once per
 * `flushIntervalMs`, so a burst of thousands of events a second costs a few renders.
 */
export class LiveSync {
  readonly #store: LiveStore;
  readonly #ports: SyncPorts;
  readonly #area: AreaName;
  readonly #scheduler: Scheduler;
  readonly #sequencer = new StreamSequencer<LiveChange[]>();
  readonly #batcher: KeyedBatcher<LiveChange>;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #onError: (error: unknown) => void;
  #state: ConnectionState = "offline";
  #connected = false;
  #retryDelay: number;
  #retryTimer: unknown = null;
  #detections: string[] = [];
  #detectionsSent = "";
  #listeners = new Set<(status: SyncStatus) => void>();

  constructor(store: LiveStore, ports: SyncPorts, options: SyncOptions = {}) {
    this.#store = store;
    this.#ports = ports;
    this.#area = options.area ?? "city";
    this.#scheduler = options.scheduler ?? browserScheduler;
    this.#retryMs = options.retryMs ?? 1000;
    this.#maxRetryMs = options.maxRetryMs ?? 15_000;
    this.#retryDelay = this.#retryMs;
    this.#onError = options.onError ?? ((error) => console.warn("live sync:", error));
    this.#batcher = new KeyedBatcher<LiveChange>({
      intervalMs: options.flushIntervalMs ?? 250,
      key: changeKey,
      supersedes,
      flush: (changes) => {
        store.apply(changes);
        this.#notify();
      },
      scheduler: this.#scheduler,
    });
  }

  get status(): SyncStatus {
    return { state: this.#state, epoch: this.#sequencer.epoch, seq: this.#sequencer.lastSeq };
  }

  /** Told of state changes, acks and every flush into the store (so at most a few times a second). */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The socket is trying to connect (first time, or after a refusal it will retry). */
  connecting(): void {
    if (!this.#connected) this.#setState("reconnecting");
  }

  /** The socket is (again) connected: run the protocol. */
  connected(): void {
    this.#connected = true;
    this.#retryDelay = this.#retryMs;
    this.#resync();
  }

  /** The socket dropped and is trying again: keep showing what we have, trust nothing new until resynced. */
  disconnected(): void {
    this.#connected = false;
    this.#cancelRetry();
    this.#batcher.flushNow();
    this.#sequencer.stop();
    this.#setState("reconnecting");
  }

  /** Signed out or given up: nothing more comes. */
  stop(): void {
    this.#connected = false;
    this.#cancelRetry();
    this.#batcher.clear();
    this.#sequencer.stop();
    this.#setState("offline");
  }

  /** A state event (every enveloped Socket.IO event), its payload already turned into changes. */
  receive(envelope: Envelope<LiveChange[]>): void {
    const result = this.#sequencer.receive(envelope);
    if (result === "apply") this.#batcher.push(envelope.data);
    else if (result === "resync") this.#resync();
  }

  /** Which cameras' detections to stream (the camera detail panel); subscribes again when it changes. */
  setDetections(cameraIds: readonly string[]): void {
    this.#detections = [...cameraIds];
    if (this.#sequencer.phase === "syncing" || this.#sequencer.phase === "live") void this.#updateDetections();
  }

  #request(): SubscribeRequest {
    return this.#detections.length > 0 ? { area: this.#area, detections: this.#detections } : { area: this.#area };
  }

  #resync(): void {
    this.#cancelRetry();
    if (!this.#connected) return;
    this.#batcher.clear();
    const token = this.#sequencer.begin();
    this.#setState("resyncing");
    void this.#run(token);
  }

  async #run(token: number): Promise<void> {
    try {
      const request = this.#request();
      this.#detectionsSent = key(request);
      let response = await this.#ports.subscribe(request);
      if (!this.#sequencer.isCurrent(token)) return;
      if (!response.ok && request.detections) {
        // Not allowed to stream detections (role): follow the area without them rather than not at all.
        this.#onError(response.error);
        this.#detections = [];
        this.#detectionsSent = key({ area: this.#area });
        response = await this.#ports.subscribe({ area: this.#area });
        if (!this.#sequencer.isCurrent(token)) return;
      }
      if (!response.ok) throw new SubscribeError(response.error);
      const ack = this.#sequencer.acknowledge(token, response.epoch, response.seq);
      if (ack !== "ok") {
        if (ack === "resync") this.#resync();
        return;
      }
      this.#notify();
      const snapshot = await this.#ports.fetchSnapshot(this.#area);
      if (!this.#sequencer.isCurrent(token)) return;
      this.#store.replace(snapshot);
      const buffered = this.#sequencer.complete(token);
      if (buffered) this.#store.apply(buffered.flat());
      this.#retryDelay = this.#retryMs;
      this.#setState("live");
      if (key(this.#request()) !== this.#detectionsSent) void this.#updateDetections();
    } catch (error) {
      if (!this.#sequencer.isCurrent(token)) return;
      this.#onError(error);
      this.#sequencer.stop();
      this.#scheduleRetry();
    }
  }

  /** A subscribe that only changes the detection cameras; the area room is kept, so no event may go missing. */
  async #updateDetections(): Promise<void> {
    const request = this.#request();
    this.#detectionsSent = key(request);
    try {
      const response = await this.#ports.subscribe(request);
      if (!response.ok) {
        this.#onError(new SubscribeError(response.error));
        return;
      }
      const phase = this.#sequencer.phase;
      if (phase !== "syncing" && phase !== "live") return;
      // Everything sent before the ack has arrived before it (one connection, in order): seqs must agree.
      if (response.epoch !== this.#sequencer.epoch || response.seq !== this.#sequencer.lastSeq) this.#resync();
    } catch (error) {
      this.#onError(error);
    }
  }

  #scheduleRetry(): void {
    this.#cancelRetry();
    if (!this.#connected) return;
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(this.#maxRetryMs, this.#retryDelay * 2);
    this.#retryTimer = this.#scheduler.setTimeout(() => {
      this.#retryTimer = null;
      this.#resync();
    }, delay);
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== null) this.#scheduler.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#notify();
  }

  #notify(): void {
    const status = this.status;
    for (const listener of this.#listeners) listener(status);
  }
}

/** A refused subscription, with the gateway's problem. */
export class SubscribeError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`subscribe refused: ${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "SubscribeError";
    this.problem = problem;
  }
}

const key = (request: SubscribeRequest): string => JSON.stringify(request.detections ?? []);
