/**
 * npm run bench:lookup — the police case lookup (the gateway's CasesRepository: a keyset page of detections of the
 * covering cameras in the window, its count(*) and its plates, in parallel as CaseService.page runs them) over a
 * detections hypertable seeded with BENCH_DETECTIONS rows for 1,701 cameras, first spread over 30 days (sparse), then
 * the same number over 1 day (dense), each timed over uncompressed chunks and again after compressing every chunk as
 * the hub's compression policy does (the hypertable's segmentby/orderby). Goal: p95 ≤ 200 ms for a 1 km², 2-hour
 * query, in all four cases. Besides the times, the figure a user pays for: rows read per row returned, from EXPLAIN
 * (ANALYZE, BUFFERS) of the statements exactly as the gateway sent them, and the buffers they touched.
 *
 * The covering cameras of a query are computed here with the correlator's coverage geometry (viewCoversArea over
 * the seeded cameras, all taken as online), as the correlator's case assist would; the bench times the detection
 * queries, not case assist. Rows are generated and inserted by the bench itself (no Kafka), in time order, with
 * a realistic class mix (the simulator's Traffic weights), a daily profile and uneven camera activity.
 *
 * Environment: BENCH_DETECTIONS (default 10000000), BENCH_DAYS (days the rows are spread over, a comma-separated
 * list run one after the other, default "30,1"), BENCH_QUERIES (per kind, default 50), BENCH_EXPLAIN_QUERIES
 * (lookups per kind that are also EXPLAINed, default 5), BENCH_SEED_MODE ("sql": rows made by generate_series in the
 * database, the default; "unnest": rows made in this process and sent as unnest arrays), BENCH_BATCH (rows per
 * INSERT, default 50000), BENCH_SEED (random seed, default 1), BENCH_EXPLAIN=1 (print the full EXPLAIN ANALYZE plans
 * of the first lookup of each kind), BENCH_KEEP_SEQSCAN_OFF=1 (see below), DATABASE_URL (use an existing, scratch,
 * database instead of the embedded one: the bench empties its detections table).
 *
 * The embedded database starts with enable_seqscan = off (its PGlite build passes it on the backend's command line;
 * pg_settings shows source "command line"), which no production TimescaleDB does: the planner then takes an index
 * whenever one applies, whatever it costs. The bench sets it back to on (for the one shared session) so that the
 * plans are the ones production would choose; BENCH_KEEP_SEQSCAN_OFF=1 keeps the embedded default.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, createPool, devSites, h3Cell, macaoLandPath, type Pool, Region } from "@hub/common";
import { type Area, pointInView, viewCoversArea } from "@hub/correlator";
import { CasesRepository, type DetectionCursor, type DetectionFilter } from "@hub/gateway";
import { buildCameras } from "@hub/simulator";
import { percentile, progress, startBenchHub } from "./support.js";

const total = Number(process.env.BENCH_DETECTIONS ?? 10_000_000);
const densityDays = (process.env.BENCH_DAYS ?? "30,1").split(",").map(Number);
const perKind = Number(process.env.BENCH_QUERIES ?? 50);
const explainPerKind = Math.min(perKind, Number(process.env.BENCH_EXPLAIN_QUERIES ?? 5));
const seedMode = process.env.BENCH_SEED_MODE ?? "sql";
const batchRows = Number(process.env.BENCH_BATCH ?? 50_000);
const randomSeed = Number(process.env.BENCH_SEED ?? 1);
const explainFull = process.env.BENCH_EXPLAIN === "1";
const CAMERA_COUNT = 1701;
/** A circle of 1 km². */
const RADIUS_M = Math.sqrt(1_000_000 / Math.PI);
const PAGE = 100;
const FURTHER_PAGES = 5;
const GOAL_P95_MS = 200;
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

