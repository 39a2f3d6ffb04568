import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServiceError, status } from "@grpc/grpc-js";
import { createKafka, macaoLandPath, type Pool, RETRY_AFTER_METADATA, Region, topics } from "@hub/common";
import type { CorrelatorApp } from "@hub/correlator";
import { type KafkaClusterNode, type RunningKafkaCluster, startKafkaCluster } from "@hub/infra";
import { type Camera, type Detection, DetectionRecord, PublishOutcome } from "@hub/proto";
import { buildCameras } from "@hub/simulator";
import kafkajs, { type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection } from "../support/factories.js";
import {
  createDevice,
  eventually,
  migratedPool,
  readTopic,
  startTestCorrelator,
  startTestIngest,
  type TestIngest,
  testLogger,
} from "../support/hub.js";

/**
 * A three-node Kafka cluster of this file's own (beside the run's single broker) loses nodes while a device publishes
 * detections at a steady rate through ingest: the leader of the busiest partitions, then the active controller, then
 * two nodes at once. Every event ingest acknowledged is stored exactly once; while fewer than two replicas can be in
 * sync ingest answers UNAVAILABLE and acknowledges nothing; the correlator, never restarted, stores what comes after.
 */
let dir: string;
let cluster: RunningKafkaCluster;
let pool: Pool;
let ingest: TestIngest;
let correlator: CorrelatorApp;
let admin: Admin;
let device: { siteId: string; token: string };
const groupId = `cluster-faults-${randomUUID().slice(0, 8)}`;
const began = Date.now();
/** With TEST_LOG_LEVEL set: what happens when, for reading a run beside the services' and kafkajs' logs. */
const log = (message: string) => {
  if (process.env.TEST_LOG_LEVEL) {
    console.log(
      `[cluster-faults ${new Date().toISOString().slice(11, 23)} +${((Date.now() - began) / 1000).toFixed(1)}s] ${message}`,
    );
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hub-cluster-"));
  cluster = await startKafkaCluster({ dataDir: join(dir, "kafka"), nodes: 3, heapMb: 384, log });
  pool = await migratedPool();
  device = await createDevice(pool);
  const replication = { KAFKA_REPLICATION_FACTOR: "3" };
  [ingest, correlator] = await Promise.all([
    startTestIngest(replication, cluster.brokers),
    startTestCorrelator(
      { ...replication, CORRELATOR_GROUP_ID: groupId, CORRELATOR_SESSION_TIMEOUT_MS: "6000" },
      cluster.brokers,
    ),
  ]);
  log("ingest and correlator ready");
  admin = createKafka({ brokers: cluster.brokers, clientId: "test-cluster-admin" }, testLogger).admin();
  await admin.connect();
}, 240_000);

