import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createKafka,
  createPool,
  EVENT_PARTITIONS,
  ensureTopics,
  type Kafka,
  type Logger,
  migrate,
  type Pool,
  topicSpecs,
} from "@hub/common";
import { findRepoRoot, startEmbeddedDatabase, startKafka, startKafkaCluster, startService, waitFor } from "@hub/infra";
import { hashToken } from "@hub/ingest";

/** Shared helpers for the benchmarks: percentiles, progress, table output. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export interface RunFigures {
  label: string;
  events: number;
  seconds: number;
  latenciesMs: number[];
}

export function describeRun(run: RunFigures) {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  return {
    label: run.label,
    rate: run.events / run.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

export function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r  ${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stderr.write("\n");
}

export interface BenchHub {
  dir: string;
  brokers: string[];
  databaseUrl: string;
  pool: Pool;
  kafka: Kafka;
  /** A site with a device token, for publishing through ingest. */
  siteId: string;
  /** Replicas of the hub's topics (3 on a cluster of three or more nodes); the services must be told. */
  replicationFactor: number;
  /** The embedded database server's process id (for its memory), unless DATABASE_URL named another database. */
  dbPid?: number;
  token: string;
  /** Run in order at the end (newest first is already the order): stop what was started, remove the folder. */
  cleanups: (() => Promise<void>)[];
}

/**
 * What every benchmark starts from: Kafka and the embedded database in a fresh folder (or those KAFKA_BROKERS /
 * DATABASE_URL name), migrated, with the hub's topics and one device credential. With `kafka: false` no broker is
 * started or contacted: `brokers` is empty and any use of `kafka` fails ("brokers array is empty"). With
 * `kafkaNodes` > 1 a replicated cluster of that many nodes is started instead of one broker (topics at replication
 * factor 3, min.insync.replicas 2 from three nodes on).
 */
export async function startBenchHub(
  prefix: string,
  log: (message: string) => void,
  logger: Logger,
  options: { kafka?: boolean; kafkaNodes?: number } = {},
): Promise<BenchHub> {
  const withKafka = options.kafka ?? true;
  const kafkaNodes = options.kafkaNodes ?? 1;
  let replicationFactor = 1;
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const cleanups: (() => Promise<void>)[] = [async () => rm(dir, { recursive: true, force: true })];
  try {
    let brokers = withKafka ? process.env.KAFKA_BROKERS?.split(",") : [];
    if (!brokers && kafkaNodes > 1) {
      const cluster = await startKafkaCluster({ dataDir: join(dir, "kafka"), nodes: kafkaNodes, log, heapMb: 512 });
      cleanups.unshift(() => cluster.stop());
      brokers = cluster.brokers;
      replicationFactor = cluster.replication.replicationFactor;
    } else if (!brokers) {
      const broker = await startKafka({ dataDir: join(dir, "kafka"), port: 0, log, heapMb: 1024 });
      cleanups.unshift(() => broker.stop());
      brokers = broker.brokers;
    }
    let databaseUrl = process.env.DATABASE_URL;
    let dbPid: number | undefined;
    if (!databaseUrl) {
      const db = await startEmbeddedDatabase({ dataDir: join(dir, "db"), port: 0, log });
      cleanups.unshift(() => db.stop());
      databaseUrl = db.url;
      dbPid = db.pid;
    }
    const pool = createPool(databaseUrl, 2, logger);
    cleanups.unshift(() => pool.end());
    await migrate(pool, logger);
    const kafka = createKafka({ brokers, clientId: "bench" }, logger);
    if (withKafka)
      await ensureTopics(kafka, topicSpecs({ eventPartitions: EVENT_PARTITIONS, replicationFactor }), { logger });
    const siteId = `bench-${randomUUID().slice(0, 8)}`;
    const token = randomBytes(32).toString("base64url");
    await pool.query("INSERT INTO sites (id, name) VALUES ($1, $1)", [siteId]);
    await pool.query("INSERT INTO device_credentials (id, site_id, token_sha256) VALUES ($1, $2, $3)", [
      `cred-${siteId}`,
      siteId,
      hashToken(token),
    ]);
    return {
      dir,
      brokers,
      databaseUrl,
      pool,
      kafka,
      siteId,
      token,
      cleanups,
      replicationFactor,
      ...(dbPid ? { dbPid } : {}),
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

/**
 * One of the hub's services as a child process against the bench hub (test mode, warn logs), stopped by the hub's
 * cleanups; resolves once its /readyz answers.
 */
export async function startBenchService(
  hub: BenchHub,
  options: {
    name: "ingest" | "correlator" | "gateway" | "alerts";
    opsPort: number;
    env: Record<string, string>;
    nodeArgs?: string[];
    log: (message: string) => void;
  },
): Promise<void> {
  const service = startService({
    name: options.name,
    script: join(findRepoRoot(process.cwd()), `services/${options.name}/dist/src/main.js`),
    env: {
      ...process.env,
      HUB_MODE: "test",
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: hub.brokers.join(","),
      ...(hub.replicationFactor > 1 ? { KAFKA_REPLICATION_FACTOR: String(hub.replicationFactor) } : {}),
      DATABASE_URL: hub.databaseUrl,
      ...options.env,
    },
    logDir: join(hub.dir, "logs"),
    echo: options.log,
    nodeArgs: options.nodeArgs ?? [],
  });
  hub.cleanups.unshift(() => service.stop());
  await waitFor(
    options.name,
    async () => (await fetch(`http://127.0.0.1:${options.opsPort}/readyz`)).ok,
    options.log,
    120_000,
  );
}
