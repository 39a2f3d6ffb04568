import type { ChildProcess } from "node:child_process";
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import {
  createKafka,
  createLogger,
  createPool,
  EVENT_PARTITIONS,
  ensureTopics,
  H3_PARTITION_RESOLUTION,
  h3Cell,
  headers,
  type Logger,
  migrate,
  type Pool,
  retryWithBackoff,
  type ServiceRoleKey,
  serviceRoles,
  topicSpecs,
  topics,
} from "@hub/common";
import { type CorrelatorApp, eventTopics, readConfig as readCorrelatorConfig, startCorrelator } from "@hub/correlator";
import { hashToken, type IngestApp, readConfig, startIngest } from "@hub/ingest";
import {
  type CameraStatus,
  CameraStatusRecord,
  type Detection,
  DetectionRecord,
  type SensorReading,
  SensorReadingRecord,
} from "@hub/proto";
import { IngestGateway } from "@hub/simulator";
import { cellToParent } from "h3-js";
import { type EachMessagePayload, type IHeaders, Partitioners, type Producer } from "kafkajs";
import { inject } from "vitest";

/** Helpers for integration tests: a real ingest service on an ephemeral port, devices, and a Kafka reader. */

export const testLogger: Logger = createLogger("test", process.env.TEST_LOG_LEVEL ?? "silent");

export function infra(): { brokers: string[]; databaseUrl: string } {
  return { brokers: inject("kafkaBrokers"), databaseUrl: inject("databaseUrl") };
}

/**
 * A service's database settings: it migrates through the owner's URL and runs as its own least-privilege role
 * (services/common/src/db-roles.ts), so every integration test exercises the grants. Against an external database
 * (DATABASE_URL given to the tests), whose roles cannot log in, services run as the URL's user.
 */
export function serviceDatabase(service: ServiceRoleKey): { DATABASE_URL: string; DATABASE_OWNER_URL: string } {
  return { DATABASE_URL: databaseUrlAs(serviceRoles[service]), DATABASE_OWNER_URL: infra().databaseUrl };
}

/** The run's database URL logging in as `role` (the embedded database); the owner's URL for an external one. */
export function databaseUrlAs(role: string): string {
  const owner = infra().databaseUrl;
  if (!inject("databaseRoles")) return owner;
  const url = new URL(owner);
  url.username = role;
  url.password = "";
  return url.toString();
}

export async function migratedPool(): Promise<Pool> {
  const pool = createPool(infra().databaseUrl, 2, testLogger);
  await migrate(pool, testLogger);
  return pool;
}

/** A new site with a credential; returns the bearer token (never stored in clear). */
export async function createDevice(
  pool: Pool,
  siteId = `site-${randomUUID().slice(0, 8)}`,
): Promise<{ siteId: string; token: string }> {
  const token = randomBytes(32).toString("base64url");
  await pool.query("INSERT INTO sites (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING", [siteId]);
  await pool.query("INSERT INTO device_credentials (id, site_id, token_sha256) VALUES ($1, $2, $3)", [
    `cred-${randomUUID()}`,
    siteId,
    hashToken(token),
  ]);
  return { siteId, token };
}

export interface TestIngest {
  app: IngestApp;
  gateway: IngestGateway;
  address: string;
  stop(): Promise<void>;
}

export async function startTestIngest(
  env: Record<string, string> = {},
  brokers = infra().brokers,
): Promise<TestIngest> {
  const config = readConfig({
    HUB_MODE: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    KAFKA_BROKERS: brokers.join(","),
    ...serviceDatabase("ingest"),
    INGEST_HOST: "127.0.0.1",
    INGEST_PORT: "0",
    INGEST_OPS_PORT: "0",
    ...env,
  });
  const app = await startIngest(config, testLogger);
  const address = `127.0.0.1:${app.grpcPort}`;
  const gateway = new IngestGateway({ address, timeoutMs: 20_000 });
  return {
    app,
    gateway,
    address,
    async stop() {
      gateway.close();
      await app.stop();
    },
  };
}

/**
 * A real correlator in this process on ephemeral ports, against the run's broker (or `brokers`) and database; `env`
 * adds to or overrides the settings (every caller names its own CORRELATOR_GROUP_ID).
 */
export async function startTestCorrelator(
  env: Record<string, string>,
  brokers = infra().brokers,
): Promise<CorrelatorApp> {
  return startCorrelator(
    readCorrelatorConfig({
      HUB_MODE: "test",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      KAFKA_BROKERS: brokers.join(","),
      ...serviceDatabase("correlator"),
      CORRELATOR_HOST: "127.0.0.1",
      CORRELATOR_OPS_PORT: "0",
      CORRELATOR_GRPC_PORT: "0",
      // A day: cameras other files left behind in the shared database would otherwise all turn silent at this
      // correlator's first sweep, a flood of health records that has nothing to do with the test. The camera
      // health tests set their own.
      CORRELATOR_CAMERA_SILENT_AFTER_S: "86400",
      ...env,
    }),
    testLogger,
  );
}

