import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createKafka, type Pool, topics } from "@hub/common";
import { crashPoints } from "@hub/correlator";
import { ObjectClass, SensorKind } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDetection, newReading } from "../support/factories.js";
import {
  eventually,
  freePort,
  infra,
  migratedPool,
  produceDetectionRecords,
  produceEvents,
  produceRaw,
  serviceDatabase,
  startGroupAtEnd,
  testLogger,
} from "../support/hub.js";

/**
 * Correlator processes are SIGKILLed again and again while messages flow, sometimes two run in the group at
 * once. Afterwards every event is stored once, every dead letter is in the outbox exactly once (that table has no
 * unique key to hide a double write), and each partition's stored offset is its end offset.
 */
let pool: Pool;
const children = new Set<ChildProcess>();
const groupId = `crash-${randomUUID().slice(0, 8)}`;

async function startCorrelatorProcess(extraEnv: Record<string, string> = {}, group = groupId): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "services/correlator/src/main.ts"], {
    env: {
      ...process.env,
      HUB_MODE: "test",
      LOG_LEVEL: "error",
      KAFKA_BROKERS: infra().brokers.join(","),
      ...serviceDatabase("correlator"),
      CORRELATOR_GROUP_ID: group,
      CORRELATOR_HOST: "127.0.0.1",
      CORRELATOR_OPS_PORT: String(await freePort()),
      CORRELATOR_GRPC_PORT: "0",
      CORRELATOR_MAX_BATCH: "250",
      CORRELATOR_SESSION_TIMEOUT_MS: "6000",
      ...extraEnv,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  pool = await migratedPool();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await pool?.end();
});

describe("correlator crash and restart", () => {
  it("loses nothing and writes nothing twice when killed mid-batch, with one or two instances", async () => {
    const tag = randomUUID().slice(0, 8);
    const ids: string[] = [];
    const junkKeys: string[] = [];
    const produceWave = async (wave: number) => {
      const detections = Array.from({ length: 1500 }, () => newDetection(`CAM-CRASH-${wave}`));
      ids.push(...detections.map((d) => d.eventId));
      await produceDetectionRecords(detections);
      const junk = Array.from({ length: 5 }, (_, index) => ({
        key: `junk-${tag}-${wave}-${index}`,
        value: Buffer.from([0xff, 0xff, 0xff]),
      }));
      junkKeys.push(...junk.map((j) => j.key));
      await produceRaw(topics.detections.name, junk);
    };

    await startGroupAtEnd(groupId);
    let a = await startCorrelatorProcess();
    await produceWave(0);
    for (let wave = 1; wave <= 3; wave += 1) {
      await sleep(1500 + wave * 400);
      a.kill("SIGKILL");
      const b = wave % 2 === 0 ? await startCorrelatorProcess() : undefined; // sometimes two in the group
      await produceWave(wave);
      a = await startCorrelatorProcess();
      if (b) {
        await sleep(2000);
        b.kill("SIGKILL");
      }
    }

    const stored = async () =>
      (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM detections WHERE event_id = ANY($1)", [ids]))
        .rows[0]?.n ?? 0;
    await eventually(async () => (await stored()) === ids.length, 120_000, 500);
    expect(await stored()).toBe(ids.length);

    // Each partition's stored position is its end: nothing left behind, nothing skipped.
    const admin = createKafka({ brokers: infra().brokers, clientId: "test-admin" }, testLogger).admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topics.detections.name);
    await admin.disconnect();
    const caughtUp = await eventually(async () => {
      const positions = await pool.query<{ partition: number; next_offset: string }>(
        "SELECT partition, next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = $2",
        [groupId, topics.detections.name],
      );
      const byPartition = new Map(positions.rows.map((row) => [row.partition, row.next_offset]));
      return ends.every((end) => end.high === "0" || byPartition.get(end.partition) === end.high);
    }, 30_000);
    expect(caughtUp).toBe(true);

    // Once every partition is consumed to its end (the junk has keys of its own, so it can sit in partitions the
    // detections do not use), each bad message is in the outbox exactly once.
    const deadLetters = await pool.query<{ key: string; n: number }>(
      "SELECT key, count(*)::int AS n FROM outbox WHERE key = ANY($1) GROUP BY key",
      [junkKeys],
    );
    expect(deadLetters.rows.length).toBe(junkKeys.length);
    expect(deadLetters.rows.every((row) => row.n === 1)).toBe(true);
    a.kill("SIGTERM");
  }, 240_000);
});

