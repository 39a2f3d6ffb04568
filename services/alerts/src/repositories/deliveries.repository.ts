import type { Pool, PoolClient } from "@hub/common";
import type { ChannelDeliverySummary, ChannelKind, DeliveryState, DeliveryView } from "@hub/contracts";
import type { DeliveryOutbox } from "../services/workflow.ports.js";

type Queryable = Pick<PoolClient, "query">;

/** A delivery a worker has claimed: it holds the lease until `leaseUntil`; `attempts` is its fencing token. */
export interface ClaimedDelivery {
  messageId: string;
  channel: string;
  subscriber: string;
  attempts: number;
}

export type DeliveryOutcome =
  | { state: "sent"; receipt: string }
  | { state: "failed"; error: string; nextAttemptAt: Date }
  | { state: "dead"; error: string }
  /** Not attempted (e.g. quota): back to pending at `nextAttemptAt`, the attempt given back. */
  | { state: "deferred"; error: string; nextAttemptAt: Date };

interface PendingOutcome {
  delivery: ClaimedDelivery;
  outcome: DeliveryOutcome;
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

/** Outcomes written in one statement at most. */
const RECORD_BATCH = 500;

/** A claimed attempt: its row and attempt number (two attempts of one row can meet in a batch; one is stale). */
const keyOf = (delivery: ClaimedDelivery) =>
  `${delivery.messageId}\u0000${delivery.channel}\u0000${delivery.subscriber}\u0000${delivery.attempts}`;

/** The outbox of deliveries (alert_deliveries, migration 0008). */
export class DeliveriesRepository implements DeliveryOutbox<Queryable> {
  /** Outcomes waiting to be written, and whether a write is under way. */
  private pending: PendingOutcome[] = [];
  private flushing = false;

  constructor(private readonly pool: Pool) {}

  /** Inside the publication's transaction: one pending row per subscriber of each channel. */
  async enqueue(db: Queryable, messageId: string, channel: string, subscribers: string[]): Promise<void> {
    if (subscribers.length === 0) return;
    await db.query(
      `INSERT INTO alert_deliveries (message_id, channel, subscriber)
       SELECT $1, $2, s FROM unnest($3::text[]) AS s ON CONFLICT DO NOTHING`,
      [messageId, channel, subscribers],
    );
  }

  /**
   * Claims up to `limit` deliveries of `channel` that are due, or whose lease has run out (their worker died), for
   * `owner` until now + `leaseMs`. Each claim counts an attempt.
   *
   * Correct with several alerts instances on a real server (READ COMMITTED): the inner SELECT locks the rows it picks
   * (FOR UPDATE) and skips rows another claim holds (SKIP LOCKED), so two claims never return the same row; a row
   * another claim updated and committed after this statement's snapshot is re-checked under its lock against the
   * WHERE clause (now 'sending' with a live lease: not due), so it is not claimed twice either. A lease taken over
   * after it ran out (its worker hung) is fenced by `attempts`: the old worker's outcome no longer matches and is
   * not written (see `record`). Each row is one subscriber of one message version, so a subscriber gets each
   * version once, whichever instance sends it (more than once only if a send's outcome is lost, and then with the
   * same idempotency key).
   */
  async claim(channel: string, owner: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query<{
      message_id: string;
      channel: string;
      subscriber: string;
      attempts: number;
    }>(
      `UPDATE alert_deliveries d
         SET state = 'sending', owner = $2, lease_until = now() + make_interval(secs => $4::double precision / 1000),
             attempts = d.attempts + 1, updated_at = now()
       FROM (
         SELECT message_id, channel, subscriber FROM alert_deliveries
         WHERE channel = $1 AND (
           (state IN ('pending', 'failed') AND next_attempt_at <= now())
           OR (state = 'sending' AND lease_until < now()))
         ORDER BY next_attempt_at, message_id, subscriber
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ) due
       WHERE d.message_id = due.message_id AND d.channel = due.channel AND d.subscriber = due.subscriber
       RETURNING d.message_id, d.channel, d.subscriber, d.attempts`,
      [channel, owner, limit, leaseMs],
    );
    return rows.map((row) => ({
      messageId: row.message_id,
      channel: row.channel,
      subscriber: row.subscriber,
      attempts: row.attempts,
    }));
  }

  /**
   * After a restart under the same instance id: whatever this instance was sending when it stopped is due again now
   * (the far side may or may not have it; webhook receivers drop the repeat by its webhook-id). Instance ids must be
   * unique among running instances (ALERTS_INSTANCE_ID, the host name by default: a pod's name on Kubernetes), or a
   * starting instance takes back deliveries another one is sending (sent twice, never lost).
   */
  async releaseOwned(owner: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      "UPDATE alert_deliveries SET state = 'pending', lease_until = NULL, next_attempt_at = now(), updated_at = now() WHERE state = 'sending' AND owner = $1",
      [owner],
    );
    return rowCount ?? 0;
  }

