/**
 * npm run bench:correlate — events/s from Kafka into TimescaleDB through the correlator, side by side in the same
 * run with the same rows inserted straight into a twin table of the same database (the ratios are the figures that
 * matter): with the correlator's `INSERT … SELECT * FROM unnest(…)`, and with the best bulk path the database
 * offers, a binary COPY into a staging table then `INSERT … SELECT … ON CONFLICT DO NOTHING` (skipped on the embedded
 * database, which refuses COPY FROM STDIN). Then end-to-end lag from the ingest ack to the row being queryable, at
 * steady rates. Where the correlator's time went, per batch, comes from its own metrics.
 *
 * Environment: BENCH_EVENTS (throughput phase, default 100000), BENCH_RATES (lag phase, default "1000,5000"),
 * BENCH_LAG_SECONDS (per rate, default 20), KAFKA_BROKERS / DATABASE_URL to use existing infrastructure; the
 * correlator's own variables (e.g. CORRELATOR_INSERT_METHOD) pass through.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createLogger, h3Cell, headers, macaoLandPath, type Pool, type PoolClient, Region, topics } from "@hub/common";
import {
  copySupported,
  type DetectionRow,
  decodeRecord,
  insertDetections,
  prepareDetectionCopy,
} from "@hub/correlator";
import { findRepoRoot, startService, waitFor } from "@hub/infra";
import { type Detection, DetectionRecord } from "@hub/proto";
import { buildCameras, IngestGateway, noEffects, Traffic } from "@hub/simulator";
import { Partitioners } from "kafkajs";
import { describeEngine, engineLine } from "./engine.js";
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
    const engine = await describeEngine(pool, kafka, process.env.KAFKA_BROKERS === undefined);
    log(engineLine(engine));
    const repo = findRepoRoot(process.cwd());
    await startBenchService(hub, {
      name: "ingest",
      opsPort: 9574,
      // One site drives every camera here: its rate limit (2,000/s by default) must not cap the 5,000/s run.
      env: { INGEST_HOST: "127.0.0.1", INGEST_PORT: "50161", INGEST_OPS_PORT: "9574", INGEST_SITE_RATE: "100000" },
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
    // The detections topic's end offsets before and after the backlog: the correlator has stored the backlog when
    // its group's committed offsets (kept in the database, in the same transaction as the rows) reach the second.
    const admin = kafka.admin();
    await admin.connect();
    const endOffsets = async () =>
      (await admin.fetchTopicOffsets(topics.detections.name)).reduce((sum, { offset }) => sum + Number(offset), 0);
    const backlogStart = await endOffsets();
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
    const backlogEnd = await endOffsets();
    await admin.disconnect();

    const groupId = `bench-${randomUUID().slice(0, 8)}`;
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
        CORRELATOR_GROUP_ID: groupId,
      },
      logDir: join(dir, "logs"),
      echo: log,
      nodeArgs: process.env.BENCH_CORRELATOR_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
    });
    cleanups.unshift(() => correlator.stop());
    const profiles: { label: string; profile: WriterProfile }[] = [];
    let profileMark = emptyProfile();
    const takeProfile = async (label: string) => {
      await waitFor("the correlator's metrics", async () => (await fetch(METRICS_URL)).ok, log, 60_000);
      const now = await writerProfile();
      profiles.push({ label, profile: subtract(now, profileMark) });
      profileMark = now;
    };
    const count = async () =>
      (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM detections WHERE site_id = $1", [siteId]))
        .rows[0]?.n ?? 0;
    // Polled on the group's few offset rows, not with a count(*) over the detections: on the embedded database,
    // which runs one transaction at a time, that count stalled the correlator's own transactions while it ran.
    const consumed = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            "SELECT coalesce(sum(next_offset), 0)::text AS n FROM consumer_offsets WHERE group_id = $1 AND topic = $2",
            [groupId, topics.detections.name],
          )
        ).rows[0]?.n ?? 0,
      );
    await waitFor(
      "the correlator to store the backlog",
      async () => {
        const offset = await consumed();
        progress("correlating", Math.max(0, Math.min(offset, backlogEnd) - backlogStart), backlogEnd - backlogStart);
        return offset >= backlogEnd;
      },
      log,
      600_000,
    );
    const stored = await count();
    if (stored !== total) throw new Error(`the correlator stored ${stored} of the ${total} backlog rows`);
    // The window between the first and the last transaction that stored a bench row.
    const span = await pool.query<{ seconds: number }>(
      "SELECT extract(epoch FROM max(stored_at) - min(stored_at))::float8 AS seconds FROM detections WHERE site_id = $1",
      [siteId],
    );
    const correlatorSeconds = span.rows[0]?.seconds ?? Number.NaN;
    await takeProfile(`backlog of ${total}`);
    log(`correlator: ${(total / correlatorSeconds).toFixed(0)} rows/s`);

    // The baselines: the same rows, already decoded, inserted into a twin table in batches of the same size, each
    // batch in its own transaction; first with the correlator's unnest statement, then with COPY.
    const rows = values
      .map((value) => decodeRecord(topics.detections.name, value))
      .map((event) => (event.kind === "detection" ? event.row : undefined))
      .filter((row) => row !== undefined);
    const rawSeconds = await timedTwinInsert(pool, "detections_bench_raw", rows, "raw unnest", (client, chunk, table) =>
      insertDetections(client, chunk, table),
    );
    log(`raw unnest: ${(total / rawSeconds).toFixed(0)} rows/s`);
    // The embedded database refuses COPY FROM STDIN over its socket (SQLSTATE 0A000): no COPY line there.
    const copy = await copySupported(pool);
    const copySeconds = copy.supported
      ? await timedTwinInsert(pool, "detections_bench_copy", rows, "raw COPY", (client, chunk, table) =>
          insertDetections(client, chunk, table, "copy"),
        )
      : undefined;
    if (copySeconds !== undefined) log(`raw COPY: ${(total / copySeconds).toFixed(0)} rows/s`);

    // Phase 2: steady rates through ingest; lag from the ack to the row being visible to a query.
    const lagRows: string[] = [];
    for (const rate of rates) {
      const acked = new Map<string, number>();
      const lags: number[] = [];
      const unseen = new Set<string>();
      const tickMs = 100;
      const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
      const end = Date.now() + lagSeconds * 1000;
      const phaseStart = new Date(Date.now() - 60_000);
      let sent = 0;
      let lastAck = Date.now();
      let sending = true;
      const inFlight: Promise<unknown>[] = [];
      // Until every acknowledged event is seen, or 30 s after the last acknowledgement.
      const poller = (async () => {
        while (Date.now() < Math.max(end, lastAck) + 30_000 && (sending || unseen.size > 0)) {
          if (unseen.size > 0) {
            const ids = [...unseen].slice(0, 20_000);
            // A row this statement finds was committed before the statement's snapshot, taken when it started: the
            // lag ends there, not when the answer is back (the query's own duration is not the correlator's lag).
            const polled = Date.now();
            const found = await pool.query<{ event_id: string }>(
              // By the unique index (site_id, event_id, observed_at): by event id alone the poller scanned every
              // stored detection each 50 ms, competing with the correlator for the database it measures.
              "SELECT event_id FROM detections WHERE site_id = $2 AND event_id = ANY($1) AND observed_at >= $3",
              [ids, siteId, phaseStart],
            );
            for (const { event_id } of found.rows) {
              const at = acked.get(event_id);
              if (at !== undefined) lags.push(polled - at);
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
        const acknowledged = gateway.streamDetections(token, [batch]).then(() => {
          const now = Date.now();
          lastAck = now;
          for (const item of batch) {
            acked.set(item.eventId, now);
            unseen.add(item.eventId);
          }
        });
        // Rethrown by Promise.all below: unhandled here, a refusal killed the process before the cleanups ran
        // (leaving the bench's Kafka broker running).
        acknowledged.catch(() => undefined);
        inFlight.push(acknowledged);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - tickStart))));
      }
      await Promise.all(inFlight);
      sending = false;
      await poller;
      const sorted = [...lags].sort((a, b) => a - b);
      const third = Math.floor(lags.length / 3);
      const early = [...lags.slice(0, third)].sort((a, b) => a - b);
      const late = [...lags.slice(-third)].sort((a, b) => a - b);
      lagRows.push(
        `${String(rate).padStart(6)} ev/s for ${lagSeconds} s: lag p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms  p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms   first third p50/p99 ${percentile(early, 50).toFixed(0)}/${percentile(early, 99).toFixed(0)} ms, last third ${percentile(late, 50).toFixed(0)}/${percentile(late, 99).toFixed(0)} ms   (${lags.length}/${acked.size}/${sent} seen/acked/sent; last ack ${((lastAck - end) / 1000).toFixed(1)} s after the last send)`,
      );
      await takeProfile(`${rate} ev/s`);
      log(lagRows.at(-1) ?? "");
    }

    const correlatorRate = total / correlatorSeconds;
    const rawRate = total / rawSeconds;
    const goal = engine.embedded ? 0.85 : 0.9;
    console.log(
      `\nbench:correlate — ${total} detections backlog; baselines: the same rows into a twin table, batches of ${RAW_BATCH}, same database`,
    );
    console.log(engineLine(engine));
    console.log(`correlator  Kafka → TimescaleDB   ${correlatorRate.toFixed(0).padStart(8)} rows/s`);
    console.log(`raw unnest  INSERT … unnest       ${rawRate.toFixed(0).padStart(8)} rows/s`);
    if (copySeconds !== undefined) {
      const copyRate = total / copySeconds;
      console.log(`raw COPY    binary COPY → staging, INSERT … SELECT ${copyRate.toFixed(0).padStart(8)} rows/s`);
      console.log(
        `ratio (correlator / raw unnest): ${(correlatorRate / rawRate).toFixed(2)}   goal ≥ ${goal.toFixed(2)}; (correlator / raw COPY): ${(correlatorRate / copyRate).toFixed(2)}`,
      );
    } else {
      console.log(
        `raw COPY    skipped here: the embedded database does not support COPY FROM STDIN over its socket (${copy.reason})`,
      );
      console.log(
        `ratio (correlator / raw unnest): ${(correlatorRate / rawRate).toFixed(2)}   goal ≥ ${goal.toFixed(2)}`,
      );
    }
    console.log(
      "end-to-end lag, ingest ack → row queryable (goal: p99 ≤ 250 ms at 5000 ev/s, last third no worse than the first):",
    );
    for (const row of lagRows) console.log(`  ${row}`);
    console.log("correlator transactions (from its metrics; averages per transaction):");
    for (const { label, profile } of profiles) console.log(`  ${describeProfile(label, profile)}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

const RAW_BATCH = 5000;
const METRICS_URL = "http://127.0.0.1:9575/metrics";

/**
 * Inserts `rows` into a fresh twin of detections (same columns, defaults, indexes, hypertable) in batches of
 * RAW_BATCH, each in its own transaction on one connection; returns the seconds it took. The twin is dropped after.
 */
