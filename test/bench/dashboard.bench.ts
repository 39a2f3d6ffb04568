/**
 * npm run bench:dashboard — from evidence reaching the hub to an incident on the live map, in a real browser
 * (Debian's chromium through playwright-core, as the browser tests drive it), on this machine:
 *   - the correlator consumes a fire detection and a smoke reading from Kafka, opens an incident, and its outbox
 *     relay publishes the change; the gateway pushes it to the signed-in dashboard, which draws it on the map and
 *     adds it to the incident list.
 * Figures per incident: from the correlator's transaction that opened it (incidents.opened_at, the moment the
 * correlator has it) to its item in the page's incident list and to the map's incident count going up, and from the
 * evidence being produced to Kafka to the map. Goal: on the map and in the list within 2 s of the correlator having
 * it. This is where that goal is checked; the browser test (test/integration/dashboard.test.ts) only checks that it
 * happens, with a generous timeout, so that a busy machine cannot fail the suite.
 *
 * Baseline, in the same run: the gateway's REST snapshot listing the same incident, timed from the same transaction
 * (what a reload of the page would show, without the push and the drawing).
 *
 * Environment: BENCH_ROUNDS (incidents, one after another, default 10), KAFKA_BROKERS / DATABASE_URL to use
 * existing infrastructure. The npm script builds the dashboard (web/dist) first.
 */
import { randomUUID } from "node:crypto";
import { createLogger, H3_PARTITION_RESOLUTION, h3Cell, topics } from "@hub/common";
import type { LoginResponse } from "@hub/contracts";
import { DetectionRecord, SensorReadingRecord } from "@hub/proto";
import { cellToParent } from "h3-js";
import { Partitioners } from "kafkajs";
import type { Page } from "playwright-core";
import { launchBrowser } from "../support/browser.js";
import { fireEvidence, SENADO } from "../support/factories.js";
import { nowMs } from "./fanout-support.js";
import { percentile, startBenchHub, startBenchService } from "./support.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const GOAL_MS = 2000;
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = "bench-password";
const gatewayUrl = "http://127.0.0.1:8184";

interface Round {
  /** Evidence produced → the correlator's transaction that opened the incident. */
  correlatedMs: number;
  /** Incident committed → its item in the page's incident list. */
  listMs: number;
  /** Incident committed → the map's incident count includes it. */
  mapMs: number;
  /** Evidence produced → on the map. */
  endToEndMs: number;
  /** Incident committed → the gateway's REST snapshot has it (the baseline). */
  snapshotMs: number;
}

/** A point `metres` east of `from`. */
const east = (from: { lat: number; lon: number }, metres: number) => ({
  lat: from.lat,
  lon: from.lon + metres / (111_320 * Math.cos((from.lat * Math.PI) / 180)),
});

