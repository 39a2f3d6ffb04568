import { PublishOutcome } from "@hub/proto";
import { describe, expect, it } from "vitest";
import { PublishSummaryBuilder } from "./publish-summary.js";

const accepted = (index: number) => ({
  index,
  eventId: `e${index}`,
  outcome: PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
  error: undefined,
});
const rejected = (index: number) => ({
  index,
  eventId: `e${index}`,
  outcome: PublishOutcome.PUBLISH_OUTCOME_REJECTED,
  error: { code: "INVALID_ARGUMENT", fieldPath: "confidence", message: "out of range" },
});

describe("PublishSummaryBuilder", () => {
  it("lists every event in order while the stream is short, whatever order outcomes settle in", () => {
    const builder = new PublishSummaryBuilder(10);
    for (let i = 0; i < 3; i += 1) builder.received();
    builder.settle(accepted(2));
    builder.settle(rejected(1));
    builder.settle(accepted(0));
    const summary = builder.summary();
    expect(summary).toMatchObject({ accepted: 2, rejected: 1, duplicates: 0, omittedResults: 0 });
    expect(summary.results.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it("keeps only the first maxResults events that were not accepted once the stream is longer, and counts the rest", () => {
    const builder = new PublishSummaryBuilder(5);
    for (let i = 0; i < 100_000; i += 1) {
      const index = builder.received();
      builder.settle(index % 10 === 3 ? rejected(index) : accepted(index));
    }
    const summary = builder.summary();
    expect(summary).toMatchObject({ accepted: 90_000, rejected: 10_000, omittedResults: 100_000 - 5 });
    expect(summary.results.map((r) => r.index)).toEqual([3, 13, 23, 33, 43]);
    expect(builder.counts()).toEqual({ handled: 100_000, accepted: 90_000, duplicates: 0, rejected: 10_000 });
  });
});
