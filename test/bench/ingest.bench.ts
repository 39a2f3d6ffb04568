import {
  createLogger,
  H3_PARTITION_RESOLUTION,
  h3Cell,
  loadPlatformaticKafka,
  macaoLandPath,
  Region,
  topics,
} from "@hub/common";
import { bundledKafkaVersion, type ProducerPerfResult, runProducerPerformance } from "@hub/infra";
import { type Detection, DetectionRecord } from "@hub/proto";
import { buildCameras, IngestGateway, noEffects, Traffic } from "@hub/simulator";
import { cellToParent } from "h3-js";
import kafkajs, { type Kafka, Partitioners } from "kafkajs";
import { describeRun, progress, type RunFigures, startBenchHub, startBenchService } from "./support.js";

// kafkajs is CommonJS: Node's ESM loader finds only some of its named exports, not this one.
const { ConfigResourceTypes } = kafkajs;

const total = Number(process.env.BENCH_DETECTIONS ?? 200_000);
const batch = Number(process.env.BENCH_BATCH ?? 500);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Parallel idempotent producers, for ingest (KAFKA_PRODUCER_LANES) and for the raw baseline alike. */
const lanes = Number(process.env.BENCH_LANES ?? 4);
/** The hub producer's defaults (services/ingest config), which the Java producer is given too. */
const lingerMs = 5;
const maxBatchMessages = 1000;
/** The ingest service's Kafka client (KAFKA_PRODUCER_CLIENT): kafkajs, or platformatic to measure the hub with it. */
const hubClient = process.env.BENCH_HUB_CLIENT ?? "kafkajs";
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

interface Engine {
  kafka: string;
  brokers: number;
  replicationFactor: number;
  minInsyncReplicas: string;
}

interface Measured {
  nodes: number;
  engine: Engine;
  recordBytes: number;
  ingest: ReturnType<typeof describeRun>;
  raw: ReturnType<typeof describeRun>;
  platformatic: ReturnType<typeof describeRun>;
  java: ProducerPerfResult;
}

async function main() {
  const counts = brokerCounts(process.argv.slice(2));
  if (counts.length > 1 && process.env.KAFKA_BROKERS)
    throw new Error("--brokers with several counts starts its own clusters; unset KAFKA_BROKERS");
  const results: Measured[] = [];
  for (const nodes of counts) results.push(await measure(nodes));
  const row = (label: string, rate: number, latency: string) =>
    `${label.padEnd(40)} ${rate.toFixed(0).padStart(8)} det/s   ${latency}`;
  const perBatch = (r: ReturnType<typeof describeRun>) =>
    `per batch p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms`;
  console.log(
    `\nbench:ingest — ${total} detections each way; ingest: ${concurrency} concurrent gRPC streams of ${batch}-detection batches (KAFKA_PRODUCER_CLIENT=${hubClient}); raw kafkajs and raw @platformatic/kafka: ${lanes} idempotent producers each, batches of ~${batch}, one request in flight each; Java: one kafka-producer-perf-test producer; all acks=all with idempotence`,
  );
  for (const result of results) {
    const { engine, java } = result;
    console.log(
      `\nengine: Kafka ${engine.kafka}, ${engine.brokers} broker${engine.brokers > 1 ? "s" : ""}, ${topics.detections.name} replication factor ${engine.replicationFactor}, min.insync.replicas ${engine.minInsyncReplicas}; records of ${result.recordBytes} bytes (mean encoded DetectionRecord)`,
    );
    console.log(row(`gRPC ingest → Kafka (${hubClient})`, result.ingest.rate, perBatch(result.ingest)));
    console.log(row("raw kafkajs producer → Kafka", result.raw.rate, perBatch(result.raw)));
    console.log(
      row("raw @platformatic/kafka producer → Kafka", result.platformatic.rate, perBatch(result.platformatic)),
    );
    console.log(
      row(
        "Java producer (kafka-producer-perf-test)",
        java.recordsPerSecond,
        `per record p50 ${java.p50Ms.toFixed(1).padStart(6)} ms  p99 ${java.p99Ms.toFixed(1).padStart(6)} ms  (avg ${java.avgLatencyMs.toFixed(1)} ms)`,
      ),
    );
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    console.log(
      `ratios: ingest / raw kafkajs ${ratio(result.ingest.rate, result.raw.rate)}   ingest / Java ${ratio(result.ingest.rate, java.recordsPerSecond)}   raw kafkajs / Java ${ratio(result.raw.rate, java.recordsPerSecond)}   raw platformatic / raw kafkajs ${ratio(result.platformatic.rate, result.raw.rate)}   goal: ingest / raw kafkajs ≥ 0.90 and ≥ 25000 det/s`,
    );
  }
  const [first, ...others] = results;
  for (const other of others) {
    if (!first) break;
    console.log(
      `\n${other.nodes} brokers / ${first.nodes} broker${first.nodes > 1 ? "s" : ""}: ingest ${(other.ingest.rate / first.ingest.rate).toFixed(2)}, raw kafkajs ${(other.raw.rate / first.raw.rate).toFixed(2)}, raw platformatic ${(other.platformatic.rate / first.platformatic.rate).toFixed(2)}, Java ${(other.java.recordsPerSecond / first.java.recordsPerSecond).toFixed(2)}`,
    );
  }
  if (results[0]) console.log(`\nJava producer command (1st run): ${results[0].java.command}`);
}

