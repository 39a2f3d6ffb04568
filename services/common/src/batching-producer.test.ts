import { type Kafka, Partitioners, type Producer, type ProducerBatch, type ProducerConfig } from "kafkajs";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { BatchingProducer, type OutgoingMessage } from "./batching-producer.js";
import { UnavailableError } from "./errors.js";

/**
 * A stand-in for kafkajs's producer that records batches and lets the test decide when each one completes. Like
 * kafkajs it asks the producer's partitioner for each message's partition (of `PARTITIONS`), and answers a
 * completed batch with one result per partition written, or only those `resolve` is given.
 */
const PARTITIONS = 3;
function fakeKafka() {
  const batches: ProducerBatch[] = [];
  const pending: { resolve: (partitions?: string[]) => void; reject: (error: Error) => void }[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  let producers = 0;
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  const newProducer = (config?: ProducerConfig) => {
    producers += 1;
    const partitioner = (config?.createPartitioner ?? (() => () => 0))();
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: (batch: ProducerBatch) => {
        batches.push(batch);
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        const written = new Set(
          (batch.topicMessages ?? []).flatMap(({ topic, messages }) =>
            messages.map((message) => `${topic}:${partitioner({ topic, partitionMetadata, message })}`),
          ),
        );
        return new Promise((resolve, reject) => {
          pending.push({
            resolve: (only) => {
              concurrent -= 1;
              resolve(
                [...written]
                  .filter((key) => !only || only.includes(key))
                  .map((key) => {
                    const [topicName, partition] = key.split(":");
                    return { topicName, partition: Number(partition), errorCode: 0 };
                  }),
              );
            },
            reject: (error) => {
              concurrent -= 1;
              reject(error);
            },
          });
        });
      },
    } as unknown as Producer;
  };
  const kafka = { producer: newProducer } as unknown as Kafka;
  return { kafka, batches, pending, maxConcurrent: () => maxConcurrent, producers: () => producers };
}

