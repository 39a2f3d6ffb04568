import { type Kafka, Partitioners, type ProducerConfig } from "kafkajs";
import { describe, expect, it } from "vitest";
import { kafkajsLaneClients } from "./kafkajs-lane-client.js";

function partitionerOfLane() {
  let config: ProducerConfig | undefined;
  const kafka = {
    producer: (given: ProducerConfig) => {
      config = given;
      return {};
    },
  } as unknown as Kafka;
  kafkajsLaneClients(kafka)();
  if (!config?.createPartitioner) throw new Error("the lane's producer has no partitioner");
  expect(config).toMatchObject({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  return config.createPartitioner();
}

const metadata = (count: number) =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe("kafkajsLaneClients", () => {
  it("puts every key on the partition of kafkajs' default partitioner, also when a key repeats or the count changes", () => {
    const lane = partitionerOfLane();
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 300 }, (_, index) => `8841${index.toString(16).padStart(4, "0")}bffff`);
    for (const count of [12, 12, 24, 7]) {
      for (const topic of ["hub.detections.v1", "hub.cameras.v1"]) {
        for (const key of [...keys, ...keys.slice(0, 50)]) {
          const args = { topic, partitionMetadata: metadata(count), message: { key, value: null } };
          expect(lane(args)).toBe(reference(args));
        }
      }
    }
  });
});