export interface ReadRecord<T> {
  key: string;
  value: T;
  headers: Record<string, string>;
  partition: number;
  /** The producer id of the record's batch: "-1" unless an idempotent (or transactional) producer wrote it. */
  producerId: string;
}

function headerMap(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([key, value]) => [key, String(value)]));
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `until` says it has seen enough or the time
 * runs out, decoding each value with `decode` and keeping those `keep` selects.
 */
export async function readTopic<T>(options: {
  brokers?: string[];
  topic: string;
  decode: (bytes: Uint8Array) => T;
  keep: (value: T) => boolean;
  until: (records: ReadRecord<T>[]) => boolean;
  timeoutMs?: number;
  /** Extra time to keep reading after `until` holds, to catch duplicates. */
  settleMs?: number;
}): Promise<ReadRecord<T>[]> {
  const kafka = createKafka({ brokers: options.brokers ?? infra().brokers, clientId: "test-reader" }, testLogger);
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const records: ReadRecord<T>[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ message, partition }: EachMessagePayload) => {
        if (!message.value) return;
        let value: T;
        try {
          value = options.decode(message.value);
        } catch {
          return; // other tests put undecodable bytes on the topics on purpose (dead-letter tests)
        }
        if (!options.keep(value)) return;
        // kafkajs keeps the record batch's header on each message it decodes (not in its types).
        const { batchContext } = message as { batchContext?: { producerId?: string } };
        records.push({
          key: message.key?.toString() ?? "",
          value,
          headers: headerMap(message.headers),
          partition,
          producerId: batchContext?.producerId ?? "-1",
        });
        if (options.until(records)) done();
      },
    });
    const timeout = options.timeoutMs ?? 20_000;
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeout))]);
    if (options.settleMs) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Runs `work` with a connected idempotent producer (acks=all, order kept), disconnected afterwards. */
async function withProducer(
  clientId: string,
  work: (producer: Producer) => Promise<void>,
  brokers = infra().brokers,
): Promise<void> {
  const producer = createKafka({ brokers, clientId }, testLogger).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await work(producer);
  } finally {
    await producer.disconnect();
  }
}

/** Valid DetectionRecords straight into Kafka, as the ingest service would write them (for consumer tests). */
export async function produceDetectionRecords(
  detections: Detection[],
  options: { brokers?: string[]; siteId?: string } = {},
): Promise<void> {
  await withProducer(
    "test-producer",
    async (producer) => {
      for (let index = 0; index < detections.length; index += 1000) {
        await producer.send({
          topic: topics.detections.name,
          acks: -1,
          messages: detections.slice(index, index + 1000).map((detection) => ({
            key: "88411c0a2bfffff",
            value: Buffer.from(
              DetectionRecord.encode({
                detection,
                context: {
                  ingestedAt: new Date(),
                  siteId: options.siteId ?? "site-test",
                  position: { lat: 22.1935, lon: 113.5405 },
                  district: "Sé",
                  h3Cell: "89411c0a2a3ffff",
                },
              }).finish(),
            ),
            headers: { [headers.type]: "hub.v1.DetectionRecord", [headers.eventId]: detection.eventId },
          })),
        });
      }
    },
    options.brokers,
  );
}

