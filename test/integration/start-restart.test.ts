import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePort } from "../support/hub.js";

/**
 * `npm start` run twice on the same data, as a person does: the real launcher (infra's built start.js) brings up
 * Kafka, the embedded TimescaleDB, the four services and the simulator in a fresh data folder, is stopped with
 * SIGTERM, and is started again on what it left. Both times the hub must come up and store new simulated events.
 * Every port is a free one (another `npm start` may hold the defaults), and the simulated city is small.
 */
const repo = join(import.meta.dirname, "../..");
const launcher = join(repo, "infra/dist/src/start.js");
const HUB_READY = "The hub is running";
const MINUTES = 60_000;

interface Launch {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
let dbPort: number;
let recorderPort: number;
const running = new Set<ChildProcess>();

function launch(): Launch {
  const child = spawn(process.execPath, ["--enable-source-maps", launcher], {
    cwd: repo,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

/** Resolves once the launcher says the hub is running; fails with its output if it exits first. */
async function hubReady(hub: Launch): Promise<void> {
  let ended = false;
  void hub.exited.then(() => {
    ended = true;
  });
  const ready = await eventually(async () => ended || hub.output().includes(HUB_READY), 8 * MINUTES, 500);
  expect(ended, `the launcher exited before the hub was ready:\n${hub.output()}`).toBe(false);
  expect(ready, `the hub did not become ready:\n${hub.output()}`).toBe(true);
}

async function storedDetections(): Promise<number> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${dbPort}/postgres` });
  try {
    await client.connect();
    const result = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM detections");
    return result.rows[0]?.n ?? 0;
  } catch {
    return -1; // not reachable yet, or busy: ask again
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A stored detection's snapshot URI on the stand-in recorder of this run, if one is stored yet. */
async function storedSnapshotUri(): Promise<string | null> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${dbPort}/postgres` });
  try {
    await client.connect();
    const result = await client.query<{ uri: string }>(
      "SELECT snapshot_uri AS uri FROM detections WHERE starts_with(snapshot_uri, $1) LIMIT 1",
      [`http://127.0.0.1:${recorderPort}/`],
    );
    return result.rows[0]?.uri ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function stop(hub: Launch): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  hub.child.kill("SIGTERM");
  return hub.exited;
}

beforeAll(async () => {
  if (!existsSync(launcher)) throw new Error(`${launcher} is missing: build first (npx tsc -b)`);
  dataDir = await mkdtemp(join(tmpdir(), "hub-start-"));
  dbPort = await freePort();
  recorderPort = await freePort();
  const port = async () => String(await freePort());
  const { KAFKA_BROKERS: _brokers, DATABASE_URL: _database, ...inherited } = process.env;
  env = {
    ...inherited,
    HUB_DATA_DIR: dataDir,
    HUB_MODE: "development",
    LOG_LEVEL: "info",
    HUB_KAFKA_PORT: await port(),
    HUB_KAFKA_CONTROLLER_PORT: await port(),
    HUB_DB_PORT: String(dbPort),
    INGEST_PORT: await port(),
    INGEST_OPS_PORT: await port(),
    CORRELATOR_OPS_PORT: await port(),
    CORRELATOR_GRPC_PORT: await port(),
    GATEWAY_PORT: await port(),
    GATEWAY_OPS_PORT: await port(),
    ALERTS_PORT: await port(),
    ALERTS_OPS_PORT: await port(),
    HUB_DEV_CITIZEN_APPS_PORT: await port(),
    HUB_DEV_RECORDER_PORT: String(recorderPort),
    SIMULATOR_OPS_PORT: await port(),
    // A small city: the machine is shared with the rest of the suite.
    SIMULATOR_CAMERAS: "40",
    SIMULATOR_DETECTION_RATE: "20",
  };
}, MINUTES);

afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, MINUTES);

describe("npm start", () => {
  it(
    "comes up again on the data of a previous run and goes on storing events",
    async () => {
      const first = launch();
      await hubReady(first);
      expect(
        await eventually(async () => (await storedDetections()) > 0, 5 * MINUTES, 1000),
        `no detections stored on the first run:\n${first.output()}`,
      ).toBe(true);
      const firstRun = await storedDetections();
      expect(await stop(first), first.output()).toEqual({ code: 0, signal: null });

      const second = launch();
      await hubReady(second);
      const afterRestart = await storedDetections();
      expect(afterRestart, "the first run's detections are kept").toBeGreaterThanOrEqual(firstRun);
      expect(
        await eventually(async () => (await storedDetections()) > afterRestart, 5 * MINUTES, 1000),
        `no new detections stored after the restart:\n${second.output()}`,
      ).toBe(true);
      // The stand-in recorder is up again, and simulated detections point at it (README "Video evidence").
      const found: { uri: string | null } = { uri: null };
      expect(
        await eventually(
          async () => {
            found.uri = await storedSnapshotUri();
            return found.uri !== null;
          },
          5 * MINUTES,
          1000,
        ),
        `no detection with a snapshot on the stand-in recorder:\n${second.output()}`,
      ).toBe(true);
      const still = await fetch(found.uri ?? "");
      expect(still.status).toBe(200);
      expect(still.headers.get("content-type")).toBe("image/svg+xml");
      expect(second.output()).not.toContain("stopped unexpectedly");
      expect(first.output()).not.toContain("stopped unexpectedly");
      expect(await stop(second), second.output()).toEqual({ code: 0, signal: null });
    },
    30 * MINUTES,
  );
});
