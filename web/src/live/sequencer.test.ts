import { describe, expect, it } from "vitest";
import { StreamSequencer } from "./sequencer";

const env = (seq: number, data = `e${seq}`, epoch = "E1") => ({ epoch, seq, data });

function liveAt(seq: number): { sequencer: StreamSequencer<string>; token: number } {
  const sequencer = new StreamSequencer<string>();
  const token = sequencer.begin();
  sequencer.acknowledge(token, "E1", seq);
  sequencer.complete(token);
  return { sequencer, token };
}

describe("StreamSequencer", () => {
  it("applies events that follow the ack's seq one by one", () => {
    const { sequencer } = liveAt(10);
    expect(sequencer.receive(env(11))).toBe("apply");
    expect(sequencer.receive(env(12))).toBe("apply");
    expect(sequencer.lastSeq).toBe(12);
  });

  it("asks for a resync on a seq gap and then ignores the stream until the next begin", () => {
    const { sequencer } = liveAt(10);
    expect(sequencer.receive(env(12))).toBe("resync");
    expect(sequencer.phase).toBe("idle");
    expect(sequencer.receive(env(13))).toBe("ignored");
  });

  it("asks for a resync when the epoch changes (the gateway restarted)", () => {
    const { sequencer } = liveAt(10);
    expect(sequencer.receive(env(11, "x", "E2"))).toBe("resync");
  });

  it("ignores an event whose seq is not above the last one (already covered)", () => {
    const { sequencer } = liveAt(10);
    expect(sequencer.receive(env(10))).toBe("ignored");
    expect(sequencer.receive(env(3))).toBe("ignored");
    expect(sequencer.receive(env(11))).toBe("apply");
  });

  it("buffers events between the ack and the snapshot and hands them back in order", () => {
    const sequencer = new StreamSequencer<string>();
    const token = sequencer.begin();
    expect(sequencer.acknowledge(token, "E1", 5)).toBe("ok");
    expect(sequencer.receive(env(6))).toBe("buffered");
    expect(sequencer.receive(env(7))).toBe("buffered");
    expect(sequencer.phase).toBe("syncing");
    expect(sequencer.complete(token)).toEqual(["e6", "e7"]);
    expect(sequencer.phase).toBe("live");
    expect(sequencer.receive(env(8))).toBe("apply");
  });

  it("holds events that overtake the ack, drops the ones the snapshot covers, keeps the rest", () => {
    const sequencer = new StreamSequencer<string>();
    const token = sequencer.begin();
    expect(sequencer.receive(env(4))).toBe("buffered");
    expect(sequencer.receive(env(5))).toBe("buffered");
    expect(sequencer.receive(env(6))).toBe("buffered");
    expect(sequencer.acknowledge(token, "E1", 5)).toBe("ok");
    expect(sequencer.complete(token)).toEqual(["e6"]);
  });

  it("detects a gap among events held before the ack", () => {
    const sequencer = new StreamSequencer<string>();
    const token = sequencer.begin();
    sequencer.receive(env(8));
    expect(sequencer.acknowledge(token, "E1", 5)).toBe("resync");
    expect(sequencer.isCurrent(token)).toBe(false);
  });

  it("drops the ack and snapshot of an attempt that a newer one replaced", () => {
    const sequencer = new StreamSequencer<string>();
    const first = sequencer.begin();
    const second = sequencer.begin();
    expect(sequencer.acknowledge(first, "E1", 1)).toBe("stale");
    expect(sequencer.acknowledge(second, "E1", 1)).toBe("ok");
    expect(sequencer.complete(first)).toBeNull();
    expect(sequencer.complete(second)).toEqual([]);
  });

  it("forgets buffered events when a new attempt begins", () => {
    const sequencer = new StreamSequencer<string>();
    const first = sequencer.begin();
    sequencer.acknowledge(first, "E1", 0);
    sequencer.receive(env(1));
    const second = sequencer.begin();
    sequencer.acknowledge(second, "E1", 1);
    expect(sequencer.complete(second)).toEqual([]);
  });

  it("ignores everything once stopped", () => {
    const { sequencer, token } = liveAt(1);
    sequencer.stop();
    expect(sequencer.receive(env(2))).toBe("ignored");
    expect(sequencer.isCurrent(token)).toBe(false);
  });
});