const message = (topic: string, n: number): OutgoingMessage => ({
  topic,
  key: `k${n}`,
  value: Buffer.from([n]),
  headers: {},
});
const options = {
  lingerMs: 5,
  maxBatchMessages: 3,
  sendTimeoutMs: 200,
  maxQueuedMessages: 10,
  logger: pino({ level: "silent" }),
};
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("BatchingProducer", () => {
  it("groups messages sent close together into one request, split by topic, and settles each caller on the ack", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, options);
    let settled = 0;
    const sends = [producer.send(message("a", 1)), producer.send(message("b", 2))].map((p) =>
      p.then(() => (settled += 1)),
    );
    await tick(20);
    expect(fake.batches).toHaveLength(1);
    expect(fake.batches[0]?.topicMessages?.map((t) => [t.topic, t.messages.length])).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(settled).toBe(0); // not acknowledged before Kafka acknowledges
    fake.pending[0]?.resolve();
    await Promise.all(sends);
    expect(settled).toBe(2);
    await producer.close();
  });

  it("never has two requests in flight and caps batch size", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, options);
    const sends = Array.from({ length: 7 }, (_, n) => producer.send(message("a", n)));
    await tick(20);
    expect(fake.batches).toHaveLength(1);
    expect(fake.batches[0]?.topicMessages?.[0]?.messages).toHaveLength(3);
    fake.pending[0]?.resolve();
    await tick(20);
    fake.pending[1]?.resolve();
    await tick(20);
    fake.pending[2]?.resolve();
    await Promise.all(sends);
    expect(fake.batches.map((b) => b.topicMessages?.[0]?.messages.length)).toEqual([3, 3, 1]);
    expect(fake.maxConcurrent()).toBe(1);
    await producer.close();
  });

  it("fails a batch Kafka does not acknowledge in time with a retriable UNAVAILABLE", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, options);
    const send = producer.send(message("a", 1));
    await expect(send).rejects.toBeInstanceOf(UnavailableError);
    await expect(send).rejects.toMatchObject({ retriable: true, code: "UNAVAILABLE" });
    fake.pending[0]?.resolve();
    await producer.close();
  });

  it("answers a message that queued behind a slow batch within sendTimeoutMs of its own send, not of its batch's", async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeKafka();
      const producer = await BatchingProducer.connect(fake.kafka, options);
      const first = producer.send(message("a", 1)).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(150);
      let secondAnswer: unknown;
      void producer.send(message("a", 2)).catch((error: unknown) => {
        secondAnswer = error;
      });
      // The first batch times out at 200 ms, but kafkajs goes on retrying it; the next batch waits for it (no overlap).
      await vi.advanceTimersByTimeAsync(190);
      expect(await first).toBeInstanceOf(UnavailableError);
      fake.pending[0]?.reject(new Error("NOT_LEADER_FOR_PARTITION"));
      await vi.advanceTimersByTimeAsync(7); // the second batch left at 345 ms, 195 ms after its message was sent
      expect(fake.batches).toHaveLength(2);
      expect(secondAnswer).toBeUndefined();
      await vi.advanceTimersByTimeAsync(10); // 150 + 200 ms have passed since the second send (it was 545 ms)
      expect(secondAnswer).toBeInstanceOf(UnavailableError);
      fake.pending[1]?.resolve();
      await vi.advanceTimersByTimeAsync(10);
      await producer.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails every message of a batch Kafka rejects", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, options);
    const sends = [producer.send(message("a", 1)), producer.send(message("a", 2))];
    await tick(20);
    fake.pending[0]?.reject(new Error("NOT_LEADER_FOR_PARTITION"));
    for (const send of sends) await expect(send).rejects.toBeInstanceOf(UnavailableError);
    await producer.close();
  });

  it("with lanes, sends batches of different keys in parallel and keeps one key on one lane, in order", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, {
      ...options,
      lanes: 4,
      maxBatchMessages: 1,
      maxQueuedMessages: 100,
    });
    const keys = ["8a4b", "8a4c", "8a4d", "8a4e", "8a4f", "8a50", "8a51", "8a52"];
    const sends = keys.flatMap((key) =>
      [1, 2].map((n) => producer.send({ topic: "a", key, value: Buffer.from([n]), headers: {} })),
    );
    await tick(20);
    expect(fake.maxConcurrent()).toBeGreaterThan(1);
    for (let round = 0; round < 40 && fake.pending.length < sends.length; round += 1) {
      for (const pending of fake.pending) pending.resolve();
      await tick(10);
    }
    for (const pending of fake.pending) pending.resolve();
    await Promise.all(sends);
    // Each key's two messages went out in the order sent.
    const sent = fake.batches.flatMap((batch) => batch.topicMessages?.[0]?.messages ?? []);
    for (const key of keys) {
      expect(sent.filter((m) => m.key === key).map((m) => (m.value as Buffer)[0])).toEqual([1, 2]);
    }
    await producer.close();
  });

  it("refuses at once when the queue is full, instead of growing without bound", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, {
      ...options,
      maxQueuedMessages: 2,
      maxBatchMessages: 1,
    });
    const first = producer.send(message("a", 0)); // in flight
    await tick(20);
    const queued = [producer.send(message("a", 1)), producer.send(message("a", 2))];
    await expect(producer.send(message("a", 3))).rejects.toThrow(/queue is full/);
    fake.pending[0]?.resolve();
    await first;
    for (let i = 1; i <= 2; i += 1) {
      await tick(20);
      fake.pending[i]?.resolve();
    }
    await Promise.all(queued);
    await producer.close();
  });

  it("fails, unacknowledged, the messages of partitions a completed send has no result for, and renews the producer", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, options);
    const messages = [message("a", 1), message("a", 2), message("a", 3)];
    const partitionOf = (m: OutgoingMessage) =>
      Partitioners.DefaultPartitioner()({
        topic: m.topic,
        partitionMetadata: Array.from({ length: PARTITIONS }, (_, partitionId) => ({
          partitionId,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        })),
        message: { key: m.key, value: m.value },
      });
    const kept = partitionOf(messages[0] as OutgoingMessage);
    expect(new Set(messages.map(partitionOf)).size).toBeGreaterThan(1); // the keys span partitions
    const outcomes = messages.map((m) =>
      producer.send(m).then(
        () => "acknowledged",
        (error: unknown) => (error instanceof UnavailableError ? "UNAVAILABLE" : String(error)),
      ),
    );
    await tick(20);
    // kafkajs answered for one partition only (as after a retry that skipped a broker).
    fake.pending[0]?.resolve([`a:${kept}`]);
    expect(await Promise.all(outcomes)).toEqual(
      messages.map((m) => (partitionOf(m) === kept ? "acknowledged" : "UNAVAILABLE")),
    );
    expect(fake.producers()).toBe(1);

    // The next batch goes on a new producer (new producer id, sequences from 0).
    const next = producer.send(message("a", 4));
    await tick(20);
    expect(fake.producers()).toBe(2);
    fake.pending[1]?.resolve();
    await next;
    await producer.close();
  });

  it("goes on with a new producer after kafkajs' sequence numbers stopped matching the broker's", async () => {
    const fake = fakeKafka();
    const producer = await BatchingProducer.connect(fake.kafka, options);
    const first = producer.send(message("a", 1)).catch((error: unknown) => error);
    await tick(20);
    fake.pending[0]?.reject(
      Object.assign(new Error("The broker received an out of order sequence number"), {
        type: "OUT_OF_ORDER_SEQUENCE_NUMBER",
      }),
    );
    expect(await first).toBeInstanceOf(UnavailableError);
    const next = producer.send(message("a", 2));
    await tick(20);
    expect(fake.producers()).toBe(2);
    fake.pending[1]?.resolve();
    await next;
    await producer.close();
  });
});