afterAll(async () => {
  await admin?.disconnect();
  await ingest?.stop();
  await correlator?.stop();
  await cluster?.stop();
  await pool?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One publish as the device saw it: when it was sent and answered, and how. */
interface Call {
  eventId: string;
  sentAt: number;
  answeredAt: number;
  outcome: "acknowledged" | "duplicate" | { code: number | undefined; retryAfterMs: string | undefined };
}

/** A device publishing one detection every `intervalMs` through ingest's unary API, never waiting for answers. */
class SteadyPublisher {
  readonly calls: Call[] = [];
  readonly failed: Detection[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private next = 0;

  constructor(
    private readonly cameras: Camera[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.publishOne(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  /** Counts so far, for the log. */
  summary(): string {
    const refused = this.calls.filter((call) => typeof call.outcome === "object").length;
    return `${this.calls.length} answered (${refused} refused), ${this.inFlight.size} in flight`;
  }

  acknowledged(): Call[] {
    return this.calls.filter((call) => call.outcome === "acknowledged");
  }

  /** Acknowledgements of publishes sent at or after `since`. */
  acknowledgedSince(since: number): number {
    return this.calls.filter((call) => call.outcome === "acknowledged" && call.sentAt >= since).length;
  }

  private publishOne(): void {
    if (this.inFlight.size >= 1000) return; // never overload ingest: no RESOURCE_EXHAUSTED in this test
    const camera = this.cameras[this.next % this.cameras.length] as Camera;
    this.next += 1;
    const detection = newDetection(camera.id);
    const sentAt = Date.now();
    const call = ingest.gateway.publishDetection(device.token, detection).then(
      (outcome) => {
        this.calls.push({
          eventId: detection.eventId,
          sentAt,
          answeredAt: Date.now(),
          outcome: outcome === PublishOutcome.PUBLISH_OUTCOME_ACCEPTED ? "acknowledged" : "duplicate",
        });
      },
      (error: ServiceError) => {
        const hint = error.metadata?.get(RETRY_AFTER_METADATA)[0];
        this.calls.push({
          eventId: detection.eventId,
          sentAt,
          answeredAt: Date.now(),
          outcome: { code: error.code, retryAfterMs: hint === undefined ? undefined : String(hint) },
        });
        this.failed.push(detection);
      },
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }
}

async function partitionsOf(topic: string) {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0]?.partitions ?? [];
}

async function endOffsets(): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topics.detections.name);
  return new Map(offsets.map((offset) => [offset.partition, BigInt(offset.high)]));
}

/** Until every partition of every hub topic has all three replicas in sync again, so that the next fault is one. */
async function untilFullyReplicated(): Promise<void> {
  const names = Object.values(topics).map((topic) => topic.name);
  const whole = await eventually(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: names }).catch(() => undefined);
      return Boolean(metadata?.topics.every((t) => t.partitions.every((p) => p.isr.length === 3 && p.leader >= 0)));
    },
    120_000,
    500,
  );
  expect(whole).toBe(true);
}

async function untilExited(nodes: KafkaClusterNode[]): Promise<void> {
  expect(await eventually(async () => nodes.every((node) => !node.running), 30_000, 50)).toBe(true);
}

/** Until `count` publishes sent at or after `since` were acknowledged: publishing goes on. */
async function untilAcknowledged(publisher: SteadyPublisher, since: number, count: number): Promise<void> {
  expect(await eventually(async () => publisher.acknowledgedSince(since) >= count, 120_000, 100)).toBe(true);
  log(`${count} acknowledged since ${new Date(since).toISOString().slice(11, 23)}; ${publisher.summary()}`);
}

function nodeById(id: number): KafkaClusterNode {
  const node = cluster.nodes.find((n) => n.nodeId === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}

/** For a failure's reader: whether the events not stored once are in Kafka, and when they were published. */
async function explainMissing(publisher: SteadyPublisher, wrong: string[], stored: Map<string, number>): Promise<void> {
  if (wrong.length === 0) return;
  const wanted = new Set(wrong);
  const records = await readTopic({
    brokers: cluster.brokers,
    topic: topics.detections.name,
    decode: DetectionRecord.decode,
    keep: (record) => wanted.has(record.detection?.eventId ?? ""),
    until: (found) => new Set(found.map((r) => r.value.detection?.eventId)).size >= wanted.size,
    timeoutMs: 30_000,
  });
  const inKafka = new Map(records.map((r) => [r.value.detection?.eventId ?? "", r.partition]));
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  for (const id of wrong) {
    const calls = publisher.calls.filter((call) => call.eventId === id);
    console.log(
      `[cluster-faults] ${id}: stored ${stored.get(id) ?? 0} times, in Kafka: ${inKafka.has(id) ? `partition ${inKafka.get(id)}` : "no"}; ` +
        calls
          .map((c) => `sent ${time(c.sentAt)} answered ${time(c.answeredAt)} ${JSON.stringify(c.outcome)}`)
          .join(", "),
    );
  }
}

describe("a three-node Kafka cluster losing nodes", () => {
  it("stores every acknowledged event once, acknowledges nothing without two replicas, and the correlator goes on", async () => {
    // The hub's topics as the services created them on this cluster: three replicas, two in sync.
    const detectionPartitions = await partitionsOf(topics.detections.name);
    expect(detectionPartitions.every((p) => p.replicas.length === 3)).toBe(true);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: kafkajs.ConfigResourceTypes.TOPIC, name: topics.detections.name, configNames: ["min.insync.replicas"] },
      ],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe("2");

    // Cameras spread over the city, so that the traffic lands in several partitions.
    const cameras = buildCameras(Region.fromFile(macaoLandPath), 16, 29).map((camera) => ({
      ...camera,
      id: newCamera().id,
      siteId: device.siteId,
    }));
    for (const camera of cameras) await ingest.gateway.registerCamera(device.token, camera);

    const publisher = new SteadyPublisher(cameras, 40);
    const before = await endOffsets();
    publisher.start();
    try {
      await untilAcknowledged(publisher, 0, 100);

      // 1. The leader of the busiest partition of the detections topic.
      const after = await endOffsets();
      const busiest = [...after].sort(
        ([a, high], [b, otherHigh]) => Number(otherHigh - (before.get(b) ?? 0n)) - Number(high - (before.get(a) ?? 0n)),
      )[0]?.[0];
      const leaderId = (await partitionsOf(topics.detections.name)).find((p) => p.partitionId === busiest)?.leader;
      const leader = nodeById(leaderId ?? -1);
      log(`killing node ${leader.nodeId}, leader of partition ${busiest}`);
      leader.kill();
      await untilExited([leader]);
      await untilAcknowledged(publisher, Date.now(), 50);
      await leader.start();
      log(`node ${leader.nodeId} registered again`);
      await untilFullyReplicated();
      log(`fully replicated; ${publisher.summary()}`);

      // 2. The active controller (the KRaft quorum's leader).
      const controllerId = await cluster.activeController();
      expect(controllerId).not.toBeNull();
      const controller = nodeById(controllerId ?? -1);
      log(`killing node ${controller.nodeId}, the active controller`);
      controller.kill();
      await untilExited([controller]);
      await untilAcknowledged(publisher, Date.now(), 50);
      expect(await eventually(async () => (await cluster.activeController()) !== null, 60_000, 200)).toBe(true);
      expect(await cluster.activeController()).not.toBe(controller.nodeId);
      await controller.start();
      log(`node ${controller.nodeId} registered again`);
      await untilFullyReplicated();
      log(`fully replicated; ${publisher.summary()}`);

      // 3. Two nodes at once: one replica left, no controller quorum.
      const [first, second] = cluster.nodes.filter((node) => node.nodeId !== controller.nodeId);
      const pair = [first, second] as KafkaClusterNode[];
      log(`killing nodes ${pair.map((node) => node.nodeId).join(" and ")}`);
      for (const node of pair) node.kill();
      await untilExited(pair);
      const outageFrom = Date.now();
      const refusedInOutage = () =>
        publisher.calls.filter((call) => call.sentAt >= outageFrom && typeof call.outcome === "object").length;
      // Long enough for the send timeout (KAFKA_SEND_TIMEOUT_MS) to fail what was queued and sent in the outage.
      expect(await eventually(async () => refusedInOutage() >= 50, 120_000, 100)).toBe(true);
      const outageUntil = Date.now();
      const acknowledgedInOutage = publisher.calls.filter(
        (call) => call.sentAt >= outageFrom && call.answeredAt < outageUntil && call.outcome === "acknowledged",
      );
      expect(acknowledgedInOutage).toEqual([]);
      log(`outage: ${publisher.summary()}; restarting both`);
      await Promise.all(pair.map((node) => node.start()));
      log("both registered again");
      const restarted = Date.now();
      await untilAcknowledged(publisher, restarted, 100);
    } finally {
      await publisher.stop();
    }

    // The only refusals were UNAVAILABLE.
    const refusals = publisher.calls.flatMap((call) => (typeof call.outcome === "object" ? [call.outcome] : []));
    log(
      `${publisher.calls.length} publishes, ${publisher.acknowledged().length} acknowledged, ${refusals.length} refused; ` +
        `retry hints: ${JSON.stringify([...new Set(refusals.map((r) => r.retryAfterMs))])}`,
    );
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals.map((refusal) => refusal.code))).toEqual(new Set([status.UNAVAILABLE]));

    // The device retries what was refused, as a device does (several at a time).
    log(`retrying ${publisher.failed.length} refused events`);
    const deadline = Date.now() + 60_000;
    const retry = async () => {
      for (let detection = publisher.failed.pop(); detection; detection = publisher.failed.pop()) {
        for (;;) {
          try {
            await ingest.gateway.publishDetection(device.token, detection);
            break;
          } catch (error) {
            if ((error as ServiceError).code !== status.UNAVAILABLE || Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, retry));

    // Every event is stored exactly once, by the correlator that ran through all of it.
    const ids = publisher.calls.map((call) => call.eventId);
    const counts = async () =>
      (
        await pool.query<{ event_id: string; n: number }>(
          "SELECT event_id, count(*)::int AS n FROM detections WHERE site_id = $1 AND event_id = ANY($2) GROUP BY event_id",
          [device.siteId, ids],
        )
      ).rows;
    await eventually(async () => (await counts()).length === ids.length, 120_000, 1000);
    log("stored");
    const stored = new Map((await counts()).map((row) => [row.event_id, row.n]));
    const acknowledged = publisher.acknowledged().map((call) => call.eventId);
    await explainMissing(
      publisher,
      ids.filter((id) => stored.get(id) !== 1),
      stored,
    );
    expect(acknowledged.filter((id) => stored.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => stored.get(id) !== 1)).toEqual([]);
  }, 360_000);
});
