/**
 * npm run bench:correlate — events/s from Kafka into TimescaleDB through the correlator, side by side in the same
 * run with a raw `INSERT … SELECT * FROM unnest(…)` of the same rows into the same database (the ratio is the
 * figure that matters), then end-to-end lag from the ingest ack to the row being queryable, at steady rates.
 *
 * Environment: BENCH_EVENTS (throughput phase, default 100000), BENCH_RATES (lag phase, default "1000,5000"),
 * BENCH_LAG_SECONDS (per rate, default 20), KAFKA_BROKERS / DATABASE_URL to use existing infrastructure.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createLogger, h3Cell, headers, macaoLandPath, Region, topics, withTransaction } from "@hub/common";
import { decodeRecord, insertDetections } from "@hub/correlator";
import { findRepoRoot, startService, waitFor } from "@hub/infra";
import { type Detection, DetectionRecord } from "@hub/proto";
import { buildCameras, IngestGateway, noEffects, Traffic } from "@hub/simulator";
import { Partitioners } from "kafkajs";
import { percentile, progress, startBenchHub, startBenchService } from "./support.js";

const total = Number(process.env.BENCH_EVENTS ?? 100_000);
const rates = (process.env.BENCH_RATES ?? "1000,5000").split(",").map(Number);
const lagSeconds = Number(process.env.BENCH_LAG_SECONDS ?? 20);
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);

async function main() {
  const hub = await startBenchHub("hub-bench-correlate-", log, logger);
  const { dir, brokers, databaseUrl, pool, kafka, siteId, token, cleanups } = hub;
  try {
    const repo = findRepoRoot(process.cwd());
    await startBenchService(hub, {
      name: "ingest",
      opsPort: 9574,
      env: { INGEST_HOST: "127.0.0.1", INGEST_PORT: "50161", INGEST_OPS_PORT: "9574" },
      log,
    });
    const gateway = new IngestGateway({ address: "127.0.0.1:50161", timeoutMs: 60_000 });
    cleanups.unshift(async () => gateway.close());
    // Spread over the city like the real network, so that rule look-ups see realistic neighbourhoods.
    const cameras = buildCameras(Region.fromFile(macaoLandPath), 300, 853);
    for (const camera of cameras) await gateway.registerCamera(token, camera);
    const traffic = new Traffic(11);
    const detection = (index: number): Detection =>
      traffic.detection(
        { ...(cameras[index % cameras.length] as (typeof cameras)[number]), siteId },
        new Date(),
        noEffects,
      );

    // Phase 1: a backlog of `total` records in Kafka, then the correlator drains it.
    log(`producing ${total} detection records…`);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const values: Buffer[] = [];
    for (let index = 0; index < total; index += 1) {
      const camera = cameras[index % cameras.length];
      values.push(
        Buffer.from(
          DetectionRecord.encode({
            detection: detection(index),
            context: {
              ingestedAt: new Date(),
              siteId,
              position: camera?.position,
              district: "Sé",
              h3Cell: h3Cell(camera?.position?.lat ?? 22.19, camera?.position?.lon ?? 113.54),
            },
          }).finish(),
        ),
      );
    }
    for (let index = 0; index < values.length; index += 2000) {
      await producer.send({
        topic: topics.detections.name,
        acks: -1,
        messages: values.slice(index, index + 2000).map((value, offset) => ({
          key: `k${(index + offset) % 64}`,
          value,
          headers: { [headers.type]: "hub.v1.DetectionRecord" },
        })),
      });
      progress("producing", Math.min(index + 2000, values.length), values.length);
    }
    await producer.disconnect();

    const correlator = startService({
      name: "correlator",
      script: join(repo, "services/correlator/dist/src/main.js"),
      env: {
        ...process.env,
        HUB_MODE: "test",
        LOG_LEVEL: "warn",
        KAFKA_BROKERS: brokers.join(","),
        DATABASE_URL: databaseUrl,
        CORRELATOR_HOST: "127.0.0.1",
        CORRELATOR_OPS_PORT: "9575",
        CORRELATOR_GROUP_ID: `bench-${randomUUID().slice(0, 8)}`,
      },
      logDir: join(dir, "logs"),
      echo: log,
      nodeArgs: process.env.BENCH_CORRELATOR_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
    });
    cleanups.unshift(() => correlator.stop());
    const count = async () =>
      (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM detections WHERE site_id = $1", [siteId]))
        .rows[0]?.n ?? 0;
    await waitFor(
      "the correlator to store the backlog",
      async () => {
        const stored = await count();
        progress("correlating", stored, total);
        return stored >= total;
      },
      log,
      600_000,
    );
    // The window between the first and the last transaction that stored a bench row.
    const span = await pool.query<{ seconds: number }>(
      "SELECT extract(epoch FROM max(stored_at) - min(stored_at))::float8 AS seconds FROM detections WHERE site_id = $1",
      [siteId],
    );
    const correlatorSeconds = span.rows[0]?.seconds ?? Number.NaN;

    // The baseline: the same rows, already decoded, inserted with the same unnest statement into a twin table.
    await pool.query("DROP TABLE IF EXISTS detections_bench_raw");
    await pool.query("CREATE TABLE detections_bench_raw (LIKE detections INCLUDING DEFAULTS INCLUDING INDEXES)");
    await pool.query("SELECT create_hypertable('detections_bench_raw', by_range('observed_at', INTERVAL '1 hour'))");
    const rows = values.map((value) => decodeRecord(topics.detections.name, value));
    const started = performance.now();
    const rawBatch = 5000;
    for (let index = 0; index < rows.length; index += rawBatch) {
      const chunk = rows
        .slice(index, index + rawBatch)
        .map((event) => (event.kind === "detection" ? event.row : undefined))
        .filter((row) => row !== undefined);
      // The same statement the correlator uses, into the twin table, in its own transaction.
      await withTransaction(pool, (client) => insertDetections(client, chunk, "detections_bench_raw"));
      progress("raw insert", Math.min(index + rawBatch, rows.length), rows.length);
    }
    const rawSeconds = (performance.now() - started) / 1000;
    await pool.query("DROP TABLE detections_bench_raw");

    // Phase 2: steady rates through ingest; lag from the ack to the row being visible to a query.
    const lagRows: string[] = [];
    for (const rate of rates) {
      const acked = new Map<string, number>();
      const lags: number[] = [];
      const unseen = new Set<string>();
      const tickMs = 100;
      const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
      const end = Date.now() + lagSeconds * 1000;
      let sent = 0;
      const inFlight: Promise<unknown>[] = [];
      const poller = (async () => {
        while (Date.now() < end + 30_000 && (Date.now() < end || unseen.size > 0)) {
          if (unseen.size > 0) {
            const ids = [...unseen].slice(0, 20_000);
            const found = await pool.query<{ event_id: string }>(
              "SELECT event_id FROM detections WHERE event_id = ANY($1)",
              [ids],
            );
            const now = Date.now();
            for (const { event_id } of found.rows) {
              const at = acked.get(event_id);
              if (at !== undefined) lags.push(now - at);
              unseen.delete(event_id);
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      while (Date.now() < end) {
        const tickStart = Date.now();
        const batch = Array.from({ length: perTick }, (_, index) => detection(sent + index));
        sent += batch.length;
        inFlight.push(
          gateway.streamDetections(token, [batch]).then(() => {
            const now = Date.now();
            for (const item of batch) {
              acked.set(item.eventId, now);
              unseen.add(item.eventId);
            }
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - tickStart))));
      }
      await Promise.all(inFlight);
      await poller;
      const sorted = [...lags].sort((a, b) => a - b);
      const third = Math.floor(lags.length / 3);
      const early = [...lags.slice(0, third)].sort((a, b) => a - b);
      const late = [...lags.slice(-third)].sort((a, b) => a - b);
      lagRows.push(
        `${String(rate).padStart(6)} ev/s for ${lagSeconds} s: lag p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms  p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms   first third p50 ${percentile(early, 50).toFixed(0)} ms, last third p50 ${percentile(late, 50).toFixed(0)} ms   (${lags.length}/${sent} seen)`,
      );
    }

    const correlatorRate = total / correlatorSeconds;
    const rawRate = total / rawSeconds;
    console.log(
      `\nbench:correlate — ${total} detections backlog; raw baseline: same rows, unnest INSERT, batches of ${rawBatch}, same database`,
    );
    console.log(`correlator  Kafka → TimescaleDB   ${correlatorRate.toFixed(0).padStart(8)} rows/s`);
    console.log(`raw unnest  insert only           ${rawRate.toFixed(0).padStart(8)} rows/s`);
    console.log(`ratio (correlator / raw): ${(correlatorRate / rawRate).toFixed(2)}   goal ≥ 0.70`);
    console.log("end-to-end lag, ingest ack → row queryable:");
    for (const row of lagRows) console.log(`  ${row}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