async function timedTwinInsert(
  pool: Pool,
  table: string,
  rows: DetectionRow[],
  label: string,
  insert: (client: PoolClient, chunk: DetectionRow[], table: string) => Promise<unknown>,
): Promise<number> {
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.query(`CREATE TABLE ${table} (LIKE detections INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await pool.query(`SELECT create_hypertable('${table}', by_range('observed_at', INTERVAL '1 hour'))`);
  const client = await pool.connect();
  try {
    await prepareDetectionCopy(client, table);
    const started = performance.now();
    for (let index = 0; index < rows.length; index += RAW_BATCH) {
      await client.query("BEGIN");
      await insert(client, rows.slice(index, index + RAW_BATCH), table);
      await client.query("COMMIT");
      progress(label, Math.min(index + RAW_BATCH, rows.length), rows.length);
    }
    return (performance.now() - started) / 1000;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

/** The writer's totals so far: transactions, partition batches and messages they took, statements, seconds per step. */
interface WriterProfile {
  transactions: number;
  batches: number;
  messages: number;
  statements: number;
  seconds: Map<string, number>;
}

function emptyProfile(): WriterProfile {
  return { transactions: 0, batches: 0, messages: 0, statements: 0, seconds: new Map() };
}

async function writerProfile(): Promise<WriterProfile> {
  const text = await (await fetch(METRICS_URL)).text();
  const profile = emptyProfile();
  for (const line of text.split("\n")) {
    const match = /^(hub_correlator_[a-z_]+)(?:\{([^}]*)\})? ([-0-9.e+]+)$/.exec(line);
    if (!match) continue;
    const [, name, labels = "", raw] = match;
    const value = Number(raw);
    if (name === "hub_correlator_transaction_statements_count") profile.transactions += value;
    else if (name === "hub_correlator_transaction_statements_sum") profile.statements += value;
    else if (name === "hub_correlator_transaction_batches_sum") profile.batches += value;
    else if (name === "hub_correlator_transaction_messages_total") profile.messages += value;
    else if (name === "hub_correlator_transaction_step_seconds_total") {
      const step = /step="([^"]+)"/.exec(labels)?.[1] ?? "?";
      profile.seconds.set(step, (profile.seconds.get(step) ?? 0) + value);
    }
  }
  return profile;
}

function subtract(now: WriterProfile, before: WriterProfile): WriterProfile {
  const seconds = new Map<string, number>();
  for (const [step, value] of now.seconds) seconds.set(step, value - (before.seconds.get(step) ?? 0));
  return {
    transactions: now.transactions - before.transactions,
    batches: now.batches - before.batches,
    messages: now.messages - before.messages,
    statements: now.statements - before.statements,
    seconds,
  };
}

function describeProfile(label: string, profile: WriterProfile): string {
  const per = (value: number) => (profile.transactions > 0 ? value / profile.transactions : Number.NaN);
  const steps = [...profile.seconds].map(([step, seconds]) => `${step} ${(per(seconds) * 1000).toFixed(1)}`).join(", ");
  return `${label}: ${profile.transactions} transactions of ${per(profile.batches).toFixed(1)} partition batches, ${per(profile.messages).toFixed(0)} messages, ${per(profile.statements).toFixed(1)} statements; ms: ${steps}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
