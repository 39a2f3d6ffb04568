import { createLogger, H3_PARTITION_RESOLUTION, h3Cell, macaoLandPath, Region, topics } from "@hub/common";
import { type Detection, DetectionRecord } from "@hub/proto";
import { buildCameras, IngestGateway, noEffects, Traffic } from "@hub/simulator";
import { cellToParent } from "h3-js";
import { Partitioners } from "kafkajs";
import { describeRun, progress, type RunFigures, startBenchHub, startBenchService } from "./support.js";

const total = Number(process.env.BENCH_DETECTIONS ?? 200_000);
const batch = Number(process.env.BENCH_BATCH ?? 500);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Parallel idempotent producers, for ingest (KAFKA_PRODUCER_LANES) and for the raw baseline alike. */
const lanes = Number(process.env.BENCH_LANES ?? 4);
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);

/**
 * `--brokers 3` measures against a replicated three-node cluster (replication factor 3, min.insync.replicas 2, so
 * every acknowledgement waits for a second broker); `--brokers 1,3` measures both, one after the other, and prints
 * them side by side. Default: one broker. Also BENCH_BROKERS.
 */
function brokerCounts(argv: string[]): number[] {
  const index = argv.indexOf("--brokers");
  const value =
    index >= 0
      ? argv[index + 1]
      : (argv.find((arg) => arg.startsWith("--brokers="))?.slice(10) ?? process.env.BENCH_BROKERS);
  const counts = (value ?? "1").split(",").map(Number);
  if (counts.some((count) => !Number.isInteger(count) || count < 1 || count > 7)) {
    throw new Error(`--brokers takes node counts from 1 to 7, e.g. "3" or "1,3"; got "${value}"`);
  }
  return counts;
}

interface Measured {
  nodes: number;
  ingest: ReturnType<typeof describeRun>;
  raw: ReturnType<typeof describeRun>;
}

async function main() {
  const counts = brokerCounts(process.argv.slice(2));
  if (counts.length > 1 && process.env.KAFKA_BROKERS)
    throw new Error("--brokers with several counts starts its own clusters; unset KAFKA_BROKERS");
  const results: Measured[] = [];
  for (const nodes of counts) results.push(await measure(nodes));
  const row = (r: ReturnType<typeof describeRun>) =>
    `${r.label.padEnd(30)} ${r.rate.toFixed(0).padStart(10)} det/s   ack p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms`;
  console.log(
    `\nbench:ingest — ${total} detections each way; ingest: ${concurrency} concurrent gRPC streams of ${batch}-detection batches; raw: ${lanes} idempotent kafkajs producers, batches of ~${batch}; both acks=all, ${lanes} producer lane(s); latency = per batch`,
  );
  for (const result of results) {
    const cluster =
      result.nodes === 1
        ? "1 broker (replication factor 1)"
        : `${result.nodes} brokers (replication factor ${Math.min(3, result.nodes)}, min.insync.replicas ${result.nodes >= 3 ? 2 : 1})`;
    console.log(`\n${cluster}`);
    console.log(row(result.ingest));
    console.log(row(result.raw));
    console.log(
      `ratio (ingest / raw): ${(result.ingest.rate / result.raw.rate).toFixed(2)}   goal ≥ 0.50 and ≥ 20000 det/s`,
    );
  }
  const [first, ...others] = results;
  for (const other of others) {
    if (!first) break;
    console.log(
      `\n${other.nodes} brokers / ${first.nodes} broker${first.nodes > 1 ? "s" : ""}: ingest ${(other.ingest.rate / first.ingest.rate).toFixed(2)}, raw ${(other.raw.rate / first.raw.rate).toFixed(2)}`,
    );
  }
}

