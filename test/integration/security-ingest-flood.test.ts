import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import {
  type Client,
  type ClientWritableStream,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { type Pool, RETRY_AFTER_METADATA } from "@hub/common";
import { type Detection, PublishOutcome, StreamDetectionsRequest, StreamDetectionsResponse } from "@hub/proto";
import { IngestGateway } from "@hub/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection } from "../support/factories.js";
import { createDevice, freePort, infra, migratedPool, whenReady } from "../support/hub.js";

/**
 * Issue 12, finding 2: one device token could exhaust the ingest service's memory. A client stream past its event
 * limit kept being read and its results collected (a 400,000-event stream was taken in full and its 38 MB summary
 * broke the client), and nothing stopped one site from taking the capacity of the others.
 *
 * The ingest service runs as a real child process so that its resident memory can be read from /proc. Hostile
 * sites write endless streams of maximal messages as fast as flow control lets them; each stream must end with
 * RESOURCE_EXHAUSTED (at the event limit, or at the site's rate limit with a retry hint) while another site keeps
 * publishing, and the process's peak RSS stays under the stated bound.
 */

/** The stated bound on the ingest process's peak resident memory during the attack (Node + tsx + gRPC + kafkajs). */
const MAX_RSS_BYTES = 400 * 1024 * 1024;
const MAX_STREAM_EVENTS = 20_000;
/** The burst is larger than a stream's limit, so the first stream of a site meets the event limit first… */
const SITE_BURST = 25_000;
/** …and a second stream soon meets the rate limit: 100 events/s cannot refill 20,000 events quickly. */
const SITE_RATE = 100;
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

let pool: Pool;
let child: ChildProcess | undefined;
let opsPort: number;
let address: string;

async function startIngestProcess(port: number, ops: number): Promise<ChildProcess> {
  const process_ = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "services/ingest/src/main.ts"], {
    env: {
      ...process.env,
      HUB_MODE: "test",
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: infra().brokers.join(","),
      DATABASE_URL: infra().databaseUrl,
      INGEST_HOST: "127.0.0.1",
      INGEST_PORT: String(port),
      INGEST_OPS_PORT: String(ops),
      INGEST_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
      INGEST_MAX_STREAM_EVENTS: String(MAX_STREAM_EVENTS),
      INGEST_SITE_RATE: String(SITE_RATE),
      INGEST_SITE_BURST: String(SITE_BURST),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await whenReady(process_, ops, 90_000);
  return process_;
}

/** Peak and current resident set size of a process, from /proc (Linux). */
async function memoryOf(pid: number): Promise<{ peak: number; current: number }> {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN);
  return { peak: kib("VmHWM") * 1024, current: kib("VmRSS") * 1024 };
}

type RawStreamClient = Client & {
  streamRaw(
    metadata: Metadata,
    callback: (error: ServiceError | null, response: Buffer | undefined) => void,
  ): ClientWritableStream<Buffer>;
};

/** A client that sends pre-encoded bytes, as a hostile device would. */
function rawStreamClient(target: string): RawStreamClient {
  const identity = (value: Buffer) => value;
  const Raw = makeGenericClientConstructor(
    {
      streamRaw: {
        path: "/hub.v1.CameraIngestService/StreamDetections",
        requestStream: true,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    "Raw",
  );
  return new Raw(target, credentials.createInsecure(), {
    "grpc.max_send_message_length": 16 * 1024 * 1024,
  }) as unknown as RawStreamClient;
}

interface StreamEnd {
  error: ServiceError | null;
  messagesWritten: number;
  responseBytes: number;
}

/**
 * A hostile client: writes `next()` messages as fast as flow control allows until the server ends the call (or
 * `safetyCap` messages, far past every limit, so that a test without the fix ends instead of running forever).
 */
async function flood(token: string, next: () => Buffer, safetyCap: number): Promise<StreamEnd> {
  const client = rawStreamClient(address);
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  let ended: StreamEnd | undefined;
  let messagesWritten = 0;
  let markEnded: (end: StreamEnd) => void = () => undefined;
  const result = new Promise<StreamEnd>((resolve) => {
    markEnded = resolve;
  });
  const call = client.streamRaw(metadata, (error, response) => {
    ended = { error, messagesWritten, responseBytes: response?.length ?? 0 };
    markEnded(ended);
  });
  try {
    while (!ended && messagesWritten < safetyCap) {
      const flushed = call.write(next());
      messagesWritten += 1;
      if (!flushed && !ended) await Promise.race([once(call, "drain").catch(() => undefined), result]);
    }
    if (!ended) call.end();
    return await result;
  } finally {
    client.close();
  }
}

/** A message of 1,000 detections of which each carries a long (invalid) track id: close to the 4 MB limit. */
function maximalInvalidMessage(cameraId: string): Buffer {
  const detections = Array.from({ length: 1000 }, () =>
    newDetection(cameraId, { trackId: "x".repeat(Math.floor(MAX_MESSAGE_BYTES / 1000) - 400) }),
  );
  const bytes = Buffer.from(StreamDetectionsRequest.encode({ detections }).finish());
  expect(bytes.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  expect(bytes.length).toBeGreaterThan(MAX_MESSAGE_BYTES * 0.85);
  return bytes;
}

/** A message of 1,000 valid, fresh detections: every one is published to Kafka. */
function validMessage(cameraId: string): Buffer {
  const detections: Detection[] = Array.from({ length: 1000 }, () => newDetection(cameraId));
  return Buffer.from(StreamDetectionsRequest.encode({ detections }).finish());
}

/** The sum of a counter over the series that carry `labels`. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split("\n")
    .filter((candidate) => candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

beforeAll(async () => {
  pool = await migratedPool();
  const port = await freePort();
  opsPort = await freePort();
  address = `127.0.0.1:${port}`;
  child = await startIngestProcess(port, opsPort);
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  await pool?.end();
});

describe("ingest under a hostile device (finding 2)", () => {
  it("ends endless streams of maximal messages with RESOURCE_EXHAUSTED, within a bounded RSS, while another site keeps publishing", async () => {
    const pid = child?.pid as number;
    const good = await createDevice(pool);
    const hostile = await createDevice(pool);
    const hostileValid = await createDevice(pool);
    const gateway = new IngestGateway({ address, timeoutMs: 60_000 });
    const goodCamera = newCamera();
    const hostileCamera = newCamera();
    const hostileValidCamera = newCamera();
    await gateway.registerCamera(good.token, goodCamera);
    await gateway.registerCamera(hostile.token, hostileCamera);
    await gateway.registerCamera(hostileValid.token, hostileValidCamera);
    const before = await memoryOf(pid);

    // The other site publishes one detection after another for as long as the attack lasts; every one must pass.
    let attacking = true;
    const goodOutcomes: PublishOutcome[] = [];
    const goodErrors: unknown[] = [];
    const goodSite = (async () => {
      while (attacking) {
        try {
          goodOutcomes.push(await gateway.publishDetection(good.token, newDetection(goodCamera.id)));
        } catch (error) {
          goodErrors.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // 1. Maximal messages (about 4 MB of 1,000 events, all rejected by validation) and maximal batches of valid
    //    events (all published to Kafka), both endless: each stream ends at the event limit.
    const hugeMessage = maximalInvalidMessage(hostileCamera.id);
    const [huge, valid] = await Promise.all([
      flood(hostile.token, () => hugeMessage, 200),
      flood(hostileValid.token, () => validMessage(hostileValidCamera.id), 200),
    ]);
    for (const end of [huge, valid]) {
      expect(end.error?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(end.error?.details).toMatch(new RegExp(`at most ${MAX_STREAM_EVENTS} events`));
      expect(end.error?.metadata.get("hub-handled")).toEqual([String(MAX_STREAM_EVENTS)]);
      // The server stopped reading: far fewer messages were written than the safety cap allows.
      expect(end.messagesWritten).toBeLessThan(200);
    }
    expect(huge.error?.metadata.get("hub-rejected")).toEqual([String(MAX_STREAM_EVENTS)]);
    expect(valid.error?.metadata.get("hub-accepted")).toEqual([String(MAX_STREAM_EVENTS)]);

    // 2. The same sites open a new stream: their buckets hold about 5,000 events (25,000 − 20,000, plus 100/s),
    //    so the rate limit ends it, with a retry hint, and refuses their unary calls too.
    const [hugeAgain, validAgain] = await Promise.all([
      flood(hostile.token, () => hugeMessage, 200),
      flood(hostileValid.token, () => validMessage(hostileValidCamera.id), 200),
    ]);
    for (const end of [hugeAgain, validAgain]) {
      expect(end.error?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(end.error?.details).toMatch(/rate limit/);
      expect(Number(end.error?.metadata.get(RETRY_AFTER_METADATA)[0])).toBeGreaterThan(0);
      expect(Number(end.error?.metadata.get("hub-handled")[0])).toBeLessThan(MAX_STREAM_EVENTS);
    }
    // Its bucket holds less than a message's worth now; 2,000 unary calls at once cannot all pass.
    const unary = await Promise.allSettled(
      Array.from({ length: 2000 }, () =>
        gateway.publishDetection(hostileValid.token, newDetection(hostileValidCamera.id)),
      ),
    );
    const refusals = unary.flatMap((outcome) =>
      outcome.status === "rejected" ? [outcome.reason as ServiceError] : [],
    );
    const rateLimited = refusals.filter((error) => error.code === status.RESOURCE_EXHAUSTED);
    expect(rateLimited.length).toBeGreaterThan(0);
    expect(rateLimited[0]?.details).toMatch(/rate limit/);
    expect(Number(rateLimited[0]?.metadata.get(RETRY_AFTER_METADATA)[0])).toBeGreaterThan(0);

    const after = await memoryOf(pid);
    attacking = false;
    await goodSite;
    gateway.close();

    // The other site was never refused and kept publishing during the whole attack.
    expect(goodErrors).toEqual([]);
    expect(goodOutcomes.length).toBeGreaterThan(0);
    expect(new Set(goodOutcomes)).toEqual(new Set([PublishOutcome.PUBLISH_OUTCOME_ACCEPTED]));
    // Bounded memory: the peak RSS of the whole run, attack included, stays under the stated bound.
    console.log(
      `ingest RSS before the attack ${Math.round(before.current / 2 ** 20)} MiB, peak ${Math.round(after.peak / 2 ** 20)} MiB (bound ${MAX_RSS_BYTES / 2 ** 20} MiB); good site published ${goodOutcomes.length}`,
    );
    expect(after.peak).toBeLessThan(MAX_RSS_BYTES);

    // The refusals are counted.
    expect(await metric("hub_ingest_limit_refusals_total", { limit: "stream_events" })).toBeGreaterThanOrEqual(2);
    expect(await metric("hub_ingest_limit_refusals_total", { limit: "site_rate" })).toBeGreaterThanOrEqual(3);
  }, 400_000);

  it("bounds a long stream's summary: only events not accepted are listed, capped, with the count of the rest", async () => {
    const site = await createDevice(pool);
    const gateway = new IngestGateway({ address, timeoutMs: 60_000 });
    const camera = newCamera();
    await gateway.registerCamera(site.token, camera);
    // 15 messages of 1,000 detections, one in ten invalid: 15,000 events, 1,500 rejections, 1,000 listed.
    const client = rawStreamClient(address);
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${site.token}`);
    const response = await new Promise<Buffer>((resolve, reject) => {
      const call = client.streamRaw(metadata, (error: ServiceError | null, bytes: Buffer | undefined) =>
        error || !bytes ? reject(error) : resolve(bytes),
      );
      for (let message = 0; message < 15; message += 1) {
        const detections = Array.from({ length: 1000 }, (_, i) =>
          newDetection(camera.id, i % 10 === 0 ? { confidence: 2 } : {}),
        );
        call.write(Buffer.from(StreamDetectionsRequest.encode({ detections }).finish()));
      }
      call.end();
    });
    client.close();
    gateway.close();
    const summary = StreamDetectionsResponse.decode(response).summary;
    expect(summary).toMatchObject({ accepted: 13_500, rejected: 1500, duplicates: 0, omittedResults: 14_000 });
    expect(summary?.results).toHaveLength(1000);
    expect(summary?.results.every((result) => result.outcome === PublishOutcome.PUBLISH_OUTCOME_REJECTED)).toBe(true);
    expect(summary?.results.map((result) => result.index).slice(0, 3)).toEqual([0, 10, 20]);
    expect(response.length).toBeLessThan(200 * 1024);
  }, 300_000);
});
