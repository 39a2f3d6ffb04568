import { PublishOutcome, type PublishResult, type PublishSummary } from "@hub/proto";

/**
 * The summary of a client stream, built as outcomes arrive, in memory bounded by `maxResults` whatever the stream's
 * length: every event is listed while the stream has carried at most `maxResults` events; past that only events
 * that were not accepted are kept (the first `maxResults` of them), and `omittedResults` counts the rest. The
 * counts are always complete.
 */
export class PublishSummaryBuilder {
  private accepted = 0;
  private duplicates = 0;
  private rejected = 0;
  private events = 0;
  private listed: PublishResult[] = [];
  private everyEvent = true;

  constructor(private readonly maxResults: number) {}

  /** Counts one more event received (call before its outcome is known, in stream order). */
  received(): number {
    const index = this.events;
    this.events += 1;
    if (this.everyEvent && this.events > this.maxResults) {
      this.everyEvent = false;
      this.listed = this.listed.filter(notAccepted).slice(0, this.maxResults);
    }
    return index;
  }

  /** Events received so far, settled or not. */
  get eventsReceived(): number {
    return this.events;
  }

  settle(result: PublishResult): void {
    if (result.outcome === PublishOutcome.PUBLISH_OUTCOME_ACCEPTED) this.accepted += 1;
    else if (result.outcome === PublishOutcome.PUBLISH_OUTCOME_DUPLICATE) this.duplicates += 1;
    else this.rejected += 1;
    if (this.everyEvent || (notAccepted(result) && this.listed.length < this.maxResults)) this.listed.push(result);
  }

  counts(): { handled: number; accepted: number; duplicates: number; rejected: number } {
    return {
      handled: this.accepted + this.duplicates + this.rejected,
      accepted: this.accepted,
      duplicates: this.duplicates,
      rejected: this.rejected,
    };
  }

  summary(): PublishSummary {
    // Outcomes settle out of order (publishes finish when Kafka acknowledges); the summary lists them in order.
    const results = [...this.listed].sort((a, b) => a.index - b.index);
    const total = this.accepted + this.duplicates + this.rejected;
    return {
      accepted: this.accepted,
      duplicates: this.duplicates,
      rejected: this.rejected,
      results,
      omittedResults: total - results.length,
    };
  }
}

function notAccepted(result: PublishResult): boolean {
  return result.outcome !== PublishOutcome.PUBLISH_OUTCOME_ACCEPTED;
}
