import { createLogger, h3Cell, topics } from "@hub/common";
import { DetectionRecord } from "@hub/proto";
import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import type { EventStoreRepository } from "../repositories/event-store.repository.js";
import type { OffsetsRepository, PartitionOffset } from "../repositories/offsets.repository.js";
import type { OutboxMessage, OutboxRepository } from "../repositories/outbox.repository.js";
import type { TransactionRepository } from "../repositories/transaction.repository.js";
import type { EventRow } from "./records.js";
import { WriterService } from "./writer.service.js";

// The writer's group commit against in-memory repositories: what goes into which transaction, and what a failed
// transaction does to the batches in it.

interface Transaction {
  rows: EventRow[];
  offsets: PartitionOffset[];
  deadLetters: OutboxMessage[];
}

function setup(options: { maxMessages?: number; fail?: boolean } = {}) {
  const committed: Transaction[] = [];
  const transactions = {
    async run<T>(work: (client: unknown) => Promise<T>): Promise<T> {
      const current: Transaction = { rows: [], offsets: [], deadLetters: [] };
      const result = await work(current);
      if (options.fail) throw new Error("the database went away");
      committed.push(current);
      return result;
    },
  } as unknown as TransactionRepository;
  const store = {
    async insert(tx: Transaction, rows: EventRow[]) {
      tx.rows.push(...rows);
      return rows;
    },
  } as unknown as EventStoreRepository;
  const offsets = {
    async save(tx: Transaction, list: PartitionOffset[]) {
      tx.offsets.push(...list);
    },
  } as unknown as OffsetsRepository;
  const outbox = {
    async add(tx: Transaction, messages: OutboxMessage[]) {
      tx.deadLetters.push(...messages);
    },
  } as unknown as OutboxRepository;
  const writer = new WriterService({
    transactions,
    store,
    offsets,
    outbox,
    logger: createLogger("writer-test", "silent"),
    ...(options.maxMessages ? { maxMessages: options.maxMessages } : {}),
  });
  return { writer, committed };
}

let offset = 0;
function messages(count: number, junk = 0): KafkaMessage[] {
  const valid = Array.from({ length: count }, () => {
    offset += 1;
    const value = DetectionRecord.encode(
      DetectionRecord.fromPartial({
        detection: { eventId: `e-${offset}`, cameraId: "cam-1", observedAt: new Date(), attributes: {} },
        context: {
          ingestedAt: new Date(),
          siteId: "site-1",
          position: { lat: 22.19, lon: 113.54 },
          district: "Sé",
          h3Cell: h3Cell(22.19, 113.54),
        },
      }),
    ).finish();
    return { offset: String(offset), value: Buffer.from(value) };
  });
  const invalid = Array.from({ length: junk }, () => {
    offset += 1;
    return { offset: String(offset), value: Buffer.from([0xff, 0xff]) };
  });
  return [...valid, ...invalid] as unknown as KafkaMessage[];
}

const detections = topics.detections.name;

describe("WriterService group commit", () => {
  it("stores the batches handed over together in one transaction, each partition's offset with its rows", async () => {
    const { writer, committed } = setup();
    const first = messages(3);
    const second = messages(2, 1);
    const outcomes = await Promise.all([writer.write(detections, 0, first), writer.write(detections, 1, second)]);
    expect(committed).toHaveLength(1);
    expect(committed[0]?.rows).toHaveLength(5);
    expect(committed[0]?.deadLetters).toHaveLength(1);
    expect(committed[0]?.offsets).toEqual([
      { topic: detections, partition: 0, nextOffset: String(Number(first.at(-1)?.offset) + 1) },
      { topic: detections, partition: 1, nextOffset: String(Number(second.at(-1)?.offset) + 1) },
    ]);
    expect(outcomes.map((o) => [o.stored, o.deadLettered])).toEqual([
      [3, 0],
      [2, 1],
    ]);
  });

  it("never puts two batches of one partition, or more than maxMessages, in one transaction", async () => {
    const { writer, committed } = setup({ maxMessages: 5 });
    await Promise.all([
      writer.write(detections, 0, messages(2)),
      writer.write(detections, 0, messages(2)),
      writer.write(detections, 1, messages(2)),
      writer.write(detections, 2, messages(4)),
    ]);
    expect(committed.map((tx) => tx.offsets.map((o) => o.partition))).toEqual([[0], [0, 1], [2]]);
  });

  it("fails every batch of a transaction that fails, and stores none of them", async () => {
    const { writer, committed } = setup({ fail: true });
    const results = await Promise.allSettled([
      writer.write(detections, 0, messages(1)),
      writer.write(detections, 1, messages(1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(committed).toEqual([]);
  });
});