describe.each(crashPoints)("correlator killed %s", (point) => {
  it("stores every event once, opens every incident once and dead-letters every bad message once after a restart", async () => {
    const group = `point-${point}-${randomUUID().slice(0, 8)}`;
    const tag = randomUUID().slice(0, 8);
    // A longitude of its own per run: no event here can fall within a rule's radius of another run's.
    const base = 10 + Math.random();
    const lon = 60 + Math.random() * 40;
    await startGroupAtEnd(group);
    const events: Parameters<typeof produceEvents>[0] = [];
    for (let index = 0; index < 40; index += 1) {
      const at = { lat: base + index * 0.05, lon };
      events.push(
        {
          detection: newDetection(`CAM-K${index}`, {
            objectClass: ObjectClass.OBJECT_CLASS_FIRE,
            confidence: 0.9,
            box: undefined,
            plate: undefined,
            rule: undefined,
            attributes: {},
            observedAt: new Date(Date.now() - 30_000),
          }),
          at,
        },
        {
          reading: newReading(`SEN-K${index}`, {
            datastreamId: "smoke",
            kind: SensorKind.SENSOR_KIND_SMOKE,
            unit: "%/m",
            value: 9,
            observedAt: new Date(Date.now() - 20_000),
          }),
          at,
        },
      );
    }
    await produceEvents(events);
    const junkKeys = Array.from({ length: 3 }, (_, index) => `junk-${tag}-${index}`);
    await produceRaw(
      topics.detections.name,
      junkKeys.map((key) => ({ key, value: Buffer.from([0xff, 0xfe]) })),
    );
    const ids = events.map((event) =>
      "detection" in event ? event.detection.eventId : "reading" in event ? event.reading.eventId : "",
    );

    const doomed = await startCorrelatorProcess(
      { CORRELATOR_CRASH_POINT: point, CORRELATOR_CRASH_AFTER_BATCHES: "2", CORRELATOR_MAX_BATCH: "10" },
      group,
    );
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.once("exit", (_code, sig) => resolve(sig)),
    );
    expect(signal).toBe("SIGKILL");

    const survivor = await startCorrelatorProcess({ CORRELATOR_MAX_BATCH: "10" }, group);
    const stored = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            "SELECT (SELECT count(*) FROM detections WHERE event_id = ANY($1)) + (SELECT count(*) FROM sensor_readings WHERE event_id = ANY($1)) AS n",
            [ids],
          )
        ).rows[0]?.n,
      );
    await eventually(async () => (await stored()) === ids.length, 90_000, 500);
    expect(await stored()).toBe(ids.length);
    const deadLetters = async () =>
      (
        await pool.query<{ key: string; n: number }>(
          "SELECT key, count(*)::int AS n FROM outbox WHERE key = ANY($1) GROUP BY key ORDER BY key",
          [junkKeys],
        )
      ).rows;
    await eventually(async () => (await deadLetters()).length === junkKeys.length, 30_000);
    expect(await deadLetters()).toEqual(junkKeys.map((key) => ({ key, n: 1 })));
    const incidents = await pool.query<{ evidence: number }>(
      `SELECT (SELECT count(*)::int FROM incident_evidence e WHERE e.incident_id = i.id) AS evidence FROM incidents i
       WHERE i.id IN (SELECT incident_id FROM incident_evidence WHERE event_id = ANY($1))`,
      [ids],
    );
    expect(incidents.rows).toHaveLength(40);
    expect(incidents.rows.every((row) => row.evidence === 2)).toBe(true);
    survivor.kill("SIGTERM");
  }, 180_000);
});
