import type { AuditCheckpoint, AuditHead, Logger } from "@hub/common";

export interface CheckpointDestination {
  readonly name: string;
  publish(checkpoint: AuditCheckpoint): Promise<void>;
}

/**
 * Publishes a signed checkpoint of the audit chain's head every interval (when the head moved) and once more on
 * stop, to every destination. Each destination remembers the last head it took, so one that failed is retried next
 * time while the others are not repeated. Any number of gateways may run this: the same head checkpointed twice is
 * two equal statements, and a lagging instance's older head is still true.
 */
export class AuditCheckpointer {
  private readonly published = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      head(): Promise<AuditHead | null>;
      sign(head: AuditHead): AuditCheckpoint;
      destinations: readonly CheckpointDestination[];
      intervalMs: number;
      logger: Logger;
      observe?(destination: string, outcome: "published" | "failed"): void;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.checkpoint(), this.deps.intervalMs);
    this.timer.unref();
  }

  /** One round (rounds never overlap); failures are logged, never thrown: the next round retries. */
  checkpoint(): Promise<void> {
    this.running = this.running.then(() => this.round());
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint();
  }

  private async round(): Promise<void> {
    let head: AuditHead | null;
    try {
      head = await this.deps.head();
    } catch (err) {
      this.deps.logger.warn({ err }, "could not read the audit chain's head for a checkpoint");
      return;
    }
    if (!head) return;
    const due = this.deps.destinations.filter((destination) => this.published.get(destination.name) !== head.hash);
    if (due.length === 0) return;
    const checkpoint = this.deps.sign(head);
    for (const destination of due) {
      try {
        await destination.publish(checkpoint);
        this.published.set(destination.name, head.hash);
        this.deps.observe?.(destination.name, "published");
      } catch (err) {
        this.deps.observe?.(destination.name, "failed");
        this.deps.logger.error({ err, destination: destination.name, seq: head.seq }, "audit checkpoint not published");
      }
    }
    this.deps.logger.debug({ seq: head.seq, hash: head.hash }, "audit checkpoint published");
  }
}
