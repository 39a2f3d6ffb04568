import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { insertCameras, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { east, migratedPool, quietLeftoverCameras } from "../support/hub.js";

/**
 * The dashboard's camera list in a real browser against the real stack: filters by district and state, a silent
 * camera shown as silent (and one that turns silent while the list is open, through the live connection), a camera
 * decommissioned by a supervisor from its row, and no serious or critical accessibility violations.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
const SILENT_AFTER_S = 15;
let pool: Pool;
let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const district = `CamList-${randomUUID().slice(0, 6)}`;
const base = { lat: 22.1935 + Math.random() * 0.002, lon: 113.5405 + Math.random() * 0.002 };
const tag = randomUUID().slice(0, 6);
const ids = { heard: `clb-${tag}-1`, silent: `clb-${tag}-2`, fading: `clb-${tag}-3`, retired: `clb-${tag}-4` };
// The camera decommissioned from the list, alone in its district (the first test counts the other district's rows).
const retiredDistrict = `${district}-R`;

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  await quietLeftoverCameras(pool);
  await insertCameras(pool, [
    { id: ids.heard, district, ...base },
    { id: ids.silent, district, ...east(base, 50) },
    { id: ids.fading, district, ...east(base, 100) },
    { id: ids.retired, district: retiredDistrict, ...east(base, 150) },
  ]);
  // Heard far in the future for the sweep's purposes, silent already, and heard just now (silent soon).
  await pool.query(
    "UPDATE cameras SET state = 'online', last_heard_at = now() + INTERVAL '1 hour', last_status_at = now() WHERE id = $1",
    [ids.heard],
  );
  await pool.query(
    "UPDATE cameras SET state = 'online', silent_since = now(), health_changed_at = now() WHERE id = $1",
    [ids.silent],
  );
  await pool.query("UPDATE cameras SET state = 'degraded', last_heard_at = now() WHERE id = $1", [ids.fading]);
  stack = await startTestStack(
    { GATEWAY_WEB_DIR: webDir },
    { CORRELATOR_CAMERA_SILENT_AFTER_S: String(SILENT_AFTER_S), CORRELATOR_SILENCE_CHECK_MS: "1000" },
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function signedIn(username = "operator"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true, locale: "pt" });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  return page;
}

const row = (page: Page, id: string) => page.locator(`[data-testid="camera-row"][data-camera-id="${id}"]`);

describe("camera list in a browser", { timeout: 240_000 }, () => {
  it("filters by district and state, shows silent cameras live, without serious accessibility violations", async () => {
    const page = await signedIn();
    await page.getByTestId("nav-cameras").click();
    await page.getByTestId("camera-filters").waitFor();
    await page.getByTestId("camera-filter-district").selectOption(district);
    await page.getByTestId("camera-filter-apply").click();
    await expect.poll(() => page.getByTestId("camera-row").count(), { timeout: 30_000 }).toBe(3);
    expect(await row(page, ids.silent).getAttribute("data-state")).toBe("silent");
    expect(await row(page, ids.heard).getAttribute("data-state")).toBe("online");
    // The camera heard just now turns silent while the list is open, without a reload.
    await expect
      .poll(() => row(page, ids.fading).getAttribute("data-state"), { timeout: 120_000, interval: 1000 })
      .toBe("silent");
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "camera-list");

    await page.getByTestId("camera-filter-state").selectOption("online");
    await page.getByTestId("camera-filter-apply").click();
    await expect.poll(() => page.getByTestId("camera-row").count(), { timeout: 30_000 }).toBe(1);
    expect(await row(page, ids.heard).count()).toBe(1);
    expect(await page.getByTestId("camera-list-total").getAttribute("data-total")).toBe("1");

    // A supervisor puts the camera under maintenance from the list; it shows "maintenance" there.
    await page.getByTestId("nav-live").click();
    const supervisor = await signedIn("supervisor");
    await supervisor.getByTestId("nav-cameras").click();
    await supervisor.locator(".maintenance-form summary").click();
    await supervisor.getByTestId("maintenance-camera").fill(ids.heard);
    await supervisor.getByTestId("maintenance-reason").fill("Cleaning the dome");
    await supervisor.getByTestId("maintenance-submit").click();
    await supervisor.getByTestId("maintenance-result").waitFor({ timeout: 30_000 });
    expect(await supervisor.getByTestId("maintenance-result").getAttribute("role")).toBe("status");
    expect(await axeViolations(supervisor, { impacts: ["serious", "critical"] })).toEqual([]);
    const window = await pool.query("SELECT created_by FROM camera_maintenance WHERE camera_id = $1", [ids.heard]);
    expect(window.rows.map((row) => row.created_by)).toEqual(["supervisor"]);
    await page.getByTestId("nav-cameras").click();
    await page.getByTestId("camera-filter-district").selectOption(district);
    await page.getByTestId("camera-filter-state").selectOption("maintenance");
    await page.getByTestId("camera-filter-apply").click();
    await expect.poll(() => row(page, ids.heard).count(), { timeout: 30_000 }).toBe(1);
    // An operator sees no maintenance form.
    expect(await page.getByTestId("maintenance-form").count()).toBe(0);
    // Nor a decommission button (the rows are there: the button would be in them).
    expect(await row(page, ids.heard).getByTestId("decommission-open").count()).toBe(0);

    // The name opens the camera's detail on the live map.
    await row(page, ids.heard).getByTestId("camera-open").click();
    await expect.poll(() => page.evaluate("window.location.hash"), { timeout: 10_000 }).toBe("#/");
    await page.getByTestId("map-stats").waitFor({ timeout: 30_000 });
  });

  it("a supervisor decommissions a camera from its row, with a reason and a confirmation", async () => {
    const supervisor = await signedIn("supervisor");
    await supervisor.getByTestId("nav-cameras").click();
    await supervisor.getByTestId("camera-filters").waitFor();
    await supervisor.getByTestId("camera-filter-district").selectOption(retiredDistrict);
    await supervisor.getByTestId("camera-filter-apply").click();
    await expect.poll(() => row(supervisor, ids.retired).count(), { timeout: 30_000 }).toBe(1);
    await row(supervisor, ids.retired).getByTestId("decommission-open").click();
    await supervisor.getByTestId("decommission-reason").fill("Pole removed for road works");
    expect(await axeViolations(supervisor, { impacts: ["serious", "critical"] })).toEqual([]);
    await supervisor.getByTestId("decommission-confirm").click();
    await supervisor.getByTestId("decommission-notice").waitFor({ timeout: 30_000 });
    expect(await supervisor.getByTestId("decommission-notice").getAttribute("role")).toBe("status");
    await expect.poll(() => row(supervisor, ids.retired).count(), { timeout: 30_000 }).toBe(0);
    const stored = await pool.query("SELECT decommissioned_by, decommissioned_reason FROM cameras WHERE id = $1", [
      ids.retired,
    ]);
    expect(stored.rows).toEqual([
      { decommissioned_by: "supervisor", decommissioned_reason: "Pole removed for road works" },
    ]);
    // Still found with the filter, with its decommission date and no button.
    await supervisor.getByTestId("camera-filter-decommissioned").selectOption("true");
    await supervisor.getByTestId("camera-filter-apply").click();
    await expect.poll(() => row(supervisor, ids.retired).count(), { timeout: 30_000 }).toBe(1);
    expect(await row(supervisor, ids.retired).getByTestId("decommissioned-at").locator("time").count()).toBe(1);
    expect(await row(supervisor, ids.retired).getByTestId("decommission-open").count()).toBe(0);
    expect(await axeViolations(supervisor, { impacts: ["serious", "critical"] })).toEqual([]);
  });
});
