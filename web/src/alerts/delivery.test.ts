import { describe, expect, it } from "vitest";
import { newChannelSummary, newMessage } from "../testing/alert-factories";
import { iso, T0 } from "../testing/factories";
import { deliveryTotals, shouldPollDeliveries } from "./delivery";

const published = newMessage({ status: "published", sent: iso(T0) });

describe("shouldPollDeliveries", () => {
  it("polls a published message until its first answer, then while anything is unsettled", () => {
    expect(shouldPollDeliveries(published, null, T0)).toBe(true);
    for (const state of ["pending", "sending", "failed"] as const)
      expect(shouldPollDeliveries(published, [newChannelSummary({ sent: 3, [state]: 1 })], T0), state).toBe(true);
  });

  it("stops when every delivery is sent or dead", () => {
    const settled = [newChannelSummary({ sent: 40 }), newChannelSummary({ sent: 2, dead: 1 }, { kind: "wechat" })];
    expect(shouldPollDeliveries(published, settled, T0)).toBe(false);
  });

  it("waits a minute for deliveries to appear after publication, then stops", () => {
    expect(shouldPollDeliveries(published, [], T0 + 30_000)).toBe(true);
    expect(shouldPollDeliveries(published, [], T0 + 61_000)).toBe(false);
  });

  it("never polls a message that is not published", () => {
    for (const status of ["draft", "pending", "rejected", "withdrawn"] as const)
      expect(shouldPollDeliveries(newMessage({ status }), null, T0), status).toBe(false);
  });
});

describe("deliveryTotals", () => {
  it("adds up every channel's counts per state", () => {
    expect(
      deliveryTotals([newChannelSummary({ sent: 5, failed: 1 }), newChannelSummary({ sent: 2, pending: 3 })]),
    ).toEqual({ pending: 3, sending: 0, sent: 7, failed: 1, dead: 0 });
  });
});