function planBatches(end: Date, days: number, random: () => number): Piece[][] {
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
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

/** TimescaleDB's scan of a compressed chunk: it decompresses batches into rows. */
const isDecompression = (node: PlanNode) =>
  node["Node Type"] === "Custom Scan" && /Decompress|Columnar/.test(node["Custom Plan Provider"] ?? "");

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
    if ((/Scan/.test(current["Node Type"]) && current["Node Type"] !== "Custom Scan") || isDecompression(current)) {
      const index = current["Index Name"]?.replace(/^(compress_)?_?hyper_\d+_\d+_chunk_/, (_, compressed) =>
        compressed ? "compressed " : "",
      );
      const base = isDecompression(current) ? name(current) : current["Node Type"];
      const key = index ? `${base} (${index})` : base;
      scans.set(key, (scans.get(key) ?? 0) + 1);
    }
    for (const child of current.Plans ?? []) walk(child);
  };
  walk(root);
  const leaves = [...scans].map(([key, count]) => `${count}× ${key}`).join(", ");
  const last = chain.at(-1) ?? "";
  return `${chain.join(" → ")}${leaves && (!/Scan/.test(last) || last.startsWith("Custom Scan")) ? `: ${leaves}` : ""}`;
}

/**
 * Rows the statement read: the rows each scan node produced plus those its filters (and index rechecks) removed,
 * over all its loops. A scan of a compressed chunk counts the rows it decompressed, not the compressed batches it
 * read (those scans below it are not counted); a bitmap index scan only finds heap pages for the heap scan above.
 */
function rowsScanned(node: PlanNode, underDecompression = false): number {
  const decompression = isDecompression(node);
  const scan =
    decompression ||
    (!underDecompression &&
      /Scan/.test(node["Node Type"]) &&
      node["Node Type"] !== "Custom Scan" &&
      node["Node Type"] !== "Bitmap Index Scan");
  const loops = node["Actual Loops"] ?? 1;
  const own = scan
    ? ((node["Actual Rows"] ?? 0) +
        (node["Rows Removed by Filter"] ?? 0) +
        (node["Rows Removed by Index Recheck"] ?? 0)) *
      loops
    : 0;
  return (node.Plans ?? []).reduce((sum, child) => sum + rowsScanned(child, underDecompression || decompression), own);
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
  { key: "a", label: "a 1 km², 2 h", hours: 2 },
  { key: "b", label: "b a, vehicles", hours: 2, objectClasses: ["vehicle"] },
  { key: "c", label: "c plate, 24 h", hours: 24, plate: true },
  { key: "d", label: `d a, pages 2-${FURTHER_PAGES + 1}`, hours: 2, pages: FURTHER_PAGES },
];
const STATEMENTS = ["page", "count", "plates"] as const;

/** The figures of one kind of lookup over one density and one storage. */
interface KindResult {
  kind: Kind;
  /** Page + count + plates in parallel, per page. */
  ms: number[];
  /** Each statement timed alone, per page. */
  alone: number[][];
  cameras: number[];
  matched: number[];
  /** Per statement: rows read, rows returned (page rows; rows counted; plate detections grouped), over the sample. */
  scanned: number[];
  returned: number[];
  hit: number;
  read: number;
  explained: number;
  /** Per page timed: its event ids and count, to compare storages. */
  pages: string[];
  plans: string[];
}

interface StorageResult {
  storage: string;
  kinds: KindResult[];
  mismatches?: number;
}

interface DensityResult {
  days: number;
  notes: string[];
  storages: StorageResult[];
}

