import { describe, expect, it } from "vitest";
import { defaultMinInsyncReplicas, EVENT_PARTITIONS, topicSpecs, topics } from "./topics.js";

describe("topicSpecs", () => {
  it("gives the three event topics the configured partition count and leaves the others as declared", () => {
    const specs = topicSpecs({ eventPartitions: 24, minInsyncReplicas: 1, replicationFactor: 1 });
    const partitions = Object.fromEntries(specs.map((spec) => [spec.name, spec.partitions]));
    expect(partitions[topics.detections.name]).toBe(24);
    expect(partitions[topics.cameraStatus.name]).toBe(24);
    expect(partitions[topics.sensorReadings.name]).toBe(24);
    expect(partitions[topics.alerts.name]).toBe(topics.alerts.partitions);
    expect(specs.map((spec) => spec.name)).toEqual(Object.values(topics).map((topic) => topic.name));
  });

  it("sets min.insync.replicas on every topic, at most the replication factor, keeping the rest of the config", () => {
    const three = topicSpecs({ eventPartitions: EVENT_PARTITIONS, minInsyncReplicas: 2, replicationFactor: 3 });
    expect(new Set(three.map((spec) => spec.config["min.insync.replicas"]))).toEqual(new Set(["2"]));
    const alerts = three.find((spec) => spec.name === topics.alerts.name);
    expect(alerts?.config["cleanup.policy"]).toBe("compact");
    const one = topicSpecs({ eventPartitions: EVENT_PARTITIONS, minInsyncReplicas: 2, replicationFactor: 1 });
    expect(new Set(one.map((spec) => spec.config["min.insync.replicas"]))).toEqual(new Set(["1"]));
  });

  it("derives min.insync.replicas from the replication factor unless configured: 2 from three replicas on", () => {
    expect([1, 2, 3, 4, 5].map(defaultMinInsyncReplicas)).toEqual([1, 1, 2, 2, 2]);
    const minIsr = (replicationFactor: number, minInsyncReplicas?: number) =>
      new Set(
        topicSpecs({ eventPartitions: EVENT_PARTITIONS, replicationFactor, minInsyncReplicas }).map(
          (spec) => spec.config["min.insync.replicas"],
        ),
      );
    expect(minIsr(3)).toEqual(new Set(["2"]));
    expect(minIsr(5)).toEqual(new Set(["2"]));
    expect(minIsr(1)).toEqual(new Set(["1"]));
    expect(minIsr(2)).toEqual(new Set(["1"]));
    expect(minIsr(5, 3)).toEqual(new Set(["3"]));
    expect(minIsr(3, 1)).toEqual(new Set(["1"]));
  });

  it("gives every topic, the alerts topic included, the configured replication factor", () => {
    const specs = topicSpecs({ eventPartitions: EVENT_PARTITIONS, replicationFactor: 3 });
    expect(new Set(specs.map((spec) => spec.replicationFactor))).toEqual(new Set([3]));
    expect(specs.find((spec) => spec.name === topics.alerts.name)).toMatchObject({
      replicationFactor: 3,
      config: { "min.insync.replicas": "2", "cleanup.policy": "compact" },
    });
  });
});
