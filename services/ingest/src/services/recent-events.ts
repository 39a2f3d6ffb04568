/**
 * Remembers the event ids this instance recently handed to Kafka, so that a device retrying after a lost ack does
 * not publish the same event twice. It is a first line only: an id is forgotten after the window, on restart, or
 * when it went to another ingest instance; consumers therefore also store events idempotently by event id.
 *
 * An id whose publish is still in flight is remembered with its promise, so a concurrent duplicate waits for the
 * first attempt and only publishes if that attempt failed.
 */
export class RecentEvents {
  private readonly entries = new Map<string, { at: number; pending: Promise<void> | undefined }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Publishes via `publish` unless the id was published within the window. Resolves "accepted" or "duplicate";
   * rejects with publish's error (and forgets the id) when publishing fails.
   */
  publishOnce(id: string, publish: () => Promise<void>): Promise<"accepted" | "duplicate"> {
    // Plain promise chains rather than async/await: this runs for every event on the ingest hot path.
    const now = this.now();
    const existing = this.entries.get(id);
    if (existing && now - existing.at <= this.windowMs) {
      if (!existing.pending) return Promise.resolve("duplicate");
      // Wait for the first attempt; if it failed (and was forgotten), this attempt publishes.
      return existing.pending.then(
        () => "duplicate" as const,
        () => this.start(id, publish, this.now()),
      );
    }
    return this.start(id, publish, now);
  }

  private start(id: string, publish: () => Promise<void>, now: number): Promise<"accepted"> {
    const pending = publish();
    const entry = { at: now, pending: pending as Promise<void> | undefined };
    this.entries.delete(id); // re-insert so the map stays in time order
    this.entries.set(id, entry);
    this.evict(now);
    return pending.then(
      () => {
        entry.pending = undefined;
        return "accepted" as const;
      },
      (error: unknown) => {
        if (this.entries.get(id) === entry) this.entries.delete(id);
        throw error;
      },
    );
  }

  private evict(now: number): void {
    // Map iteration is insertion order, so the oldest entries come first.
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - entry.at <= this.windowMs) break;
      if (entry.pending) break; // never forget an id while its publish is in flight
      this.entries.delete(id);
    }
  }
}
