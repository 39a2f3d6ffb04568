import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import { SensorKind } from "@hub/proto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { newReading } from "../support/factories.js";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents } from "../support/hub.js";
import { insertSensor, LEVEL_AND_RAIN } from "../support/sensors.js";

/**
 * The dashboard's sensor panel in a real browser against the real stack: a sensor's latest readings and its last
 * 24 hours (from sensor_stats_5m) as a chart with a text alternative and a table, a silent sensor shown as silent
 * in the list, the panel and on the map, in the three languages, without serious accessibility violations.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
const tag = randomUUID().slice(0, 6);
const heard = { id: `spb-${tag}-1`, name: `Gauge ${tag} Barra` };
const silent = { id: `spb-${tag}-2`, name: `Gauge ${tag} Taipa` };
const place = { lat: 22.19 + Math.random() * 0.01, lon: 113.54 + Math.random() * 0.01 };
let pool: Pool;
let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  await insertSensor(pool, { id: heard.id, name: heard.name, district: "Sé", ...place, datastreams: LEVEL_AND_RAIN });
  await insertSensor(pool, {
    id: silent.id,
    name: silent.name,
    district: "Taipa",
    lat: place.lat - 0.01,
    lon: place.lon,
    datastreams: LEVEL_AND_RAIN,
  });
  await pool.query("UPDATE sensors SET silent_since = now(), health_changed_at = now() WHERE id = $1", [silent.id]);
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir });
  // Readings every 20 minutes over the last 3 hours, the newest now (1.25 m), and one rainfall reading.
  const now = Date.now();
  const levels = [0.2, 0.3, 0.35, 0.5, 0.7, 0.9, 1.1, 1.2, 1.25];
  await produceEvents([
    ...levels.map((value, index) => ({
      reading: newReading(heard.id, { value, observedAt: new Date(now - (levels.length - 1 - index) * 20 * 60_000) }),
      at: place,
    })),
    {
      reading: newReading(heard.id, {
        datastreamId: "rain",
        kind: SensorKind.SENSOR_KIND_RAINFALL,
        unit: "mm/h",
        value: 42,
        observedAt: new Date(now - 60_000),
      }),
      at: place,
    },
  ]);
  const stored = async () =>
    Number(
      (await pool.query<{ n: string }>("SELECT count(*) AS n FROM sensor_readings WHERE sensor_id = $1", [heard.id]))
        .rows[0]?.n,
    ) ===
    levels.length + 1;
  if (!(await eventually(stored, 90_000))) throw new Error("the readings were not stored");
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function signedIn(username = "operator"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true, locale: "en" });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  await page.getByTestId("language-select").selectOption("en");
  return page;
}

async function openSensor(page: Page, name: string): Promise<void> {
  const list = page.locator(".sensor-list-panel");
  await list.locator("summary").click();
  await list.getByRole("button", { name }).click();
  await page.getByTestId("sensor-detail").getByRole("heading", { level: 2, name }).waitFor({ timeout: 30_000 });
}

describe("sensor panel in a browser", { timeout: 240_000 }, () => {
  it("shows the latest readings and the last 24 hours as a chart and a table, accessibly", async () => {
    const page = await signedIn();
    await openSensor(page, heard.name);
    const panel = page.getByTestId("sensor-detail");
    await expect
      .poll(() => panel.getByTestId("datastream-level").getByTestId("sensor-latest").textContent(), { timeout: 30_000 })
      .toMatch(/^Latest: 1\.25 m at /);
    expect(await panel.getByTestId("datastream-rain").getByTestId("sensor-latest").textContent()).toMatch(
      /^Latest: 42 mm\/h at /,
    );
    expect(await panel.getByTestId("sensor-health").textContent()).toContain("Reporting");
    // The chart: an image named by its title, described by its summary; the table has one row per bucket.
    const chart = panel
      .getByTestId("datastream-level")
      .getByRole("img", { name: "Water level over the last 24 hours (m)" });
    await chart.waitFor();
    const buckets = await pool.query<{ bucket: Date }>(
      `SELECT bucket FROM sensor_stats_5m WHERE sensor_id = $1 AND datastream_id = 'level'
          AND bucket >= now() - INTERVAL '24 hours'`,
      [heard.id],
    );
    expect(buckets.rows.length).toBe(9);
    expect(await chart.getAttribute("aria-labelledby")).toBeTruthy();
    expect(await chart.locator("desc").textContent()).toMatch(
      /^9 five-minute averages from .* lowest 0\.2 m, highest 1\.25 m/,
    );
    const level = panel.getByTestId("datastream-level");
    await level.locator("summary").click();
    expect(await level.locator("tbody tr").count()).toBe(buckets.rows.length);
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "sensor-panel");
  });

  it("shows a silent sensor as silent in the list, the panel and on the map, in zh-Hant and pt too", async () => {
    const page = await signedIn("supervisor");
    const list = page.locator(".sensor-list-panel");
    await list.locator("summary").click();
    expect(await list.getByRole("button", { name: silent.name }).textContent()).toContain("Silent");
    expect(await list.getByRole("button", { name: heard.name }).textContent()).toContain("Reporting");
    await list.getByRole("button", { name: silent.name }).click();
    const panel = page.getByTestId("sensor-detail");
    await panel.getByRole("heading", { level: 2, name: silent.name }).waitFor({ timeout: 30_000 });
    expect(await panel.getByTestId("sensor-health").textContent()).toMatch(/Silent since .*: no reading heard/);
    expect(await panel.getByTestId("datastream-level").getByTestId("sensor-latest").textContent()).toBe(
      "No reading yet",
    );
    // The map draws the silent sensors as rings (its test hook counts them; other files' silent sensors count too).
    await expect
      .poll(async () => Number(await page.getByTestId("map-stats").getAttribute("data-silent-sensors")), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    await page.getByTestId("language-select").selectOption("zh-Hant");
    await expect.poll(() => panel.getByTestId("sensor-health").textContent()).toMatch(/^無訊號 自 .* 起無訊號/);
    expect(await page.locator("#sensor-list-heading").textContent()).toBe("感應器");
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await page.getByTestId("language-select").selectOption("pt");
    await expect.poll(() => panel.getByTestId("sensor-health").textContent()).toMatch(/^Em silêncio Em silêncio desde/);
    expect(await page.locator("#sensor-list-heading").textContent()).toBe("Sensores");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
  });

  it("offers no sensor list to a role that may not read sensor data", async () => {
    const page = await signedIn("drafter");
    // The dashboard is drawn (the connection is live) with its other panels, but without the sensor list.
    await page.locator("#attention-heading").waitFor({ state: "attached" });
    expect(await page.locator(".sensor-list-panel").count()).toBe(0);
  });
});