async function measure(nodes: number): Promise<Measured> {
  log(`Kafka: ${nodes === 1 ? "one broker" : `a cluster of ${nodes} nodes`}`);
  const hub = await startBenchHub("hub-bench-", log, logger, { kafkaNodes: nodes });
  const { kafka, siteId, token, cleanups } = hub;
  try {
    await startBenchService(hub, {
      name: "ingest",
      opsPort: 9564,
      env: {
        INGEST_HOST: "127.0.0.1",
        INGEST_PORT: "50151",
        INGEST_OPS_PORT: "9564",
        KAFKA_PRODUCER_LANES: String(lanes),
        // The bench measures the service's capacity from one site, not the per-site rate limit.
        INGEST_SITE_RATE: "1000000000",
        INGEST_SITE_BURST: "1000000000",
      },
      nodeArgs: process.env.BENCH_INGEST_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
      log,
    });
    const gateway = new IngestGateway({ address: "127.0.0.1:50151", timeoutMs: 60_000 });
    cleanups.unshift(async () => gateway.close());

    log("registering 1,701 cameras…");
    const cameras = buildCameras(Region.fromFile(macaoLandPath), 1701, 853).map((camera) => ({ ...camera, siteId }));
    for (let index = 0; index < cameras.length; index += 50) {
      await Promise.all(cameras.slice(index, index + 50).map((camera) => gateway.registerCamera(token, camera)));
    }

    const traffic = new Traffic(7);
    const makeDetections = (count: number): Detection[] =>
      Array.from({ length: count }, (_, index) =>
        traffic.detection(cameras[index % cameras.length] as (typeof cameras)[number], new Date(), noEffects),
      );

    // The baseline sends exactly what the ingest service would write: the same record bytes and keys.
    const placement = new Map(
      cameras.map((camera) => {
        const cell = h3Cell(camera.position?.lat ?? 0, camera.position?.lon ?? 0);
        return [camera.id, { cell, key: cellToParent(cell, H3_PARTITION_RESOLUTION), camera }];
      }),
    );
    const producers = Array.from({ length: lanes }, () =>
      kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }),
    );
    for (const producer of producers) {
      await producer.connect();
      cleanups.unshift(() => producer.disconnect());
    }

    const runIngest = async (detections: Detection[], label: string): Promise<RunFigures> => {
      const batches: Detection[][] = [];
      for (let index = 0; index < detections.length; index += batch)
        batches.push(detections.slice(index, index + batch));
      const latencies: number[] = [];
      let next = 0;
      let accepted = 0;
      const started = performance.now();
      const worker = async () => {
        while (next < batches.length) {
          const chunk = batches[next] as Detection[];
          next += 1;
          const sent = performance.now();
          const summary = await gateway.streamDetections(token, [chunk]);
          latencies.push(performance.now() - sent);
          accepted += summary.accepted;
          progress(label, Math.min(next * batch, detections.length), detections.length);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      if (accepted !== detections.length) throw new Error(`ingest accepted ${accepted} of ${detections.length}`);
      return { label, events: accepted, seconds: (performance.now() - started) / 1000, latenciesMs: latencies };
    };

    const runRaw = async (detections: Detection[], label: string): Promise<RunFigures> => {
      const latencies: number[] = [];
      const started = performance.now();
      // The same work per message as ingest (build the record with its context, encode), then each lane sends its
      // share of every round in batches, one request in flight per lane, keys fixed to lanes as ingest does.
      const laneOfKey = (key: string) =>
        [...key].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7) % lanes;
      for (let index = 0; index < detections.length; index += batch * lanes) {
        const round = detections.slice(index, index + batch * lanes).map((detection) => {
          const where = placement.get(detection.cameraId);
          const value = DetectionRecord.encode({
            detection,
            context: {
              ingestedAt: new Date(),
              siteId,
              position: where?.camera.position,
              district: where?.camera.district ?? "",
              h3Cell: where?.cell ?? "",
            },
          }).finish();
          return {
            key: where?.key ?? "",
            value: Buffer.from(value),
            headers: { "hub-type": "hub.v1.DetectionRecord", "hub-event-id": detection.eventId },
          };
        });
        await Promise.all(
          producers.map(async (producer, lane) => {
            const messages = round.filter((message) => laneOfKey(message.key) === lane);
            if (messages.length === 0) return;
            const sent = performance.now();
            await producer.sendBatch({ acks: -1, topicMessages: [{ topic: topics.detections.name, messages }] });
            latencies.push(performance.now() - sent);
          }),
        );
        progress(label, Math.min(index + batch * lanes, detections.length), detections.length);
      }
      return {
        label,
        events: detections.length,
        seconds: (performance.now() - started) / 1000,
        latenciesMs: latencies,
      };
    };

    log("warming up…");
    await runIngest(makeDetections(20_000), "warm-up ingest");
    await runRaw(makeDetections(20_000), "warm-up raw");

    log(`measuring ${total} detections each way (batches of ${batch}, ${concurrency} concurrent streams)…`);
    // Interleave the two sides in halves so that a slow patch of the machine hits both.
    const halves = [Math.floor(total / 2), total - Math.floor(total / 2)];
    const ingestRuns: RunFigures[] = [];
    const rawRuns: RunFigures[] = [];
    for (const half of halves) {
      ingestRuns.push(await runIngest(makeDetections(half), "gRPC ingest"));
      rawRuns.push(await runRaw(makeDetections(half), "raw kafkajs"));
    }
    const merge = (runs: RunFigures[], label: string): RunFigures => ({
      label,
      events: runs.reduce((sum, run) => sum + run.events, 0),
      seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
      latenciesMs: runs.flatMap((run) => run.latenciesMs),
    });
    return {
      nodes,
      ingest: describeRun(merge(ingestRuns, "gRPC ingest → Kafka")),
      raw: describeRun(merge(rawRuns, "raw kafkajs producer → Kafka")),
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
