import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningDb, type RunningKafka, startEmbeddedDatabase, startKafka } from "@hub/infra";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    databaseUrl: string;
    /** The embedded database: each service connects as its own role (user = role), so the grants are exercised. */
    databaseRoles: boolean;
  }
}

/**
 * Starts the real Kafka broker and the embedded TimescaleDB once for the whole integration run, in fresh folders,
 * unless KAFKA_BROKERS / DATABASE_URL point at existing ones.
 */
export default async function setup(project: TestProject) {
  const started: { kafka?: RunningKafka; db?: RunningDb; dir?: string } = {};
  const log = (message: string) => console.log(`[setup] ${message}`);
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    started.dir = await mkdtemp(join(tmpdir(), "hub-it-"));
  }
  try {
    const [brokers, databaseUrl] = await Promise.all([
      process.env.KAFKA_BROKERS
        ? Promise.resolve(process.env.KAFKA_BROKERS.split(","))
        : startKafka({ dataDir: join(started.dir as string, "kafka"), port: 0, log }).then((kafka) => {
            started.kafka = kafka;
            return kafka.brokers;
          }),
      process.env.DATABASE_URL
        ? Promise.resolve(process.env.DATABASE_URL)
        : // Connections, not transactions (it runs one at a time): multi-instance runs eight services' pools on it.
          startEmbeddedDatabase({ dataDir: join(started.dir as string, "db"), port: 0, maxConnections: 64, log }).then(
            (db) => {
              started.db = db;
              return db.url;
            },
          ),
    ]);
    project.provide("kafkaBrokers", brokers);
    project.provide("databaseUrl", databaseUrl);
    project.provide("databaseRoles", started.db !== undefined);
    log(`Kafka ${brokers.join(",")}, database ${databaseUrl}`);
  } catch (error) {
    await teardown(started);
    throw error;
  }
  return () => teardown(started);
}

async function teardown(started: { kafka?: RunningKafka; db?: RunningDb; dir?: string }) {
  await Promise.allSettled([started.kafka?.stop(), started.db?.stop()]);
  if (started.dir) await rm(started.dir, { recursive: true, force: true });
}