async function main() {
  const hub = await startBenchHub("hub-bench-lookup-", log, logger, { kafka: false });
  const { dir, databaseUrl, pool, cleanups, dbPid } = hub;
  try {
    const random = rng(randomSeed);
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
    // pointInView is the per-point test the same geometry offers; a sanity check that the seeded cameras see
    // their own position.
    if (!cameras.every((camera) => pointInView(camera.view, camera.view.position)))
      throw new Error("coverage geometry disagrees with the seeded cameras");
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
    const engine = (
      await pool.query<{ pg: string; tsdb: string | null; license: string | null }>(
        `SELECT current_setting('server_version') AS pg,
                (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS tsdb,
                current_setting('timescaledb.license', true) AS license`,
      )
    ).rows[0];
    const where = process.env.DATABASE_URL
      ? (() => {
          const url = new URL(process.env.DATABASE_URL);
          return `at DATABASE_URL (${url.host}${url.pathname})`;
        })()
      : "embedded (PGlite: PostgreSQL compiled to WebAssembly, one shared session)";
    const engineLine = `engine: PostgreSQL ${engine?.pg}, TimescaleDB ${engine?.tsdb ?? "absent"} (license ${engine?.license ?? "?"}), ${where}`;
    log(engineLine);
    const policy = (
      await pool.query<{ job_id: number; after: string | null }>(
        `SELECT job_id, config->>'compress_after' AS after FROM timescaledb_information.jobs
          WHERE proc_name = 'policy_compression' AND hypertable_name = 'detections'`,
      )
    ).rows[0];

    // A database with TimescaleDB's job scheduler (not the embedded one) would compress, drop and refresh on its
    // own schedule in the middle of the measurement: its jobs are paused for the run and resumed afterwards.
    const paused = (
      await pool.query<{ job_id: number }>(
        "SELECT job_id FROM timescaledb_information.jobs WHERE scheduled AND job_id >= 1000 ORDER BY job_id",
      )
    ).rows.map((row) => row.job_id);
    if (paused.length > 0) {
      await pool.query("SELECT alter_job(id, scheduled => false) FROM unnest($1::int[]) AS id", [paused]);
      cleanups.unshift(async () => {
        await pool.query("SELECT alter_job(id, scheduled => true) FROM unnest($1::int[]) AS id", [paused]);
      });
    }
    const seqscan = (
      await pool.query<{ setting: string; source: string }>(
        "SELECT setting, source FROM pg_settings WHERE name = 'enable_seqscan'",
      )
    ).rows[0];
    let planner = `enable_seqscan = ${seqscan?.setting} (${seqscan?.source})`;
    if (seqscan?.setting === "off" && !keepSeqScanOff) {
      // One session shared by every connection: this holds for the gateway's pool too.
      await pool.query("SET enable_seqscan = on");
      planner += ", set to on as in production (BENCH_KEEP_SEQSCAN_OFF=1 keeps it)";
    }
    // Like the gateway: a pool of 4 (DATABASE_POOL_SIZE's default).
    const gatewayPool = createPool(databaseUrl, 4, logger);
    cleanups.unshift(() => gatewayPool.end());
    const repository = new CasesRepository(gatewayPool);
    const slots = cameraSlots(cameras, random);
    const end = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const densities: DensityResult[] = [];
    let compressionError: string | undefined;

    for (const [densityIndex, days] of densityDays.entries()) {
      const notes: string[] = [];
      // A scratch database given by DATABASE_URL may hold an earlier run's rows.
      if (densityIndex > 0 || process.env.DATABASE_URL) await pool.query("TRUNCATE detections");
      const seeded = await seed(pool, days, end, slots, random, dbPid);
      notes.push(seeded.line);
      // No autovacuum in the embedded database: without this there are no statistics and no visibility map. In
      // production autovacuum vacuums (inserts alone trigger it since PostgreSQL 13) and analyzes each chunk after
      // it fills; index-only scans (the count) rely on the visibility map it sets.
      log("VACUUM (ANALYZE) detections…");
      const analyzeStarted = performance.now();
      await pool.query("VACUUM (ANALYZE) detections");
      const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
      const sizes = await sizesOf(pool);
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
      notes.push(
        `VACUUM (ANALYZE) ${analyzeSeconds.toFixed(1)} s; database ${mb(sizes.db)} MB (detections ${mb(sizes.table)} MB, indexes ${mb(sizes.indexes)} MB), WAL ${mb(sizes.wal)} MB, data folder ${Number.isFinite(diskMb) ? `${diskMb.toFixed(0)} MB` : "n/a"}, ${sizes.chunks} chunks`,
      );

      // The queries: 1 km² circles at random places on land that at least one camera covers; the same lookups
      // for both storages.
      let redraws = 0;
      const windowStart = new Date(end.getTime() - days * 86_400_000);
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
      const lookups = KINDS.map((kind) => Array.from({ length: perKind }, () => lookup(kind)));
      notes.push(`${redraws} places no camera covers were redrawn`);

      const storages: StorageResult[] = [];
      const uncompressed = await measure(pool, gatewayPool, repository, lookups, "uncompressed");
      storages.push(uncompressed);

      // The hub's compression policy (its job, run here by hand: the embedded database has no job scheduler, and a
      // native one's is paused) compresses the chunks older than compress_after with the hypertable's
      // segmentby/orderby; compress_chunk then does the same to the newer ones, as the policy will once they age.
      log("compressing every detections chunk…");
      const compressStarted = performance.now();
      const compressedChunks = async () =>
        (
          await pool.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'detections' AND is_compressed",
          )
        ).rows[0]?.n ?? 0;
      let byPolicy = 0;
      let byHand = 0;
      try {
        if (policy) {
          await pool.query(`CALL run_job(${Number(policy.job_id)})`);
          byPolicy = await compressedChunks();
        }
        await pool.query("SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('detections') c");
        byHand = (await compressedChunks()) - byPolicy;
      } catch (error) {
        compressionError = error instanceof Error ? error.message : String(error);
      }
      if (compressionError === undefined) {
        const compressSeconds = (performance.now() - compressStarted) / 1000;
        await analyzeCompressed(pool);
        const after = await sizesOf(pool);
        const rows = seeded.stored;
        notes.push(
          `compression: ${byPolicy} chunks by the policy's job (older than ${policy?.after ?? "?"}), ${byHand} newer ones by compress_chunk, in ${compressSeconds.toFixed(1)} s; ${(Number(sizes.total) / rows).toFixed(0)} bytes a detection uncompressed (table, indexes, TOAST), ${(Number(after.total) / rows).toFixed(0)} compressed (${(Number(sizes.total) / Number(after.total)).toFixed(1)}× smaller)`,
        );
        const compressed = await measure(pool, gatewayPool, repository, lookups, "compressed");
        compressed.mismatches = compressed.kinds.reduce(
          (sum, result, index) =>
            sum + result.pages.filter((page, n) => page !== uncompressed.kinds[index]?.pages[n]).length,
          0,
        );
        storages.push(compressed);
      }
      if (dbPid) {
        const memory = memoryOf(dbPid);
        notes.push(
          `db-server RSS ${memory?.rssMb.toFixed(0)} MB at the end, peak ${memory?.peakMb.toFixed(0)} MB (RSS by tenth of the seeding: ${seeded.rssByTenth})`,
        );
      }
      densities.push({ days, notes, storages });
    }

    console.log(
      `\nbench:lookup — ${total} detections over ${densityDays.join(" and ")} day(s), ${CAMERA_COUNT} cameras; ${perKind} lookups per kind; 1 km² = circle of r ${RADIUS_M.toFixed(0)} m at random land places, covering cameras from the correlator's viewCoversArea (all online)`,
    );
    console.log(engineLine);
    console.log(`planner: ${planner}`);
    if (paused.length > 0) console.log(`${paused.length} TimescaleDB jobs (the policies) paused during the run`);
    if (compressionError !== undefined)
      console.log(`compression: NOT supported by this engine (${compressionError}); compressed rows are missing`);
    for (const density of densities) {
      console.log(
        `\n${densityLabel(density.days)}: ${(total / (density.days * 24)).toFixed(0)} detections an hour city-wide (${(total / (density.days * 86_400)).toFixed(1)}/s)`,
      );
      for (const note of density.notes) console.log(`  ${note}`);
      for (const storage of density.storages) {
        console.log(`  EXPLAIN ANALYZE, ${storage.storage} (one lookup; top nodes, scans counted over the chunks):`);
        for (const result of storage.kinds) for (const line of result.plans) console.log(`    ${line}`);
        if (storage.mismatches !== undefined)
          console.log(
            `  ${storage.mismatches === 0 ? "every page and count over compressed chunks equals the uncompressed one" : `${storage.mismatches} pages or counts over compressed chunks differ from the uncompressed ones!`}`,
          );
      }
    }
    const cell = (value: number, width = 7) => (Number.isFinite(value) ? value.toFixed(1) : "-").padStart(width);
    const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "-").padStart(6);
    console.log(
      `\n${"".padEnd(42)}${"page + count + plates ms".padStart(31)}  ${"alone p95 ms".padStart(22)}  ${"rows read per row returned".padStart(26)}  ${"buffers a page".padStart(15)}`,
    );
    console.log(
      `${"density".padEnd(13)}${"storage".padEnd(13)}${"kind".padEnd(16)}${"n".padStart(4)}  ${"p50".padStart(7)}${"p95".padStart(8)}${"p99".padStart(8)}  ${"page".padStart(6)}${"count".padStart(8)}${"plates".padStart(8)}  ${"page".padStart(6)}${"count".padStart(7)}${"plates".padStart(7)}${"n".padStart(6)}  ${"hit".padStart(7)}${"read".padStart(8)}  cameras  matched`,
    );
    const goals: string[] = [];
    for (const density of densities) {
      for (const storage of density.storages) {
        for (const result of storage.kinds) {
          const sorted = [...result.ms].sort((x, y) => x - y);
          const p95Alone = (values: number[] | undefined) =>
            percentile(
              [...(values ?? [])].sort((x, y) => x - y),
              95,
            );
          const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
          console.log(
            `${densityLabel(density.days).padEnd(13)}${storage.storage.padEnd(13)}${result.kind.label.padEnd(16)}${String(sorted.length).padStart(4)}  ${cell(percentile(sorted, 50))} ${cell(percentile(sorted, 95))} ${cell(percentile(sorted, 99))}  ${cell(p95Alone(result.alone[0]), 6)} ${cell(p95Alone(result.alone[1]))} ${cell(p95Alone(result.alone[2]))}  ${STATEMENTS.map((_, index) => ratio((result.scanned[index] ?? 0) / (result.returned[index] ?? 0))).join(" ")}${String(result.explained).padStart(6)}  ${(result.hit / Math.max(1, result.explained)).toFixed(0).padStart(7)} ${(result.read / Math.max(1, result.explained)).toFixed(0).padStart(7)}  ${mean(result.cameras).toFixed(0).padStart(7)}  ${mean(result.matched).toFixed(0).padStart(7)}`,
          );
          if (result.kind.key === "a") {
            const p95 = percentile(sorted, 95);
            goals.push(
              `${densityLabel(density.days)}, ${storage.storage}: ${p95 <= GOAL_P95_MS ? "met" : "NOT met"} (p95 ${p95.toFixed(1)} ms)`,
            );
          }
        }
      }
    }
    console.log(
      `(times: the three statements of a page in parallel, as CaseService.page runs them${dbPid ? " (the embedded database runs them one after another: one shared session)" : ""}; kind d times each further page by cursor, which reads only the page (CaseService keeps the lookup's count and plates); "alone" = each statement timed by itself right after (warm). Rows read per row returned, from EXPLAIN (ANALYZE, BUFFERS) of the first ${explainPerKind} lookups of each kind (n = pages explained): rows the scan nodes produced, incl. rows decompressed from compressed chunks, plus rows their filters removed, over the rows the statement returns (page: its rows; count: the rows counted; plates: the plate detections grouped); 1.0 is ideal. Buffers: shared blocks hit / read by the three statements of a page. cameras = mean covering cameras; matched = mean count(*) of a lookup)`,
    );
    console.log(`goal p95 ≤ ${GOAL_P95_MS} ms for a 1 km², 2-hour query: ${goals.join("; ")}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

const densityLabel = (days: number) => (days === 1 ? "dense 1 d" : `${days >= 7 ? "sparse" : "mid"} ${days} d`);
const mb = (bytes: string | undefined) => (Number(bytes) / 1048576).toFixed(0);

async function sizesOf(pool: Pool) {
  const row = (
    await pool.query<{ db: string; wal: string; chunks: number; table: string; indexes: string; total: string }>(
      `SELECT pg_database_size(current_database())::text AS db,
              (SELECT coalesce(sum(size), 0)::text FROM pg_ls_waldir()) AS wal,
              (SELECT count(*)::int FROM timescaledb_information.chunks WHERE hypertable_name = 'detections') AS chunks,
              d.table_bytes::text AS table, d.index_bytes::text AS indexes, d.total_bytes::text AS total
         FROM hypertable_detailed_size('detections') d`,
    )
  ).rows[0];
  if (!row) throw new Error("no size of the detections hypertable");
  return row;
}

/** Statistics of the compressed chunks (autovacuum's work in production; the embedded database has none). */
async function analyzeCompressed(pool: Pool): Promise<void> {
  const compressed = (
    await pool.query<{ name: string }>(
      `SELECT format('%I.%I', c.schema_name, c.table_name) AS name
         FROM _timescaledb_catalog.hypertable h JOIN _timescaledb_catalog.hypertable c ON c.id = h.compressed_hypertable_id
        WHERE h.table_name = 'detections'`,
    )
  ).rows[0]?.name;
  await pool.query("VACUUM (ANALYZE) detections");
  if (compressed) await pool.query(`VACUUM (ANALYZE) ${compressed}`);
}

/** Seeds `total` detections over `days` days before `end`, hour by hour, oldest first. */
async function seed(
  pool: Pool,
  days: number,
  end: Date,
  slots: SeedCamera[],
  random: () => number,
  dbPid: number | undefined,
): Promise<{ stored: number; line: string; rssByTenth: string }> {
  const batches = planBatches(end, days, random);
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
    await pool.query("SELECT setseed($1)", [(randomSeed % 1000) / 1000]);
  } else if (seedMode !== "unnest") throw new Error(`BENCH_SEED_MODE must be sql or unnest, not ${seedMode}`);
  log(`seeding ${total} detections over ${days} days (${batches.length} INSERTs of ≤ ${batchRows} rows, ${seedMode})…`);
  const started = performance.now();
  const deciles: { rows: number; seconds: number; rssMb: number }[] = [];
  let seeded = 0;
  let nextDecile = 1;
  let decileStarted = started;
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
  const seconds = (performance.now() - started) / 1000;
  if (seedMode === "sql") await pool.query("DROP TABLE bench_seed_slots");
  const stored = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM detections")).rows[0]?.n);
  return {
    stored,
    line: `seeded ${seeded} rows (${stored} in the table) in ${seconds.toFixed(1)} s = ${(seeded / seconds).toFixed(0)} rows/s (${seedMode}, ≤ ${batchRows} rows per INSERT); rows/s by tenth: ${deciles.map((d) => (d.rows / d.seconds).toFixed(0)).join(" ")}`,
    rssByTenth: deciles.map((d) => d.rssMb.toFixed(0)).join(" "),
  };
}

/**
 * Times every lookup (page + count + plates in parallel, as CaseService.page runs them, then each statement alone),
 * then EXPLAINs (ANALYZE, BUFFERS) the statements of the first `explainPerKind` lookups of each kind exactly as the
 * gateway sent them.
 */
async function measure(
  pool: Pool,
  gatewayPool: Pool,
  repository: CasesRepository,
  lookups: Lookup[][],
  storage: string,
): Promise<StorageResult> {
  /** A page as CaseService.page reads it: the first with its count and plates, further ones alone (the lookup's
   * summary is stored). */
  const page = async (from: CasesRepository, filter: DetectionFilter, after?: DetectionCursor) => {
    const started = performance.now();
    const [rows, count, plates] = await Promise.all([
      from.detections(filter, PAGE + 1, after),
      after ? Promise.resolve(Number.NaN) : from.count(filter),
      after ? Promise.resolve([]) : from.plates(filter),
    ]);
    const ms = performance.now() - started;
    const last = rows.slice(0, PAGE).at(-1);
    const next =
      rows.length > PAGE && last
        ? { observedAt: last.observedAt, eventId: last.eventId, cameraId: last.cameraId }
        : undefined;
    const plated = plates.reduce((sum, plate) => sum + plate.count, 0);
    return { ms, rows, count, plated, next };
  };
  // Warm-up (not measured): the first queries load the catalogue of the chunks.
  const first = lookups[0]?.[0];
  if (first) for (let index = 0; index < 3; index += 1) await page(repository, first.filter);

  const kinds: KindResult[] = [];
  for (const [kindIndex, kind] of KINDS.entries()) {
    const result: KindResult = {
      kind,
      ms: [],
      alone: [[], [], []],
      cameras: [],
      matched: [],
      scanned: [0, 0, 0],
      returned: [0, 0, 0],
      hit: 0,
      read: 0,
      explained: 0,
      pages: [],
      plans: [],
    };
    /** Statements to EXPLAIN, with what they returned. */
    const explain: { calls: { text: string; values: unknown[] }[]; returned: number[] }[] = [];
    const timed = async (index: number, filter: DetectionFilter, after?: DetectionCursor) => {
      const calls: { text: string; values: unknown[] }[] = [];
      const from = index < explainPerKind ? new CasesRepository(recordingPool(gatewayPool, calls)) : repository;
      const outcome = await page(from, filter, after);
      result.ms.push(outcome.ms);
      result.pages.push(`${outcome.count}:${outcome.rows.map((row) => row.eventId).join()}`);
      const statements = [
        () => repository.detections(filter, PAGE + 1, after),
        () => repository.count(filter),
        () => repository.plates(filter),
      ];
      for (const [n, call] of statements.slice(0, after ? 1 : 3).entries()) {
        const started = performance.now();
        await call();
        result.alone[n]?.push(performance.now() - started);
      }
      if (calls.length > 0)
        explain.push({ calls, returned: [outcome.rows.length, outcome.count, outcome.plated].slice(0, calls.length) });
      return outcome;
    };
    const items = lookups[kindIndex] ?? [];
    for (const [index, item] of items.entries()) {
      let outcome = kind.pages ? await page(repository, item.filter) : await timed(index, item.filter);
      const matched = outcome.count;
      for (let n = 0; kind.pages && n < kind.pages && outcome.next; n += 1)
        outcome = await timed(index, item.filter, outcome.next);
      result.cameras.push(item.cameras);
      result.matched.push(matched);
      progress(`${kind.key} ${storage}`, index + 1, items.length);
    }
    for (const [index, { calls, returned }] of explain.entries()) {
      for (const [n, call] of calls.entries()) {
        // Statements are recorded in the order they were sent: page, count, plates.
        const explained = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${call.text}`, call.values);
        const [plan] = explained.rows[0]["QUERY PLAN"] as {
          Plan: PlanNode;
          "Planning Time": number;
          "Execution Time": number;
        }[];
        if (!plan) continue;
        result.scanned[n] = (result.scanned[n] ?? 0) + rowsScanned(plan.Plan);
        result.returned[n] = (result.returned[n] ?? 0) + (returned[n] ?? 0);
        result.hit += plan.Plan["Shared Hit Blocks"] ?? 0;
        result.read += plan.Plan["Shared Read Blocks"] ?? 0;
        if (index === 0 && (kind.key === "a" || kind.key === "c"))
          result.plans.push(
            `${kind.label.padEnd(15)} ${String(STATEMENTS[n]).padEnd(6)} planning ${plan["Planning Time"].toFixed(1).padStart(6)} ms, execution ${plan["Execution Time"].toFixed(1).padStart(7)} ms, ${rowsScanned(plan.Plan)} rows read  ${describePlan(plan.Plan)}`,
          );
        if (explainFull && index === 0) {
          const text = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${call.text}`, call.values);
          console.error(
            `--- ${storage} ${kind.key} ${STATEMENTS[n]}:\n${text.rows.map((row) => row["QUERY PLAN"]).join("\n")}`,
          );
        }
      }
      result.explained += 1;
    }
    kinds.push(result);
  }
  return { storage, kinds };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
