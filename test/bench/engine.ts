import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Kafka, Pool } from "@hub/common";
import { findRepoRoot } from "@hub/infra";

/** What a bench ran on, for its report: the database and the broker. */
export interface Engine {
  /** PostgreSQL's server_version, e.g. "17.5". */
  postgres: string;
  /** The timescaledb extension's version, or "none". */
  timescale: string;
  /** The embedded database (PostgreSQL compiled to WebAssembly, PGlite), not a native server. */
  embedded: boolean;
  kafka: string;
}

export async function describeEngine(pool: Pool, kafka: Kafka, ownBroker: boolean): Promise<Engine> {
  const db = await pool.query<{ server_version: string; version: string; timescale: string | null }>(
    `SELECT current_setting('server_version') AS server_version, version() AS version,
       (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS timescale`,
  );
  const row = db.rows[0];
  return {
    postgres: row?.server_version ?? "unknown",
    timescale: row?.timescale ?? "none",
    // The WebAssembly build says which compiler made it.
    embedded: /emscripten/i.test(row?.version ?? ""),
    kafka: ownBroker ? `${await pinnedKafkaVersion()} (started by the bench)` : await brokerVersion(kafka),
  };
}

export function engineLine(engine: Engine): string {
  const database = engine.embedded ? "embedded (PGlite, WebAssembly)" : "native server";
  return `engine: PostgreSQL ${engine.postgres}, TimescaleDB ${engine.timescale}, ${database}; Kafka ${engine.kafka}`;
}

/** The Kafka release the project's own broker runs (infra/kafka/pom.xml). */
async function pinnedKafkaVersion(): Promise<string> {
  const pom = await readFile(join(findRepoRoot(process.cwd()), "infra/kafka/pom.xml"), "utf8");
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? "unknown";
}

/** The protocol does not tell a broker's release; its inter-broker protocol version (when set) comes closest. */
async function brokerVersion(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const broker = cluster.brokers[0];
    if (!broker) return "unknown (external)";
    const configs = await admin.describeConfigs({
      resources: [{ type: 4, name: String(broker.nodeId), configNames: ["inter.broker.protocol.version"] }],
      includeSynonyms: false,
    });
    const ibp = configs.resources[0]?.configEntries.find((e) => e.configName === "inter.broker.protocol.version");
    return `external (${cluster.brokers.length} broker(s)${ibp?.configValue ? `, inter.broker.protocol.version ${ibp.configValue}` : ", release not reported"})`;
  } catch (error) {
    return `external (version not readable: ${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
