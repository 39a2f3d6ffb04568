import { type AuditCheckpoint, type AuditHead, createLogger } from "@hub/common";
import { describe, expect, it } from "vitest";
import { AuditCheckpointer } from "./audit-checkpoint.service.js";

function harness(failing = new Set<string>()) {
  let head: AuditHead | null = null;
  const published: Record<string, string[]> = { kafka: [], file: [] };
  const outcomes: string[] = [];
  const checkpointer = new AuditCheckpointer({
    head: async () => head,
    sign: (h) => ({ seq: h.seq, hash: h.hash }) as AuditCheckpoint,
    destinations: ["kafka", "file"].map((name) => ({
      name,
      publish: async (checkpoint: AuditCheckpoint) => {
        if (failing.has(name)) throw new Error(`${name} down`);
        published[name]?.push(checkpoint.seq);
      },
    })),
    intervalMs: 60_000,
    logger: createLogger("test", "silent"),
    observe: (destination, outcome) => outcomes.push(`${destination} ${outcome}`),
  });
  return {
    checkpointer,
    published,
    outcomes,
    move: (seq: number) => {
      head = { seq: String(seq), hash: String(seq).padStart(64, "0"), rows: String(seq) };
    },
  };
}

describe("AuditCheckpointer", () => {
  it("publishes a head once to each destination, nothing for an empty chain, and again when it moves", async () => {
    const { checkpointer, published, move } = harness();
    await checkpointer.checkpoint();
    expect(published).toEqual({ kafka: [], file: [] });
    move(3);
    await checkpointer.checkpoint();
    await checkpointer.checkpoint();
    move(5);
    await checkpointer.stop();
    expect(published).toEqual({ kafka: ["3", "5"], file: ["3", "5"] });
  });

  it("retries a destination that failed without repeating the others", async () => {
    const failing = new Set(["kafka"]);
    const { checkpointer, published, outcomes, move } = harness(failing);
    move(7);
    await checkpointer.checkpoint();
    failing.clear();
    await checkpointer.checkpoint();
    expect(published).toEqual({ kafka: ["7"], file: ["7"] });
    expect(outcomes).toEqual(["kafka failed", "file published", "kafka published"]);
  });
});