/** Raw bytes into a topic: for dead-letter tests. */
export async function produceRaw(topic: string, messages: { key: string; value: Buffer }[]): Promise<void> {
  const kafka = createKafka({ brokers: infra().brokers, clientId: "test-raw" }, testLogger);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Polls until `check` returns true or the time runs out; returns the last value of `check`. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Retries `assertions` until they pass or the time runs out; then their last failure is thrown. */
export async function settles(assertions: () => Promise<void>, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertions();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface Place {
  lat: number;
  lon: number;
}

/** Event records straight into their topics, placed where the test says, as the ingest service would write them. */
export async function produceEvents(
  events: (
    | { detection: Detection; at: Place; ingestedAt?: Date }
    | { reading: SensorReading; at: Place; ingestedAt?: Date }
    | { status: CameraStatus; at: Place; ingestedAt?: Date }
  )[],
): Promise<void> {
  await withProducer("test-events", async (producer) => {
    for (const event of events) {
      const context = {
        ingestedAt: event.ingestedAt ?? new Date(),
        siteId: "site-test",
        position: { lat: event.at.lat, lon: event.at.lon },
        district: "test",
        h3Cell: h3Cell(event.at.lat, event.at.lon),
      };
      const key = cellToParent(context.h3Cell, H3_PARTITION_RESOLUTION);
      const [topic, value] =
        "detection" in event
          ? [topics.detections.name, DetectionRecord.encode({ detection: event.detection, context }).finish()]
          : "reading" in event
            ? [topics.sensorReadings.name, SensorReadingRecord.encode({ reading: event.reading, context }).finish()]
            : [topics.cameraStatus.name, CameraStatusRecord.encode({ status: event.status, context }).finish()];
      await producer.send({ topic, acks: -1, messages: [{ key, value: Buffer.from(value) }] });
    }
  });
}

/** A point `metres` east of `from`. */
export function east(from: Place, metres: number): Place {
  return { lat: from.lat, lon: from.lon + metres / (111_320 * Math.cos((from.lat * Math.PI) / 180)) };
}

/**
 * Makes a new consumer group start at the event topics' current ends, both in the database (the correlator's own
 * position) and in Kafka, so that a test's correlator reads what the test produces from now on, not every earlier
 * test's events. Without it each fresh group replayed the whole suite's log, a cost that grew with the suite (a crash
 * test's restarted correlator once needed 90 s to reach its own events). A group that already has stored positions
 * keeps them. `databaseUrl` is the owner's URL of the database the correlator will use.
 */
export async function startGroupAtEnd(groupId: string, databaseUrl = infra().databaseUrl): Promise<void> {
  const kafka = createKafka({ brokers: infra().brokers, clientId: "test-admin" }, testLogger);
  // On a fresh broker the first service creates the topics; here they must exist before their ends are read.
  await ensureTopics(kafka, topicSpecs({ eventPartitions: EVENT_PARTITIONS, replicationFactor: 1 }), {
    logger: testLogger,
  });
  const admin = kafka.admin();
  const pool = createPool(databaseUrl, 1, testLogger);
  await admin.connect();
  try {
    for (const topic of eventTopics) {
      // Leadership of a topic created a moment ago may still be moving: ask again until a leader answers.
      const ends = await retryWithBackoff(() => admin.fetchTopicOffsets(topic), {
        baseMs: 100,
        maxMs: 1_000,
        giveUpAfterMs: 30_000,
        retriable: () => true,
      });
      const inserted = await pool.query(
        `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
         SELECT $1, $2, * FROM unnest($3::int[], $4::bigint[]) ON CONFLICT DO NOTHING`,
        [groupId, topic, ends.map((end) => end.partition), ends.map((end) => end.high)],
      );
      if (inserted.rowCount === ends.length) {
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
        });
      }
    }
  } finally {
    await Promise.allSettled([admin.disconnect(), pool.end()]);
  }
}

/**
 * Ports for child processes that must listen on a known port come from just below the kernel's ephemeral range
 * (Linux: ip_local_port_range). A port the kernel hands out for port 0 could be taken by any outgoing connection
 * or port-0 listener between this check and the child's bind; with two test processes side by side it was
 * (start-restart: EADDRINUSE on the second start). Below the range, only another explicit choice can take it.
 */
const FIXED_PORT_BAND = 10_000;
const handedOut = new Set<number>();

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 + FIXED_PORT_BAND ? low : 32_768;
  } catch {
    return 32_768; // not Linux: the IANA range starts at 49152, so this band is outside it too
  }
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    // The wildcard address: a child may bind 0.0.0.0, which conflicts with a listener on any address.
    server.listen(port, "0.0.0.0", () => resolve(true));
  });
  if (listening) await new Promise((resolve) => server.close(resolve));
  return listening;
}

/** A TCP port free right now and outside the ephemeral range, for a child process that must listen on it. */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  for (;;) {
    const port = high - 1 - randomInt(FIXED_PORT_BAND);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
}

/**
 * Marks silent, without publishing anything, the cameras earlier test files left in the shared database and that
 * nobody has heard for a minute. A camera-health test with a short silence limit would otherwise wait for its
 * correlator to sweep thousands of them (and relay a health record for each) before reaching its own cameras.
 */
export async function quietLeftoverCameras(pool: Pool): Promise<void> {
  await pool.query(
    `UPDATE cameras SET silent_since = now(), health_changed_at = now()
      WHERE silent_since IS NULL AND coalesce(last_heard_at, created_at) < now() - INTERVAL '1 minute'`,
  );
}

/** Waits until a service process started by a test answers /readyz on its ops port; fails if it exits first. */
export async function whenReady(child: ChildProcess, opsPort: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("service process did not become ready");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
