import { describe, expect, it } from "vitest";
import { clusterReplication, nodeProperties, singleNode } from "./broker.js";
import { clusterMembers } from "./cluster.js";

describe("Kafka node configuration", () => {
  it("gives every node of a cluster its own id and listeners, and all of them the same static voter set", () => {
    const controllerPorts = [9093, 9095, 9097];
    const members = clusterMembers(controllerPorts);
    const properties = members.map((member, index) =>
      nodeProperties(
        `/data/node-${index + 1}/logs`,
        { port: 9092 + 2 * index, controllerPort: 9093 + 2 * index },
        member,
      ),
    );
    expect(properties.map((p) => p["node.id"])).toEqual([1, 2, 3]);
    expect(new Set(properties.map((p) => p["controller.quorum.voters"]))).toEqual(
      new Set(["1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097"]),
    );
    expect(properties[1]?.listeners).toBe("PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095");
    expect(properties[1]?.["advertised.listeners"]).toBe("PLAINTEXT://127.0.0.1:9094");
    expect(properties[2]?.["log.dirs"]).toBe("/data/node-3/logs");
    expect(properties.every((p) => p["process.roles"] === "broker,controller")).toBe(true);
  });

  it("replicates three times with two in sync from three nodes on, its internal topics too", () => {
    const member = clusterMembers([9093, 9095, 9097])[0];
    if (!member) throw new Error("no member");
    const p = nodeProperties("/data/logs", { port: 9092, controllerPort: 9093 }, member);
    expect(p).toMatchObject({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "offsets.topic.replication.factor": 3,
      "transaction.state.log.replication.factor": 3,
      "transaction.state.log.min.isr": 2,
      "share.coordinator.state.topic.replication.factor": 3,
      "share.coordinator.state.topic.min.isr": 2,
    });
    expect(clusterReplication(5)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(clusterReplication(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: 1 });
  });

  it("keeps a single broker as it was: node 1, its own voter, nothing replicated", () => {
    const p = nodeProperties("/data/logs", { port: 9092, controllerPort: 9093 }, singleNode(9093));
    expect(p).toMatchObject({
      "node.id": 1,
      "controller.quorum.voters": "1@127.0.0.1:9093",
      "default.replication.factor": 1,
      "min.insync.replicas": 1,
      "offsets.topic.replication.factor": 1,
      "transaction.state.log.min.isr": 1,
    });
  });
});
