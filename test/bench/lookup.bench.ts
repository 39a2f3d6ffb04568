/**
 * npm run bench:lookup — the police case lookup (the gateway's CasesRepository: a keyset page of detections of the
 * covering cameras in the window, its count(*) and its plates, in parallel as CaseService.page runs them) over a
 * detections hypertable seeded with BENCH_DETECTIONS rows over BENCH_DAYS days for 1,701 cameras, side by side in
 * the same run with the same SQL forced to a plain sequential scan (index, bitmap and index-only scans off). Goal:
 * p95 ≤ 200 ms for a 1 km², 2-hour query.
 *
 * The covering cameras of a query are computed here with the correlator's coverage geometry (viewCoversArea over
 * the seeded cameras, all taken as online), as the correlator's case assist would; the bench times the detection
 * queries, not case assist. Rows are generated and inserted by the bench itself (no Kafka), in time order, with
 * a realistic class mix (the simulator's Traffic weights), a daily profile and uneven camera activity.
 *
 * Environment: BENCH_DETECTIONS (default 10000000), BENCH_DAYS (default 30), BENCH_QUERIES (per kind, default 50),
 * BENCH_BASELINE_QUERIES (per kind, default 10: sequential scans are slow), BENCH_SEED_MODE ("sql": rows made by
 * generate_series in the database, the default; "unnest": rows made in this process and sent as unnest arrays),
 * BENCH_BATCH (rows per INSERT, default 50000), BENCH_SEED (random seed, default 1), BENCH_EXPLAIN=1 (print the
 * full EXPLAIN ANALYZE plans), BENCH_KEEP_SEQSCAN_OFF=1 (see below), DATABASE_URL (use an existing, scratch,
 * database instead of the embedded one).
 *
 * The embedded database starts with enable_seqscan = off (its PGlite build passes it on the backend's command line;
 * pg_settings shows source "command line"), which no production TimescaleDB does: the planner then takes an index
 * whenever one applies, whatever it costs. The bench sets it back to on (for the one shared session) so that the
 * plans are the ones production would choose; BENCH_KEEP_SEQSCAN_OFF=1 keeps the embedded default.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createLogger,
  createPool,
  devSites,
  h3Cell,
  macaoLandPath,
  type Pool,
  Region,
  withTransaction,
} from "@hub/common";
import { type Area, pointInView, viewCoversArea } from "@hub/correlator";
import { CasesRepository, type DetectionCursor, type DetectionFilter } from "@hub/gateway";
import { buildCameras } from "@hub/simulator";
import { percentile, progress, startBenchHub } from "./support.js";

const total = Number(process.env.BENCH_DETECTIONS ?? 10_000_000);
const days = Number(process.env.BENCH_DAYS ?? 30);
const perKind = Number(process.env.BENCH_QUERIES ?? 50);
const baselinePerKind = Math.min(perKind, Number(process.env.BENCH_BASELINE_QUERIES ?? 10));
const seedMode = process.env.BENCH_SEED_MODE ?? "sql";
const batchRows = Number(process.env.BENCH_BATCH ?? 50_000);
const seed = Number(process.env.BENCH_SEED ?? 1);
const explainFull = process.env.BENCH_EXPLAIN === "1";
const CAMERA_COUNT = 1701;
/** A circle of 1 km². */
const RADIUS_M = Math.sqrt(1_000_000 / Math.PI);
const PAGE = 100;
const FURTHER_PAGES = 5;
const GOAL_P95_MS = 200;
const SEQ_SCAN =
  "SET LOCAL enable_seqscan = on; SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; " +
  "SET LOCAL enable_indexonlyscan = off";
/** Keep the embedded database's own enable_seqscan = off (set on its command line) for the indexed runs. */
const keepSeqScanOff = process.env.BENCH_KEEP_SEQSCAN_OFF === "1";
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);

