/**
 * npm run bench:export — a case export of BENCH_EXPORT_ROWS detections (default 1,000,000) through the real
 * gateway (a child process, test mode) against the embedded database (or DATABASE_URL) and Kafka, with the
 * correlator for the case search. Reports:
 *
 *   - rows/s of the export (POST → ready), beside the baseline: a bare server-side cursor read of the same rows in
 *     this process (DECLARE … WITH HOLD, FETCH 2000 at a time, no CSV, no zip, no file);
 *   - the gateway's peak RSS (process.resourceUsage().maxRSS) and its RSS before the export;
 *   - the gateway's event-loop delay (perf_hooks monitorEventLoopDelay, through test/bench/loop-probe.mjs preloaded
 *     into it): the largest delay while idle and while exporting;
 *   - Socket.IO heartbeats: a signed-in client's pings from the gateway (every 10 s, pingTimeout 10 s) during the
 *     export, the largest gap between two, and whether the client was dropped;
 *   - Kafka consumer heartbeats: the gateway's consumer group before and after (still Stable, same member: no
 *     session timeout, no rebalance), and kafkajs heartbeat/rebalance lines in the gateway's log.
 *
 * Rows are seeded fast with INSERT … SELECT generate_series (two cameras on one spot, a 2-hour window). No goal is
 * asserted: the figures are printed for the record (docs/benchmarks or the pull request).
 *
 * Environment: BENCH_EXPORT_ROWS (default 1000000), DATABASE_URL / KAFKA_BROKERS (use existing ones).
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, h3Cell } from "@hub/common";
import type { CaseSearchResult, ExportJob, LoginResponse } from "@hub/contracts";
import { io } from "socket.io-client";
import { startBenchHub, startBenchService } from "./support.js";

const rows = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = "bench-password";
const gatewayUrl = "http://127.0.0.1:8185";
const INSTANCE = "bench-export";
const BATCH = 2000;
const SEED_CHUNK = 200_000;
const place = { lat: 22.1987, lon: 113.5439 };
const probe = fileURLToPath(new URL("./loop-probe.mjs", import.meta.url));

interface ProbeLine {
  at: number;
  maxMs: number;
  p99Ms: number;
  rssMb: number;
  peakRssMb: number;
}

async function call<T>(token: string | undefined, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    ...init,
    headers: {
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const signIn = async (username: string) =>
  (
    await call<LoginResponse>(undefined, "/api/v1/auth/login", {
      method: "POST",
      body: JSON.stringify({ username, password: PASSWORD }),
    })
  ).token;

async function main() {
  const hub = await startBenchHub("hub-export-bench-", log, logger);
  const { pool, kafka, cleanups, dir } = hub;
  try {
    const windowStart = new Date(Date.now() - 6 * 3600_000);
    const windowEnd = new Date(windowStart.getTime() + 2 * 3600_000);
    const cameraIds = ["bench-exp-a", "bench-exp-b"];
    await pool.query("INSERT INTO sites (id, name) VALUES ('site-bench', 'site-bench') ON CONFLICT (id) DO NOTHING");
    for (const id of cameraIds) {
      await pool.query(
        `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m)
         VALUES ($1, 'site-bench', $1, $2, $3, $4, 'Bench', 1, 0, 360, 100)`,
        [id, place.lat, place.lon, h3Cell(place.lat, place.lon)],
      );
      await pool.query(
        `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat,
           lon, h3_cell, ingested_at) VALUES ($1, $2, $3, 'online', false, false, 'site-bench', $4, $5, $6, $1)`,
        [
          new Date(windowStart.getTime() - 3600_000),
          `st-${id}`,
          id,
          place.lat,
          place.lon,
          h3Cell(place.lat, place.lon),
        ],
      );
    }
    log(`seeding ${rows} detections (INSERT … SELECT generate_series)…`);
    const stepMs = (2 * 3600_000 - 120_000) / rows;
    const seedStarted = performance.now();
    for (let first = 1; first <= rows; first += SEED_CHUNK) {
      const last = Math.min(rows, first + SEED_CHUNK - 1);
      await pool.query(
        `INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, plate_text,
           plate_region, track_id, lat, lon, h3_cell, ingested_at)
         SELECT $1::timestamptz + g * make_interval(secs => $2::float8 / 1000), 'bx-' || g,
                CASE WHEN g % 2 = 0 THEN $3 ELSE $4 END, 'site-bench',
                CASE WHEN g % 12 = 0 THEN 'license_plate' WHEN g % 3 = 0 THEN 'person' ELSE 'vehicle' END,
                0.5 + (g % 50) / 100.0,
                CASE WHEN g % 12 = 0 THEN 'M' || chr(65 + g % 20) || '-' || lpad((g % 100)::text, 2, '0') || '-'
                     || lpad(((g / 100) % 100)::text, 2, '0') END,
                CASE WHEN g % 12 = 0 THEN 'MO' END, 't' || (g % 5000), $5, $6, $7, now()
           FROM generate_series($8::int, $9::int) AS g`,
        [
          new Date(windowStart.getTime() + 60_000),
          stepMs,
          cameraIds[0],
          cameraIds[1],
          place.lat,
          place.lon,
          h3Cell(place.lat, place.lon),
          first,
          last,
        ],
      );
      log(`  ${last}/${rows}`);
    }
    log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    // Baseline: the same rows through a bare server-side cursor, in this process.
    const client = await pool.connect();
    let baselineRows = 0;
    const baselineStarted = performance.now();
    try {
      await client.query(
        `DECLARE bench_baseline NO SCROLL CURSOR WITH HOLD FOR
           SELECT event_id, camera_id, observed_at, object_class, confidence, plate_text, rule_type, track_id
             FROM detections WHERE camera_id = ANY($1) AND observed_at BETWEEN $2 AND $3
            ORDER BY observed_at, event_id`,
        [cameraIds, windowStart, windowEnd],
      );
      for (;;) {
        const batch = await client.query(`FETCH FORWARD ${BATCH} FROM bench_baseline`);
        baselineRows += batch.rows.length;
        if (batch.rows.length < BATCH) break;
      }
      await client.query("CLOSE bench_baseline");
    } finally {
      client.release();
    }
    const baselineS = (performance.now() - baselineStarted) / 1000;
    log(`baseline cursor read: ${baselineRows} rows in ${baselineS.toFixed(1)} s`);

    await startBenchService(hub, {
      name: "correlator",
      opsPort: 9591,
      env: {
        CORRELATOR_HOST: "127.0.0.1",
        CORRELATOR_OPS_PORT: "9591",
        CORRELATOR_GRPC_PORT: "50183",
        CORRELATOR_GROUP_ID: "bench-export-correlator",
      },
      log,
    });
    const probeFile = join(dir, "gateway-loop.jsonl");
    await startBenchService(hub, {
      name: "gateway",
      opsPort: 9590,
      env: {
        GATEWAY_HOST: "127.0.0.1",
        GATEWAY_PORT: "8185",
        GATEWAY_OPS_PORT: "9590",
        GATEWAY_INSTANCE_ID: INSTANCE,
        CORRELATOR_GRPC_ADDRESS: "127.0.0.1:50183",
        DEV_USER_PASSWORD: PASSWORD,
        BENCH_LOOP_PROBE_FILE: probeFile,
      },
      nodeArgs: ["--import", probe],
      log,
    });
    const probeLines = (): ProbeLine[] =>
      existsSync(probeFile)
        ? readFileSync(probeFile, "utf8")
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as ProbeLine)
        : [];

    // A dashboard client, to watch Socket.IO heartbeats during the export.
    const operator = await signIn("operator");
    const socket = io(gatewayUrl, { transports: ["websocket"], auth: { token: operator }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    cleanups.unshift(async () => {
      socket.close();
    });
    const pings: number[] = [];
    const disconnects: string[] = [];
    socket.io.engine.on("ping", () => pings.push(Date.now()));
    socket.on("disconnect", (reason) => disconnects.push(reason));

    const admin = kafka.admin();
    await admin.connect();
    cleanups.unshift(() => admin.disconnect());
    const group = `hub-gateway-${INSTANCE}`;
    const describe = async () => {
      const [found] = (await admin.describeGroups([group])).groups;
      return { state: found?.state ?? "unknown", members: (found?.members ?? []).map((member) => member.memberId) };
    };
    let before = await describe();
    for (let attempt = 0; attempt < 60 && before.state !== "Stable"; attempt += 1) {
      await sleep(1000);
      before = await describe();
    }

    const idleStarted = Date.now();
    await sleep(3000); // an idle stretch, for the probe's idle figures
    const idleEnded = Date.now();
    const investigator = await signIn("investigator");
    // The embedded database runs one statement at a time and answers a new connection's handshake only between
    // statements: the search's count over a million rows would outlast the gateway's 5 s connect timeout for the
    // connections its parallel queries open. Open them beforehand (a lookup that does not exist, four at once).
    await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${gatewayUrl}/api/v1/cases/records/${randomUUID()}?purpose=${encodeURIComponent("warming up")}`, {
          headers: { authorization: `Bearer ${investigator}` },
        }).then((response) => response.text()),
      ),
    );
    log("case search (count and plates over all rows)…");
    const search = await call<CaseSearchResult>(investigator, "/api/v1/cases/search", {
      method: "POST",
      body: JSON.stringify({
        caseReference: "PJ-BENCH-EXPORT",
        purpose: "Benchmark of a large evidence export",
        window: { from: windowStart.toISOString(), to: windowEnd.toISOString() },
        area: { circle: { ...place, radiusM: 50 } },
        limit: 1,
      }),
    });
    log(`search found ${search.detections.total} detections`);

    const exportStarted = Date.now();
    const pingsBefore = pings.length;
    let job = await call<ExportJob>(investigator, `/api/v1/cases/records/${search.recordId}/exports`, {
      method: "POST",
      body: JSON.stringify({ purpose: "Benchmark of a large evidence export" }),
    });
    const groupDuring: string[] = [];
    let lastGroupCheck = 0;
    while (job.state === "running") {
      await sleep(500);
      job = await call<ExportJob>(investigator, `/api/v1/exports/${job.id}`);
      if (process.stderr.isTTY) process.stderr.write(`\r  export ${(job.progress * 100).toFixed(1)} %`);
      if (Date.now() - lastGroupCheck > 5000) {
        lastGroupCheck = Date.now();
        groupDuring.push((await describe()).state);
      }
    }
    const exportEnded = Date.now();
    if (process.stderr.isTTY) process.stderr.write("\n");
    if (job.state !== "ready") throw new Error(`export ${job.state}: ${job.error}`);
    await sleep(1000); // the probe's last line over the export
    const after = await describe();
    const exportS = (exportEnded - exportStarted) / 1000;

    const lines = probeLines();
    const idle = lines.filter((line) => line.at > idleStarted + 250 && line.at <= idleEnded);
    const during = lines.filter((line) => line.at >= exportStarted && line.at <= exportEnded + 250);
    const maxOf = (values: number[]) => (values.length > 0 ? Math.max(...values) : Number.NaN);
    const exportPings = pings.filter((at) => at >= exportStarted && at <= exportEnded);
    const gaps = pings
      .slice(Math.max(0, pingsBefore - 1))
      .map((at, index, all) => (index > 0 ? at - (all[index - 1] as number) : 0));
    const gatewayLog = join(dir, "logs", "gateway.log");
    const kafkaTrouble = existsSync(gatewayLog)
      ? readFileSync(gatewayLog, "utf8")
          .split("\n")
          .filter((line) => /heartbeat|rebalanc|session timeout|not a member/i.test(line))
      : [];

    const report = {
      rows: search.detections.total,
      export: {
        seconds: Number(exportS.toFixed(1)),
        rowsPerSecond: Math.round(rows / exportS),
        zipMb: Number(((job.bytes ?? 0) / 2 ** 20).toFixed(1)),
      },
      baselineCursorRead: {
        seconds: Number(baselineS.toFixed(1)),
        rowsPerSecond: Math.round(baselineRows / baselineS),
      },
      gateway: {
        rssBeforeExportMb: Number((idle.at(-1)?.rssMb ?? Number.NaN).toFixed(0)),
        peakRssMb: Number(maxOf(lines.map((line) => line.peakRssMb)).toFixed(0)),
        eventLoopDelayMaxIdleMs: Number(maxOf(idle.map((line) => line.maxMs)).toFixed(1)),
        eventLoopDelayMaxExportMs: Number(maxOf(during.map((line) => line.maxMs)).toFixed(1)),
        eventLoopDelayP99ExportMs: Number(maxOf(during.map((line) => line.p99Ms)).toFixed(1)),
      },
      socketIo: {
        pingsDuringExport: exportPings.length,
        largestGapBetweenPingsMs: maxOf(gaps),
        pingIntervalMs: 10_000,
        dropped: disconnects,
      },
      kafka: {
        group,
        before: before.state,
        during: [...new Set(groupDuring)],
        after: after.state,
        sameMember: before.members.join() === after.members.join(),
        heartbeatOrRebalanceLogLines: kafkaTrouble.length,
      },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