async function main() {
  const hub = await startBenchHub("hub-bench-dashboard-", log, logger);
  const { pool, kafka, cleanups } = hub;
  try {
    // Cameras along a line east of the Senado square, each round's fire a few hundred metres from the last so that
    // every round opens its own incident.
    const district = `Bench-${randomUUID().slice(0, 6)}`;
    const cameras = Array.from({ length: rounds }, (_, index) => ({
      id: `bench-cam-${randomUUID().slice(0, 6)}-${index}`,
      ...east(SENADO, index * 400),
    }));
    await pool.query("INSERT INTO sites (id, name) VALUES ('site-bench', 'site-bench') ON CONFLICT (id) DO NOTHING");
    for (const camera of cameras)
      await pool.query(
        `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m)
         VALUES ($1, 'site-bench', $1, $2, $3, $5, $4, 1, 90, 90, 120)`,
        [camera.id, camera.lat, camera.lon, district, h3Cell(camera.lat, camera.lon)],
      );

    await startBenchService(hub, {
      name: "correlator",
      opsPort: 9589,
      env: {
        CORRELATOR_HOST: "127.0.0.1",
        CORRELATOR_OPS_PORT: "9589",
        CORRELATOR_GRPC_PORT: "50181",
        CORRELATOR_GROUP_ID: `bench-${randomUUID().slice(0, 8)}`,
      },
      log,
    });
    await startBenchService(hub, {
      name: "gateway",
      opsPort: 9588,
      env: {
        GATEWAY_HOST: "127.0.0.1",
        GATEWAY_PORT: "8184",
        GATEWAY_OPS_PORT: "9588",
        CORRELATOR_GRPC_ADDRESS: "127.0.0.1:50181",
        DEV_USER_PASSWORD: PASSWORD,
      },
      log,
    });
    const token = await signIn("operator");

    log("chromium: the dashboard, signed in as the operator…");
    const browser = await launchBrowser();
    cleanups.unshift(() => browser.close());
    // bypassCSP: the dashboard's CSP forbids eval, which waitForFunction's string predicate needs.
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, bypassCSP: true });
    await page.goto(gatewayUrl);
    await page.getByTestId("login-username").fill("operator");
    await page.getByTestId("login-password").fill(PASSWORD);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
    await page.getByTestId("map-stats").and(page.locator('[data-map-loaded="true"]')).waitFor({ timeout: 60_000 });

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    cleanups.unshift(() => producer.disconnect());

    const results: Round[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const camera = cameras[round - 1] as (typeof cameras)[number];
      const before = await mapCount(page);
      const { detection, reading } = fireEvidence(camera.id);
      const producedAt = nowMs();
      const context = (at: { lat: number; lon: number }) => ({
        ingestedAt: new Date(),
        siteId: "site-bench",
        position: at,
        district,
        h3Cell: h3Cell(at.lat, at.lon),
      });
      const key = cellToParent(h3Cell(camera.lat, camera.lon), H3_PARTITION_RESOLUTION);
      await producer.send({
        topic: topics.detections.name,
        acks: -1,
        messages: [
          { key, value: Buffer.from(DetectionRecord.encode({ detection, context: context(camera) }).finish()) },
        ],
      });
      await producer.send({
        topic: topics.sensorReadings.name,
        acks: -1,
        messages: [
          {
            key,
            value: Buffer.from(SensorReadingRecord.encode({ reading, context: context(east(camera, 20)) }).finish()),
          },
        ],
      });

      // The map's count going up, watched from now on (the page checks on every animation frame).
      const onMap = page
        .waitForFunction(
          // A string expression: the tests' tsconfig has no DOM types, and see the keepNames note in browser.ts.
          `Number(document.querySelector('[data-testid="map-stats"]')?.getAttribute("data-incidents")) > ${before}`,
          undefined,
          { polling: "raf", timeout: 30_000 },
        )
        .then(() => nowMs());
      const incident = await waitForIncident(detection.eventId);
      const [listAt, mapAt, snapshotAt] = await Promise.all([
        page
          .locator(`[data-testid="incident-item"][data-incident-id="${incident.id}"]`)
          .waitFor({ timeout: 30_000 })
          .then(() => nowMs()),
        onMap,
        waitForSnapshot(token, district, incident.id),
      ]);
      const committed = incident.openedAtMs;
      results.push({
        correlatedMs: committed - producedAt,
        listMs: listAt - committed,
        mapMs: mapAt - committed,
        endToEndMs: mapAt - producedAt,
        snapshotMs: snapshotAt - committed,
      });
      const r = results.at(-1) as Round;
      log(
        `round ${round}: committed → list ${fmt(r.listMs)}, map ${fmt(r.mapMs)}; produced → map ${fmt(r.endToEndMs)}`,
      );
      await sleep(300);
    }

    // ---- Report ----
    const summary = (pick: (r: Round) => number) => {
      const sorted = results.map(pick).sort((a, b) => a - b);
      return `p50 ${fmt(percentile(sorted, 50))}  p90 ${fmt(percentile(sorted, 90))}  max ${fmt(sorted.at(-1))}`;
    };
    const worst = Math.max(...results.map((r) => Math.max(r.listMs, r.mapMs)));
    console.log(`\nbench:dashboard — incident → on the live map in chromium, on this machine, ${rounds} incidents`);
    console.log("per incident (ms):");
    results.forEach((r, index) => {
      console.log(
        `  incident ${String(index + 1).padStart(2)}: produced → committed ${fmt(r.correlatedMs)}   committed → list ${fmt(r.listMs)}  map ${fmt(r.mapMs)}   REST snapshot ${fmt(r.snapshotMs)}   produced → map ${fmt(r.endToEndMs)}`,
      );
    });
    console.log("over the incidents:");
    console.log(`  evidence produced → incident committed:   ${summary((r) => r.correlatedMs)}`);
    console.log(`  committed → in the list:                  ${summary((r) => r.listMs)}`);
    console.log(`  committed → on the map:                   ${summary((r) => r.mapMs)}`);
    console.log(`  committed → in the REST snapshot (bare):  ${summary((r) => r.snapshotMs)}`);
    console.log(`  evidence produced → on the map:           ${summary((r) => r.endToEndMs)}`);
    console.log(
      `goal: on the map and in the list within ${GOAL_MS} ms of the correlator having it: ${worst <= GOAL_MS ? "met" : "NOT met"} (worst ${fmt(worst)})`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }

  async function waitForIncident(eventId: string): Promise<{ id: string; openedAtMs: number }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = await pool.query<{ id: string; opened_at: Date }>(
        `SELECT i.id, i.opened_at FROM incidents i JOIN incident_evidence e ON e.incident_id = i.id
         WHERE e.event_id = $1 AND i.rule_id = 'fire'`,
        [eventId],
      );
      const row = found.rows[0];
      if (row) return { id: row.id, openedAtMs: row.opened_at.getTime() };
      if (Date.now() > deadline) throw new Error(`no incident for ${eventId} after 30 s`);
      await sleep(10);
    }
  }
}

async function mapCount(page: Page): Promise<number> {
  return Number(await page.getByTestId("map-stats").getAttribute("data-incidents"));
}

async function waitForSnapshot(token: string, area: string, incidentId: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${gatewayUrl}/api/v1/snapshot?area=${encodeURIComponent(area)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { incidents?: { id: string }[] };
    if (body.incidents?.some((incident) => incident.id === incidentId)) return nowMs();
    if (Date.now() > deadline) throw new Error(`incident ${incidentId} not in the snapshot after 30 s`);
    await sleep(10);
  }
}

const fmt = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "—" : `${ms.toFixed(0)} ms`);

async function signIn(username: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in ${username}: ${response.status}`);
  return ((await response.json()) as LoginResponse).token;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