/** mulberry32: small, fast, deterministic. */
function rng(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative detections per hour of the day, Macao local time (UTC+8): quiet at night, peaks at rush hours. */
const DAILY = [
  0.25, 0.18, 0.12, 0.1, 0.1, 0.15, 0.35, 0.7, 1.0, 1.0, 0.95, 0.95, 1.0, 0.95, 0.9, 0.9, 0.95, 1.0, 1.1, 1.1, 1.0,
  0.85, 0.6, 0.4,
];
const COLOURS = ["white", "black", "silver", "grey", "red", "blue"];
const TYPES = ["car", "van", "taxi", "bus", "truck"];
const LETTERS = "MA MB MC MD ME MF MG MH MJ MK ML MM MN MP MQ MR MS MT MU MV MW MX AA AB".split(" ");
/** Cumulative class shares, as Traffic.detection weighs them (45/28/12/8/3/2/2). */
const CLASSES: [number, string][] = [
  [0.45, "person"],
  [0.73, "vehicle"],
  [0.85, "motorcycle"],
  [0.93, "license_plate"],
  [0.96, "bicycle"],
  [0.98, "bag"],
  [1, "animal"],
];
const sqlArray = (values: string[]) => `ARRAY[${values.map((value) => `'${value}'`).join(",")}]`;
const classCase = `CASE ${CLASSES.slice(0, -1)
  .map(([share, name]) => `WHEN r.c < ${share} THEN '${name}'`)
  .join(" ")} ELSE 'animal' END`;

/**
 * One INSERT per batch of (hour, rows, first sequence number) pieces; every random draw is made once per row in the
 * inner subquery (volatile, so not flattened), the row is derived from them outside. Same columns and shapes as
 * the correlator writes.
 */
const SQL_INSERT = `
INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, box_left, box_top,
  box_right, box_bottom, track_id, attributes, plate_text, plate_region, plate_confidence, rule_type, rule_name,
  rule_count, rule_dwell_seconds, lat, lon, h3_cell, ingested_at, stored_at)
SELECT r.at, $4 || r.seq, s.camera_id, s.site_id, k.cls, round((0.55 + r.conf * 0.44)::numeric, 2)::real,
  r.bl * (1 - r.bw), r.bt * (1 - r.bh), r.bl * (1 - r.bw) + r.bw, r.bt * (1 - r.bh) + r.bh, 't' || r.track,
  CASE WHEN k.cls IN ('vehicle', 'license_plate')
    THEN jsonb_build_object('vehicle_color', (${sqlArray(COLOURS)})[r.col], 'vehicle_type', (${sqlArray(TYPES)})[r.typ])
    ELSE '{}'::jsonb END,
  CASE WHEN k.cls = 'license_plate' THEN (${sqlArray(LETTERS)})[r.pl] || '-' || r.p1 || '-' || r.p2 END,
  CASE WHEN k.cls = 'license_plate' THEN 'MO' END,
  CASE WHEN k.cls = 'license_plate' THEN round((0.7 + r.pconf * 0.29)::numeric, 2)::real END,
  k.rule,
  CASE k.rule WHEN 'line_crossed' THEN 'Entrance line' WHEN 'stopped_vehicle' THEN 'No stopping lane' END,
  CASE WHEN k.rule IS NOT NULL THEN 0 END,
  CASE k.rule WHEN 'line_crossed' THEN 0 WHEN 'stopped_vehicle' THEN 60 + floor(r.dwell * 541)::int END,
  s.lat, s.lon, s.h3_cell, r.at + (0.2 + r.lag * 1.8) * interval '1 second',
  r.at + (0.5 + r.lag * 2) * interval '1 second'
FROM (
  SELECT h.off + g.i AS seq, h.start + random() * interval '1 hour' AS at, floor(random() * $5)::int AS slot,
    random() AS c, random() AS ru, random() AS conf, 0.04 + random() * 0.26 AS bw, 0.06 + random() * 0.34 AS bh,
    random() AS bl, random() AS bt, 1 + floor(random() * 99999)::int AS track, 1 + floor(random() * 6)::int AS col,
    1 + floor(random() * 5)::int AS typ, 1 + floor(random() * 24)::int AS pl, 10 + floor(random() * 90)::int AS p1,
    10 + floor(random() * 90)::int AS p2, random() AS pconf, random() AS lag, random() AS dwell
  FROM unnest($1::timestamptz[], $2::int[], $3::bigint[]) AS h(start, n, off)
  CROSS JOIN LATERAL generate_series(1, h.n) AS g(i)
) r
JOIN bench_seed_slots s ON s.slot = r.slot
CROSS JOIN LATERAL (
  SELECT ${classCase} AS cls,
    CASE WHEN r.c < 0.45 AND r.ru < 0.05 THEN 'line_crossed'
         WHEN r.c >= 0.45 AND r.c < 0.73 AND r.ru < 0.01 THEN 'stopped_vehicle' END AS rule
) k`;

const UNNEST_INSERT = `
INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, box_left, box_top,
  box_right, box_bottom, track_id, attributes, plate_text, plate_region, plate_confidence, rule_type, rule_name,
  rule_count, rule_dwell_seconds, lat, lon, h3_cell, ingested_at, stored_at)
SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::real[], $7::real[],
  $8::real[], $9::real[], $10::real[], $11::text[], $12::jsonb[], $13::text[], $14::text[], $15::real[], $16::text[],
  $17::text[], $18::int[], $19::int[], $20::float8[], $21::float8[], $22::text[], $23::timestamptz[],
  $24::timestamptz[])`;

interface SeedCamera {
  id: string;
  siteId: string;
  lat: number;
  lon: number;
  h3: string;
  view: { id: string; position: { lat: number; lon: number }; bearingDeg: number; angleDeg: number; rangeM: number };
}

/** A batch: consecutive pieces of hours, each with its row count and the sequence number before its first row. */
type Piece = { start: Date; rows: number; offset: number };

function planBatches(end: Date, random: () => number): Piece[][] {
  const hours = days * 24;
  const start = end.getTime() - hours * 3600_000;
  // Per-hour weights: the daily profile, with some day-to-day noise.
  const weights = Array.from({ length: hours }, (_, index) => {
    const local = (new Date(start + index * 3600_000).getUTCHours() + 8) % 24;
    return (DAILY[local] as number) * (0.85 + random() * 0.3);
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((weight) => Math.floor((weight / sum) * total));
  for (let index = 0, left = total - counts.reduce((a, b) => a + b, 0); left > 0; index += 1, left -= 1)
    counts[index % hours] = (counts[index % hours] as number) + 1;
  const batches: Piece[][] = [];
  let current: Piece[] = [];
  let inCurrent = 0;
  let offset = 0;
  counts.forEach((count, index) => {
    let left = count;
    while (left > 0) {
      const rows = Math.min(left, batchRows - inCurrent);
      current.push({ start: new Date(start + index * 3600_000), rows, offset });
      offset += rows;
      inCurrent += rows;
      left -= rows;
      if (inCurrent === batchRows) {
        batches.push(current);
        current = [];
        inCurrent = 0;
      }
    }
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Camera slots: each camera holds a share proportional to its activity (log-normal), at least one. */
function cameraSlots(cameras: SeedCamera[], random: () => number): SeedCamera[] {
  const activity = cameras.map(() => {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.exp(0.6 * normal);
  });
  const sum = activity.reduce((a, b) => a + b, 0);
  const slots: SeedCamera[] = [];
  cameras.forEach((camera, index) => {
    const share = Math.max(1, Math.round(((activity[index] as number) / sum) * cameras.length * 12));
    for (let n = 0; n < share; n += 1) slots.push(camera);
  });
  return slots;
}

/** The same rows as SQL_INSERT, made here, as the 24 column arrays of UNNEST_INSERT. */
function jsBatch(pieces: Piece[], slots: SeedCamera[], prefix: string, random: () => number): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 24 }, () => []);
  for (const piece of pieces) {
    for (let i = 1; i <= piece.rows; i += 1) {
      const at = new Date(piece.start.getTime() + Math.floor(random() * 3600_000));
      const camera = slots[Math.floor(random() * slots.length)] as SeedCamera;
      const c = random();
      const cls = (CLASSES.find(([share]) => c < share) ?? [1, "animal"])[1];
      const ru = random();
      const rule =
        cls === "person" && ru < 0.05 ? "line_crossed" : cls === "vehicle" && ru < 0.01 ? "stopped_vehicle" : null;
      const bw = 0.04 + random() * 0.26;
      const bh = 0.06 + random() * 0.34;
      const left = random() * (1 - bw);
      const top = random() * (1 - bh);
      const plate = cls === "license_plate";
      const lag = random();
      const row = [
        at,
        `${prefix}${piece.offset + i}`,
        camera.id,
        camera.siteId,
        cls,
        Math.round((0.55 + random() * 0.44) * 100) / 100,
        left,
        top,
        left + bw,
        top + bh,
        `t${1 + Math.floor(random() * 99999)}`,
        JSON.stringify(
          cls === "vehicle" || plate
            ? {
                vehicle_color: COLOURS[Math.floor(random() * COLOURS.length)],
                vehicle_type: TYPES[Math.floor(random() * TYPES.length)],
              }
            : {},
        ),
        plate
          ? `${LETTERS[Math.floor(random() * LETTERS.length)]}-${10 + Math.floor(random() * 90)}-${10 + Math.floor(random() * 90)}`
          : null,
        plate ? "MO" : null,
        plate ? Math.round((0.7 + random() * 0.29) * 100) / 100 : null,
        rule,
        rule === "line_crossed" ? "Entrance line" : rule ? "No stopping lane" : null,
        rule ? 0 : null,
        rule === "line_crossed" ? 0 : rule ? 60 + Math.floor(random() * 541) : null,
        camera.lat,
        camera.lon,
        camera.h3,
        new Date(at.getTime() + 200 + lag * 1800),
        new Date(at.getTime() + 500 + lag * 2000),
      ];
      row.forEach((value, index) => {
        (columns[index] as unknown[]).push(value);
      });
    }
  }
  return columns;
}

function memoryOf(pid: number | undefined): { rssMb: number; peakMb: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

/** Runs each statement in its own transaction with index, bitmap and index-only scans off (SET LOCAL: the embedded
 * database has one session shared by every connection, so a session-level SET would leak into the indexed runs). */
function seqScanPool(pool: Pool): Pool {
  return {
    query: (text: string, values?: unknown[]) =>
      withTransaction(pool, async (client) => {
        await client.query(SEQ_SCAN);
        return client.query(text, values);
      }),
  } as unknown as Pool;
}

/** Passes queries through and keeps their text and parameters, to EXPLAIN exactly what the gateway sends. */
function recordingPool(pool: Pool, calls: { text: string; values: unknown[] }[]): Pool {
  return {
    query(text: string, values?: unknown[]) {
      calls.push({ text, values: values ?? [] });
      return pool.query(text, values);
    },
  } as unknown as Pool;
}

interface PlanNode {
  "Node Type": string;
  "Custom Plan Provider"?: string;
  "Index Name"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

/** "Limit → Sort → Custom Scan (ChunkAppend): 3× Index Scan (detections_camera_idx)" */
function describePlan(root: PlanNode): string {
  const name = (node: PlanNode) =>
    node["Custom Plan Provider"] ? `${node["Node Type"]} (${node["Custom Plan Provider"]})` : node["Node Type"];
  const chain: string[] = [];
  let node: PlanNode | undefined = root;
  while (node) {
    chain.push(name(node));
    if (node.Plans?.length !== 1 || /Scan/.test(node["Node Type"])) break;
    node = node.Plans[0];
  }
  const scans = new Map<string, number>();
  const walk = (current: PlanNode) => {
    if (/Scan/.test(current["Node Type"]) && current["Node Type"] !== "Custom Scan") {
      const index = current["Index Name"]?.replace(/^_hyper_\d+_\d+_chunk_/, "");
      const key = index ? `${current["Node Type"]} (${index})` : current["Node Type"];
      scans.set(key, (scans.get(key) ?? 0) + 1);
    }
    for (const child of current.Plans ?? []) walk(child);
  };
  walk(root);
  const leaves = [...scans].map(([key, count]) => `${count}× ${key}`).join(", ");
  const last = chain.at(-1) ?? "";
  return `${chain.join(" → ")}${leaves && (!/Scan/.test(last) || last.startsWith("Custom Scan")) ? `: ${leaves}` : ""}`;
}

interface Lookup {
  filter: DetectionFilter;
  cameras: number;
}

interface Kind {
  key: string;
  label: string;
  hours: number;
  objectClasses?: string[];
  plate?: boolean;
  pages?: number;
}

const KINDS: Kind[] = [
  { key: "a", label: "a  1 km², 2 h: page + count + plates", hours: 2 },
  { key: "b", label: "b  as a, class vehicle", hours: 2, objectClasses: ["vehicle"] },
  { key: "c", label: "c  plate M?-NN-*, 1 km², 24 h", hours: 24, plate: true },
  { key: "d", label: `d  as a, pages 2-${FURTHER_PAGES + 1} by cursor`, hours: 2, pages: FURTHER_PAGES },
];

async function main() {
  const hub = await startBenchHub("hub-bench-lookup-", log, logger, { kafka: false });
  const { dir, databaseUrl, pool, cleanups, dbPid } = hub;
  try {
    const random = rng(seed);
    const region = Region.fromFile(macaoLandPath);
    const built = buildCameras(region, CAMERA_COUNT, 853);
    const cameras: SeedCamera[] = built.map((camera) => {
      const lat = camera.position?.lat ?? 22.19;
      const lon = camera.position?.lon ?? 113.54;
      const fov = camera.fieldOfView;
      return {
        id: camera.id,
        siteId: camera.siteId,
        lat,
        lon,
        h3: h3Cell(lat, lon),
        view: {
          id: camera.id,
          position: { lat, lon },
          bearingDeg: fov?.bearingDeg ?? 0,
          angleDeg: fov?.angleDeg ?? 360,
          rangeM: fov?.rangeM ?? 50,
        },
      };
    });
    // The registry, as the hub would have it (the lookup itself only needs the detections).
    await pool.query(
      "INSERT INTO sites (id, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
      [devSites.map((site) => site.id), devSites.map((site) => site.name)],
    );
    await pool.query(
      `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m,
         state)
       SELECT *, 'online' FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[],
         $7::text[], $8::smallint[], $9::float8[], $10::float8[], $11::float8[]) ON CONFLICT DO NOTHING`,
      [
        cameras.map((c) => c.id),
        cameras.map((c) => c.siteId),
        built.map((c) => c.name),
        cameras.map((c) => c.lat),
        cameras.map((c) => c.lon),
        cameras.map((c) => c.h3),
        built.map((c) => c.district),
        built.map((c) => c.phase),
        cameras.map((c) => c.view.bearingDeg),
        cameras.map((c) => c.view.angleDeg),
        cameras.map((c) => c.view.rangeM),
      ],
    );

    // Seeding: hour by hour, oldest first (each INSERT touches one to a few 1-hour chunks, as live ingest does).
    const end = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const windowStart = new Date(end.getTime() - days * 86_400_000);
    const slots = cameraSlots(cameras, random);
    const batches = planBatches(end, random);
    const prefix = `sim-seed-${Date.now().toString(36)}-`;
    if (seedMode === "sql") {
      await pool.query("DROP TABLE IF EXISTS bench_seed_slots");
      await pool.query(
        "CREATE TABLE bench_seed_slots (slot int PRIMARY KEY, camera_id text, site_id text, lat float8, lon float8, h3_cell text)",
      );
      await pool.query(
        "INSERT INTO bench_seed_slots SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[])",
        [
          slots.map((_, index) => index),
          slots.map((c) => c.id),
          slots.map((c) => c.siteId),
          slots.map((c) => c.lat),
          slots.map((c) => c.lon),
          slots.map((c) => c.h3),
        ],
      );
      await pool.query("ANALYZE bench_seed_slots");
      // The same rows for the same BENCH_SEED (random() is the session's generator).
      await pool.query("SELECT setseed($1)", [(seed % 1000) / 1000]);
    } else if (seedMode !== "unnest") throw new Error(`BENCH_SEED_MODE must be sql or unnest, not ${seedMode}`);
    log(
      `seeding ${total} detections over ${days} days (${batches.length} INSERTs of ≤ ${batchRows} rows, ${seedMode})…`,
    );
    const seedStarted = performance.now();
    const deciles: { rows: number; seconds: number; rssMb: number }[] = [];
    let seeded = 0;
    let nextDecile = 1;
    let decileStarted = seedStarted;
    let decileRows = 0;
    let pending: unknown[][] | undefined =
      seedMode === "unnest" && batches[0] ? jsBatch(batches[0], slots, prefix, random) : undefined;
    for (const [index, pieces] of batches.entries()) {
      const rows = pieces.reduce((sum, piece) => sum + piece.rows, 0);
      if (seedMode === "sql") {
        await pool.query(SQL_INSERT, [
          pieces.map((piece) => piece.start),
          pieces.map((piece) => piece.rows),
          pieces.map((piece) => piece.offset),
          prefix,
          slots.length,
        ]);
      } else {
        // The next batch is made while this one is being inserted.
        const insert = pool.query(UNNEST_INSERT, pending);
        const following = batches[index + 1];
        pending = following ? jsBatch(following, slots, prefix, random) : undefined;
        await insert;
      }
      seeded += rows;
      decileRows += rows;
      progress("seeding", seeded, total);
      while (seeded >= (nextDecile * total) / 10 && nextDecile <= 10) {
        const now = performance.now();
        const rssMb = memoryOf(dbPid)?.rssMb ?? Number.NaN;
        deciles.push({ rows: decileRows, seconds: (now - decileStarted) / 1000, rssMb });
        if (!process.stderr.isTTY)
          log(
            `seeded ${seeded}/${total}: ${(decileRows / ((now - decileStarted) / 1000)).toFixed(0)} rows/s lately, db RSS ${rssMb.toFixed(0)} MB`,
          );
        decileStarted = now;
        decileRows = 0;
        nextDecile += 1;
      }
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    if (seedMode === "sql") await pool.query("DROP TABLE bench_seed_slots");
    const memoryAfterSeed = memoryOf(dbPid);
    // No autovacuum in the embedded database: without this there are no statistics and no visibility map. In
    // production autovacuum vacuums (inserts alone trigger it since PostgreSQL 13) and analyzes each chunk after
    // it fills; index-only scans (the count) rely on the visibility map it sets.
    log("VACUUM (ANALYZE) detections…");
    const analyzeStarted = performance.now();
    await pool.query("VACUUM (ANALYZE) detections");
    const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
    const countStarted = performance.now();
    const stored = (await pool.query<{ n: string }>("SELECT count(*) AS n FROM detections")).rows[0]?.n ?? "?";
    const countSeconds = (performance.now() - countStarted) / 1000;
    const sizes = (
      await pool.query<{ db: string; wal: string; chunks: number; table: string; indexes: string; total: string }>(
        `SELECT pg_database_size(current_database())::text AS db,
                (SELECT coalesce(sum(size), 0)::text FROM pg_ls_waldir()) AS wal,
                (SELECT count(*)::int FROM timescaledb_information.chunks WHERE hypertable_name = 'detections') AS chunks,
                d.table_bytes::text AS table, d.index_bytes::text AS indexes, d.total_bytes::text AS total
           FROM hypertable_detailed_size('detections') d`,
      )
    ).rows[0];
    let diskMb = Number.NaN;
    if (!process.env.DATABASE_URL) {
      try {
        diskMb =
          Number(
            execFileSync("du", ["-sk", join(dir, "db")])
              .toString()
              .split("\t")[0],
          ) / 1024;
      } catch {
        // Reported as NaN.
      }
    }

    // The queries: 1 km² circles at random places on land that at least one camera covers.
    let redraws = 0;
    const lookup = (kind: Kind): Lookup => {
      for (;;) {
        const { minLat, maxLat, minLon, maxLon } = region.bbox;
        const lat = minLat + random() * (maxLat - minLat);
        const lon = minLon + random() * (maxLon - minLon);
        if (!region.contains(lat, lon)) continue;
        const area: Area = { kind: "circle", center: { lat, lon }, radiusM: RADIUS_M };
        const covering = cameras.filter((camera) => viewCoversArea(camera.view, area)).map((camera) => camera.id);
        if (covering.length === 0) {
          redraws += 1;
          continue;
        }
        const span = end.getTime() - windowStart.getTime() - kind.hours * 3600_000;
        const from = new Date(Math.floor((windowStart.getTime() + random() * span) / 1000) * 1000);
        const filter: DetectionFilter = {
          cameraIds: covering,
          from,
          to: new Date(from.getTime() + kind.hours * 3600_000),
        };
        if (kind.objectClasses) filter.objectClasses = kind.objectClasses;
        if (kind.plate) filter.plate = `M?-${10 + Math.floor(random() * 90)}-*`;
        return { filter, cameras: covering.length };
      }
    };
    // pointInView is the per-point test the same geometry offers; a sanity check that the seeded cameras see
    // their own position.
    if (!cameras.every((camera) => pointInView(camera.view, camera.view.position)))
      throw new Error("coverage geometry disagrees with the seeded cameras");

    const seqscan = (
      await pool.query<{ setting: string; source: string }>(
        "SELECT setting, source FROM pg_settings WHERE name = 'enable_seqscan'",
      )
    ).rows[0];
    let planner = `enable_seqscan = ${seqscan?.setting} (${seqscan?.source})`;
    if (seqscan?.setting === "off" && !keepSeqScanOff) {
      // One session shared by every connection: this holds for the gateway's pool too.
      await pool.query("SET enable_seqscan = on");
      planner += ", set to on for the indexed runs as in production (BENCH_KEEP_SEQSCAN_OFF=1 keeps it)";
    }

    // Like the gateway: a pool of 4 (DATABASE_POOL_SIZE's default); the baseline has its own connections.
    const gatewayPool = createPool(databaseUrl, 4, logger);
    cleanups.unshift(() => gatewayPool.end());
    const baselinePool = createPool(databaseUrl, 3, logger);
    cleanups.unshift(() => baselinePool.end());
    const indexed = new CasesRepository(gatewayPool);
    const sequential = new CasesRepository(seqScanPool(baselinePool));
    /** One page as CaseService.page asks for it: limit + 1 rows, the count and the plates, in parallel. */
    const page = async (repository: CasesRepository, filter: DetectionFilter, after?: DetectionCursor) => {
      const started = performance.now();
      const [rows, count, plates] = await Promise.all([
        repository.detections(filter, PAGE + 1, after),
        repository.count(filter),
        repository.plates(filter),
      ]);
      const ms = performance.now() - started;
      const last = rows.slice(0, PAGE).at(-1);
      const next =
        rows.length > PAGE && last
          ? { observedAt: last.observedAt, eventId: last.eventId, cameraId: last.cameraId }
          : undefined;
      return { ms, rows, count, plates, next };
    };

    // Warm-up (not measured): the first queries load the catalogue of the chunks.
    for (let index = 0; index < 3; index += 1) await page(indexed, lookup(KINDS[0] as Kind).filter);
    await page(sequential, lookup(KINDS[0] as Kind).filter);

    // Plans of what the gateway sends for one lookup of kinds a and c, indexed and forced to sequential scans.
    const plans: string[] = [];
    for (const kind of [KINDS[0], KINDS[2]] as Kind[]) {
      const calls: { text: string; values: unknown[] }[] = [];
      const explained = lookup(kind);
      await page(new CasesRepository(recordingPool(gatewayPool, calls)), explained.filter);
      plans.push(`  ${kind.label} (${explained.cameras} cameras):`);
      for (const [label, executor] of [
        ["indexed", gatewayPool],
        ["seq scan", seqScanPool(baselinePool)],
      ] as const) {
        for (const [index, call] of calls.entries()) {
          const result = await executor.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${call.text}`, call.values);
          const [plan] = result.rows[0]["QUERY PLAN"] as {
            Plan: PlanNode;
            "Planning Time": number;
            "Execution Time": number;
          }[];
          if (!plan) continue;
          const what = ["page", "count", "plates"][index];
          plans.push(
            `    ${label.padEnd(8)} ${String(what).padEnd(6)} planning ${plan["Planning Time"].toFixed(1).padStart(6)} ms, execution ${plan["Execution Time"].toFixed(1).padStart(7)} ms  ${describePlan(plan.Plan)}`,
          );
          if (explainFull) {
            const text = await executor.query(`EXPLAIN (ANALYZE, BUFFERS) ${call.text}`, call.values);
            console.error(`--- ${kind.key} ${label} ${what}:\n${text.rows.map((row) => row["QUERY PLAN"]).join("\n")}`);
          }
        }
      }
    }

    const results: {
      kind: Kind;
      indexedMs: number[];
      seqMs: number[];
      cameras: number[];
      matched: number[];
      mismatches: number;
      alone: number[][];
    }[] = [];
    /** The three statements of a page one at a time (right after the page itself, so warm): where the time goes. */
    const alone = async (filter: DetectionFilter, after: DetectionCursor | undefined, into: number[][]) => {
      const calls = [
        () => indexed.detections(filter, PAGE + 1, after),
        () => indexed.count(filter),
        () => indexed.plates(filter),
      ];
      for (const [index, call] of calls.entries()) {
        const started = performance.now();
        await call();
        into[index]?.push(performance.now() - started);
      }
    };
    for (const kind of KINDS) {
      const lookups = Array.from({ length: perKind }, () => lookup(kind));
      const indexedMs: number[] = [];
      const matched: number[] = [];
      /** Per lookup, the cursors of its further pages (for kind d), replayed by the baseline. */
      const cursors: (DetectionCursor | undefined)[][] = [];
      const firstIds: string[][] = [];
      const statements: number[][] = [[], [], []];
      for (const [index, item] of lookups.entries()) {
        if (kind.pages) {
          let result = await page(indexed, item.filter);
          const path: (DetectionCursor | undefined)[] = [];
          for (let n = 0; n < kind.pages && result.next; n += 1) {
            path.push(result.next);
            const after = result.next;
            result = await page(indexed, item.filter, after);
            indexedMs.push(result.ms);
            await alone(item.filter, after, statements);
            firstIds.push(result.rows.map((row) => row.eventId));
          }
          cursors.push(path);
          matched.push(result.count);
        } else {
          const result = await page(indexed, item.filter);
          indexedMs.push(result.ms);
          await alone(item.filter, undefined, statements);
          matched.push(result.count);
          firstIds.push(result.rows.map((row) => row.eventId));
        }
        progress(`${kind.key} indexed`, index + 1, lookups.length);
      }
      const seqMs: number[] = [];
      let mismatches = 0;
      let compared = 0;
      for (const [index, item] of lookups.slice(0, baselinePerKind).entries()) {
        const afters = kind.pages ? (cursors[index] ?? []) : [undefined];
        for (const after of afters) {
          const result = await page(sequential, item.filter, after);
          seqMs.push(result.ms);
          // Same rows in the same order as the indexed path gave for this page.
          const expected = firstIds[compared];
          if (expected?.join() !== result.rows.map((row) => row.eventId).join() || result.count !== matched[index])
            mismatches += 1;
          compared += 1;
        }
        progress(`${kind.key} seq scan`, index + 1, baselinePerKind);
      }
      results.push({
        kind,
        indexedMs,
        seqMs,
        cameras: lookups.map((item) => item.cameras),
        matched,
        mismatches,
        alone: statements,
      });
    }

    const memoryAtEnd = memoryOf(dbPid);
    const mb = (bytes: string | undefined) => (Number(bytes) / 1048576).toFixed(0);
    const f = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "-").padStart(7);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    console.log(
      `\nbench:lookup — ${total} detections over ${days} days, ${CAMERA_COUNT} cameras; ${perKind} lookups per kind, seq-scan baseline for the first ${baselinePerKind} of each (same SQL, index/bitmap/index-only scans off, chunk exclusion by time still on)`,
    );
    console.log(
      `covering cameras computed in the bench (correlator's viewCoversArea over the seeded cameras, all online); 1 km² = circle of r ${RADIUS_M.toFixed(0)} m at random land places (${redraws} places no camera covers were redrawn)`,
    );
    console.log(
      `seeded ${seeded} rows (${stored} in the table) in ${seedSeconds.toFixed(1)} s = ${(seeded / seedSeconds).toFixed(0)} rows/s (${seedMode}, ≤ ${batchRows} rows per INSERT); rows/s by tenth: ${deciles.map((d) => (d.rows / d.seconds).toFixed(0)).join(" ")}`,
    );
    console.log(
      `density: ${(total / (days * 24)).toFixed(0)} detections an hour city-wide = ${(total / (days * 86_400)).toFixed(1)}/s (the hub is sized for 200-5,000/s; BENCH_DAYS=1 gives denser chunks)`,
    );
    console.log(
      `VACUUM (ANALYZE) ${analyzeSeconds.toFixed(1)} s; count(*) of the whole table ${countSeconds.toFixed(1)} s; database ${mb(sizes?.db)} MB (table ${mb(sizes?.table)} MB, indexes ${mb(sizes?.indexes)} MB), WAL ${mb(sizes?.wal)} MB, data folder ${Number.isFinite(diskMb) ? `${diskMb.toFixed(0)} MB` : "n/a"}, ${sizes?.chunks} chunks`,
    );
    if (memoryAfterSeed || memoryAtEnd)
      console.log(
        `db-server RSS: ${memoryAfterSeed?.rssMb.toFixed(0)} MB after seeding, ${memoryAtEnd?.rssMb.toFixed(0)} MB at the end, peak ${memoryAtEnd?.peakMb.toFixed(0)} MB; RSS by tenth of the seeding: ${deciles.map((d) => d.rssMb.toFixed(0)).join(" ")}`,
      );
    console.log(`planner: ${planner}`);
    console.log("EXPLAIN ANALYZE of the gateway's three statements (top nodes; scans, counted over the chunks):");
    for (const line of plans) console.log(line);
    console.log(
      `\n${"kind".padEnd(38)} ${"n".padStart(4)}  ${"indexed p50 / p95 / p99 ms".padStart(27)}  ${"n".padStart(3)}  ${"seq scan p50 / p95 / p99 ms".padStart(27)}  ${"p95 ratio".padStart(9)}  cameras  matched`,
    );
    for (const { kind, indexedMs, seqMs, cameras: covering, matched, mismatches, alone: each } of results) {
      const a = [...indexedMs].sort((x, y) => x - y);
      const b = [...seqMs].sort((x, y) => x - y);
      const ratio = percentile(b, 95) / percentile(a, 95);
      console.log(
        `${kind.label.padEnd(38)} ${String(a.length).padStart(4)}  ${f(percentile(a, 50))} ${f(percentile(a, 95))} ${f(percentile(a, 99))}      ${String(b.length).padStart(3)}  ${f(percentile(b, 50))} ${f(percentile(b, 95))} ${f(percentile(b, 99))}     ${(Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : "-").padStart(7)}  ${mean(covering).toFixed(0).padStart(7)}  ${mean(matched).toFixed(0).padStart(7)}${mismatches > 0 ? `  ${mismatches} pages differ from the indexed path!` : ""}`,
      );
      const share = (values: number[] | undefined) => {
        const sorted = [...(values ?? [])].sort((x, y) => x - y);
        return `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 95).toFixed(1)}`;
      };
      console.log(
        `${"".padEnd(5)}each alone, indexed, p50 / p95 ms: page ${share(each[0])}, count ${share(each[1])}, plates ${share(each[2])}`,
      );
    }
    const goal = results[0]
      ? percentile(
          [...results[0].indexedMs].sort((x, y) => x - y),
          95,
        )
      : Number.NaN;
    console.log(
      `(ratio = seq-scan p95 / indexed p95; "each alone" = the three statements timed one at a time right after the page (warm); cameras = mean covering cameras; matched = mean count(*) of the lookup; each time is detections page + count + plates in parallel, as CaseService.page runs them${dbPid ? " (the embedded database runs them one after another: one shared session)" : ""}; kind d times each further page)`,
    );
    console.log(
      `goal p95 ≤ ${GOAL_P95_MS} ms for a 1 km², 2-hour query: ${goal <= GOAL_P95_MS ? "met" : "NOT met"} (p95 ${goal.toFixed(1)} ms)`,
    );

    // Storage per detection, for docs/capacity.md: the same chunks before and after TimescaleDB compression (the
    // correlator's compression policy does this to chunks older than CORRELATOR_COMPRESS_DETECTIONS_AFTER_HOURS).
    log("compressing every detections chunk…");
    const compressStarted = performance.now();
    await pool.query("SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('detections') c");
    const compressSeconds = (performance.now() - compressStarted) / 1000;
    const compressed = (
      await pool.query<{ total: string }>(
        "SELECT total_bytes::text AS total FROM hypertable_detailed_size('detections')",
      )
    ).rows[0];
    const rows = Number(stored);
    const before = Number(sizes?.total);
    const after = Number(compressed?.total);
    console.log(
      `storage: ${(before / rows).toFixed(0)} bytes a detection uncompressed (table, indexes, TOAST), ${(after / rows).toFixed(0)} compressed (${(before / after).toFixed(1)}× smaller; compressing ${rows} rows took ${compressSeconds.toFixed(1)} s)`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
