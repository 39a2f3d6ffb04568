import type { Kafka } from "kafkajs";
import { describe, expect, it } from "vitest";
import { ensureTopics } from "./kafka.js";
import type { Logger } from "./logger.js";
import { topicSpecs, topics } from "./topics.js";

/** An admin client holding `existing` topics with `replicas` replicas and min.insync.replicas `minIsr`. */
function fakeKafka(existing: string[], replicas: number, minIsr: string) {
  const created: { topic: string; replicationFactor?: number; configEntries?: { name: string; value: string }[] }[] =
    [];
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => existing,
    createTopics: async (request: { topics: typeof created }) => {
      created.push(...request.topics);
      return true;
    },
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => ({
      topics: names.map((name) => ({
        name,
        partitions: Array.from({ length: 12 }, (_, partitionId) => ({
          partitionId,
          replicas: Array.from({ length: replicas }, (_, n) => n),
        })),
      })),
    }),
    describeConfigs: async ({ resources }: { resources: { name: string }[] }) => ({
      resources: resources.map((resource) => ({
        resourceName: resource.name,
        configEntries: [{ configName: "min.insync.replicas", configValue: minIsr }],
      })),
    }),
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, created };
}

function recordingLogger() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    info: () => undefined,
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  } as unknown as Logger;
  return { logger, warnings };
}

describe("ensureTopics", () => {
  const specs = topicSpecs({ eventPartitions: 12, replicationFactor: 3 });

  it("creates missing topics with the spec's replication factor and min.insync.replicas", async () => {
    const { kafka, created } = fakeKafka([], 3, "2");
    await ensureTopics(kafka, specs, { logger: recordingLogger().logger });
    const alerts = created.find((topic) => topic.topic === topics.alerts.name);
    expect(alerts?.replicationFactor).toBe(3);
    expect(alerts?.configEntries).toContainEqual({ name: "min.insync.replicas", value: "2" });
  });

  it("reports existing topics less durable than specified, and leaves them alone", async () => {
    const { kafka, created } = fakeKafka(
      specs.map((spec) => spec.name),
      1,
      "1",
    );
    const { logger, warnings } = recordingLogger();
    await ensureTopics(kafka, specs, { logger });
    expect(created).toEqual([]);
    expect(warnings.filter((w) => /fewer replicas/.test(w.message))).toHaveLength(specs.length);
    expect(warnings.filter((w) => /fewer in-sync replicas/.test(w.message))).toHaveLength(specs.length);
    expect(warnings.find((w) => w.fields.topic === topics.alerts.name && /in-sync/.test(w.message))?.fields).toEqual({
      topic: topics.alerts.name,
      minInsyncReplicas: 1,
      expected: 2,
    });
  });

  it("says nothing of existing topics as durable as specified", async () => {
    const { kafka } = fakeKafka(
      specs.map((spec) => spec.name),
      3,
      "2",
    );
    const { logger, warnings } = recordingLogger();
    await ensureTopics(kafka, specs, { logger });
    expect(warnings).toEqual([]);
  });
});