  /**
   * Records how a claimed attempt ended; false if the row is no longer that attempt (its lease was taken over).
   * Outcomes that arrive while a write is under way are written together, in one UPDATE: a fan-out to thousands of
   * subscribers costs a few statements, not one per subscriber, and the other channels' queries are not queued
   * behind them.
   */
  record(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ delivery, outcome, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, RECORD_BATCH);
      try {
        const written = await this.writeOutcomes(batch);
        for (const item of batch) item.resolve(written.has(keyOf(item.delivery)));
      } catch (err) {
        for (const item of batch) item.reject(err);
      }
    }
    this.flushing = false;
  }

  private async writeOutcomes(batch: PendingOutcome[]): Promise<Set<string>> {
    const column = <T>(of: (item: PendingOutcome) => T) => batch.map(of);
    const errorOf = ({ outcome }: PendingOutcome) => (outcome.state === "sent" ? null : outcome.error.slice(0, 1000));
    const { rows } = await this.pool.query<{
      message_id: string;
      channel: string;
      subscriber: string;
      attempts: number;
    }>(
      `UPDATE alert_deliveries d SET
         state = CASE u.state WHEN 'deferred' THEN 'pending' ELSE u.state END,
         attempts = CASE u.state WHEN 'deferred' THEN d.attempts - 1 ELSE d.attempts END,
         sent_at = CASE u.state WHEN 'sent' THEN now() ELSE d.sent_at END,
         receipt = CASE u.state WHEN 'sent' THEN u.receipt ELSE d.receipt END,
         last_error = u.error,
         next_attempt_at = CASE WHEN u.state IN ('failed', 'deferred') THEN u.next_at ELSE d.next_attempt_at END,
         lease_until = NULL, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
         AS u(message_id, channel, subscriber, attempts, state, receipt, error, next_at)
       WHERE d.message_id = u.message_id AND d.channel = u.channel AND d.subscriber = u.subscriber
         AND d.attempts = u.attempts AND d.state = 'sending'
       RETURNING d.message_id, d.channel, d.subscriber, u.attempts`,
      [
        column((item) => item.delivery.messageId),
        column((item) => item.delivery.channel),
        column((item) => item.delivery.subscriber),
        column((item) => item.delivery.attempts),
        column((item) => item.outcome.state),
        column((item) => (item.outcome.state === "sent" ? item.outcome.receipt : null)),
        column(errorOf),
        column((item) => ("nextAttemptAt" in item.outcome ? item.outcome.nextAttemptAt : null)),
      ],
    );
    return new Set(
      rows.map((row) =>
        keyOf({ messageId: row.message_id, channel: row.channel, subscriber: row.subscriber, attempts: row.attempts }),
      ),
    );
  }

  async summaries(messageId: string, kinds: Map<string, ChannelKind>): Promise<ChannelDeliverySummary[]> {
    const counts = await this.pool.query<{ channel: string; state: DeliveryState; n: string }>(
      "SELECT channel, state, count(*) AS n FROM alert_deliveries WHERE message_id = $1 GROUP BY channel, state",
      [messageId],
    );
    const problems = await this.pool.query<DeliveryRow>(
      `SELECT * FROM (
         SELECT ${deliveryColumns}, row_number() OVER (PARTITION BY channel
           ORDER BY CASE state WHEN 'dead' THEN 0 WHEN 'failed' THEN 1 WHEN 'sending' THEN 2 ELSE 3 END, attempts DESC, subscriber) AS rank
         FROM alert_deliveries WHERE message_id = $1 AND state <> 'sent') t
       WHERE rank <= 20 ORDER BY channel, rank`,
      [messageId],
    );
    const byChannel = new Map<string, ChannelDeliverySummary>();
    const summary = (channel: string) => {
      let found = byChannel.get(channel);
      if (!found) {
        found = {
          channel,
          kind: kinds.get(channel) ?? (channel.split(":")[0] as ChannelKind),
          counts: { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0 },
          problems: [],
        };
        byChannel.set(channel, found);
      }
      return found;
    };
    for (const row of counts.rows) summary(row.channel).counts[row.state] = Number(row.n);
    for (const row of problems.rows) summary(row.channel).problems.push(deliveryView(row));
    return [...byChannel.values()].sort((a, b) => a.channel.localeCompare(b.channel));
  }

  /** Every delivery of a message (tests, the CLI). */
  async list(messageId: string): Promise<DeliveryView[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT ${deliveryColumns} FROM alert_deliveries WHERE message_id = $1 ORDER BY channel, subscriber`,
      [messageId],
    );
    return rows.map(deliveryView);
  }
}

const deliveryColumns = "channel, subscriber, state, attempts, last_error, next_attempt_at, sent_at, receipt";

interface DeliveryRow {
  channel: string;
  subscriber: string;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  sent_at: Date | null;
  receipt: string | null;
}

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    channel: row.channel,
    subscriber: row.subscriber,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.state === "pending" || row.state === "failed" ? row.next_attempt_at.toISOString() : null,
    sentAt: row.sent_at ? row.sent_at.toISOString() : null,
    receipt: row.receipt,
  };
}