/** What the bench ran on: the broker count and the detections topic's replication, as the cluster reports them. */
async function describeEngine(kafka: Kafka): Promise<Engine> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.detections.name] });
    const replicas = Math.min(...(metadata.topics[0]?.partitions ?? []).map((partition) => partition.replicas.length));
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topics.detections.name, configNames: ["min.insync.replicas"] },
      ],
    });
    const minIsr = configs.resources[0]?.configEntries.find((entry) => entry.configName === "min.insync.replicas");
    return {
      kafka: process.env.KAFKA_BROKERS ? "of KAFKA_BROKERS (version not known here)" : await bundledKafkaVersion(),
      brokers: cluster.brokers.length,
      replicationFactor: replicas,
      minInsyncReplicas: minIsr?.configValue ?? "?",
    };
  } finally {
    await admin.disconnect();
  }
}

async function measure(nodes: number): Promise<Measured> {
  log(`Kafka: ${nodes === 1 ? "one broker" : `a cluster of ${nodes} nodes`}`);
  const hub = await startBenchHub("hub-bench-", log, logger, { kafkaNodes: nodes });
  const { kafka, siteId, token, cleanups } = hub;
  try {
    const engine = await describeEngine(kafka);
    await startBenchService(hub, {
      name: "ingest",
      opsPort: 9564,
      env: {
        INGEST_HOST: "127.0.0.1",
        INGEST_PORT: "50151",
        INGEST_OPS_PORT: "9564",
        KAFKA_PRODUCER_LANES: String(lanes),
        KAFKA_PRODUCER_CLIENT: hubClient,
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
    // The same settings with the second client: idempotent (which implies acks=all), murmur2 partitions as Java's.
    const platformatic = await loadPlatformaticKafka();
    const platformaticProducers = Array.from(
      { length: lanes },
      () =>
        new platformatic.Producer({
          clientId: "bench-platformatic",
          bootstrapBrokers: hub.brokers,
          idempotent: true,
          acks: -1,
          autocreateTopics: false,
        }),
    );
    for (const producer of platformaticProducers) cleanups.unshift(() => producer.close());
    let recordBytes = 0;
    let recordCount = 0;
    const encodeRecords = (detections: Detection[]) =>
      detections.map((detection) => {
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
        recordBytes += value.byteLength;
        recordCount += 1;
        return {
          key: where?.key ?? "",
          value: Buffer.from(value),
          headers: { "hub-type": "hub.v1.DetectionRecord", "hub-event-id": detection.eventId },
        };
      });
    // Keys are fixed to lanes as ingest does (one lane per key keeps per-key order).
    const laneOfKey = (key: string) =>
      [...key].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7) % lanes;

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

    /**
     * The same work per message as ingest (build the record with its context, encode), then each lane sends its
     * share of every round in batches, one request in flight per lane, through `send`.
     */
    const runLanes = async (
      detections: Detection[],
      label: string,
      send: (lane: number, messages: ReturnType<typeof encodeRecords>) => Promise<unknown>,
    ): Promise<RunFigures> => {
      const latencies: number[] = [];
      const started = performance.now();
      for (let index = 0; index < detections.length; index += batch * lanes) {
        const round = encodeRecords(detections.slice(index, index + batch * lanes));
        await Promise.all(
          Array.from({ length: lanes }, async (_, lane) => {
            const messages = round.filter((message) => laneOfKey(message.key) === lane);
            if (messages.length === 0) return;
            const sent = performance.now();
            await send(lane, messages);
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

    const runRaw = (detections: Detection[], label: string) =>
      runLanes(detections, label, (lane, messages) =>
        (producers[lane] as (typeof producers)[number]).sendBatch({
          acks: -1,
          topicMessages: [{ topic: topics.detections.name, messages }],
        }),
      );

    const runPlatformatic = (detections: Detection[], label: string) =>
      runLanes(detections, label, (lane, messages) =>
        (platformaticProducers[lane] as (typeof platformaticProducers)[number]).send({
          messages: messages.map((message) => ({
            topic: topics.detections.name,
            key: Buffer.from(message.key),
            value: message.value,
            headers: new Map(
              Object.entries(message.headers).map(([name, value]) => [Buffer.from(name), Buffer.from(value)]),
            ),
          })),
          partitioner: platformatic.compatibilityPartitioner,
        }),
      );

    log("warming up…");
    await runIngest(makeDetections(20_000), "warm-up ingest");
    await runRaw(makeDetections(20_000), "warm-up raw");
    await runPlatformatic(makeDetections(20_000), "warm-up platformatic");

    log(`measuring ${total} detections each way (batches of ${batch}, ${concurrency} concurrent streams)…`);
    // Interleave the two sides in halves so that a slow patch of the machine hits both.
    const halves = [Math.floor(total / 2), total - Math.floor(total / 2)];
    const ingestRuns: RunFigures[] = [];
    const rawRuns: RunFigures[] = [];
    const platformaticRuns: RunFigures[] = [];
    for (const half of halves) {
      ingestRuns.push(await runIngest(makeDetections(half), "gRPC ingest"));
      rawRuns.push(await runRaw(makeDetections(half), "raw kafkajs"));
      platformaticRuns.push(await runPlatformatic(makeDetections(half), "raw platformatic"));
    }
    // Kafka's own benchmark: the same record size, a random key from as many keys as the cameras' partition keys,
    // linger and batch bytes as the hub's producer (a batch of up to maxBatchMessages records), acks=all, idempotent.
    const meanRecordBytes = Math.round(recordBytes / recordCount);
    const keys = new Set([...placement.values()].map((where) => where.key)).size;
    log(`Java producer: ${total} records of ${meanRecordBytes} bytes over ${keys} keys…`);
    const java = await runProducerPerformance({
      brokers: hub.brokers,
      topic: topics.detections.name,
      records: total,
      warmupRecords: 20_000,
      recordSizeBytes: meanRecordBytes,
      keyRange: keys,
      producerProperties: {
        acks: "all",
        "enable.idempotence": "true",
        "linger.ms": String(lingerMs),
        "batch.size": String(maxBatchMessages * meanRecordBytes),
        "compression.type": "none",
        "client.id": "bench-java",
      },
      log,
    });
    const merge = (runs: RunFigures[], label: string): RunFigures => ({
      label,
      events: runs.reduce((sum, run) => sum + run.events, 0),
      seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
      latenciesMs: runs.flatMap((run) => run.latenciesMs),
    });
    return {
      nodes,
      engine,
      recordBytes: meanRecordBytes,
      ingest: describeRun(merge(ingestRuns, "gRPC ingest → Kafka")),
      raw: describeRun(merge(rawRuns, "raw kafkajs producer → Kafka")),
      platformatic: describeRun(merge(platformaticRuns, "raw @platformatic/kafka producer → Kafka")),
      java,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
