import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { fireEvidence } from "../support/factories.js";
import { insertCameras, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { east, eventually, migratedPool, produceEvents } from "../support/hub.js";

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real stack: sign in, the
 * camera layer fills, a simulated incident reaches the map and the list, an acknowledgement in one browser shows in
 * the other, and axe-core finds no serious or critical accessibility violations. Screenshots go to
 * test/artifacts/screenshots/.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const base = { lat: 22.1935 + Math.random() * 0.002, lon: 113.5405 + Math.random() * 0.002 };
const district = `Browser-${randomUUID().slice(0, 6)}`;
const cameraIds = Array.from({ length: 40 }, (_, index) => `ui-cam-${randomUUID().slice(0, 6)}-${index}`);

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  await insertCameras(
    pool,
    cameraIds.map((id, index) => ({ id, district, ...east(base, (index % 10) * 60 + Math.floor(index / 10) * 7) })),
  );
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function signedIn(username: string): Promise<Page> {
  // axe-core is injected as an inline script, which the dashboard's CSP forbids.
  const context = await browser.newContext({
    viewport: { width: 1600, height: 900 },
    bypassCSP: true,
    locale: "zh-Hant",
  });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  return page;
}

async function mapCount(page: Page, layer: "cameras" | "incidents"): Promise<number> {
  return Number(await page.getByTestId("map-stats").getAttribute(`data-${layer}`));
}

// A real browser on a busy machine: page loads, the map's first render and axe-core's runs take tens of seconds when
// the CPU is shared, so these tests state a budget above the integration project's 60 s.
describe("command-centre dashboard in a browser", { timeout: 240_000 }, () => {
  it("signs in, shows the sign-in page and the map without serious accessibility violations", async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(stack.url);
    await page.getByTestId("login-form").waitFor();
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "sign-in");
    await page.getByTestId("login-username").fill("operator");
    await page.getByTestId("login-password").fill("wrong password");
    await page.getByTestId("login-submit").click();
    await expect.poll(async () => page.getByTestId("login-form").isVisible()).toBe(true);

    const dashboard = await signedIn("operator");
    await dashboard
      .getByTestId("map-stats")
      .and(dashboard.locator('[data-map-loaded="true"]'))
      .waitFor({ timeout: 60_000 });
    // Decommissioned cameras (other files') leave the map.
    const registered = Number(
      (await pool.query("SELECT count(*)::int AS n FROM cameras WHERE decommissioned_at IS NULL")).rows[0].n,
    );
    await expect.poll(() => mapCount(dashboard, "cameras"), { timeout: 60_000 }).toBe(registered);
    expect(registered).toBeGreaterThanOrEqual(cameraIds.length);
    expect(await axeViolations(dashboard, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(dashboard, "dashboard");

    // The desk operator's light theme, chosen in the top bar as a user does: the same check on the same page.
    await dashboard.getByTestId("theme-select").selectOption("light");
    await dashboard.locator('html[data-theme="light"]').waitFor({ state: "attached" });
    expect(await axeViolations(dashboard, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(dashboard, "dashboard-light");
  });

  // The 2 s goal from the correlator to the map is measured by `npm run bench:dashboard`, not asserted here: a busy
  // machine must not fail the suite. The test waits for the outcome with a generous timeout.
  it("shows a simulated incident on the map and in the list, and an acknowledgement in the other browser", async () => {
    const operator = await signedIn("operator");
    const other = await signedIn("investigator");
    // Both pages fully up (map code loaded, first render done) before the incident is made.
    for (const page of [operator, other])
      await page.getByTestId("map-stats").and(page.locator('[data-map-loaded="true"]')).waitFor({ timeout: 60_000 });

    const place = east(base, 200);
    const { detection, reading } = fireEvidence(cameraIds[3] as string);
    await produceEvents([
      { detection, at: place },
      { reading, at: east(place, 20) },
    ]);
    let incidentId = "";
    expect(
      await eventually(async () => {
        const found = await pool.query(
          "SELECT incident_id FROM incident_evidence WHERE event_id = $1 AND incident_id IN (SELECT id FROM incidents WHERE rule_id = 'fire')",
          [detection.eventId],
        );
        incidentId = found.rows[0]?.incident_id ?? "";
        return incidentId !== "";
      }, 30_000),
    ).toBe(true);
    // Once the correlator has it: on the map and in the list, in both browsers.
    const item = (page: Page) => page.locator(`[data-testid="incident-item"][data-incident-id="${incidentId}"]`);
    await Promise.all([item(operator).waitFor({ timeout: 15_000 }), item(other).waitFor({ timeout: 15_000 })]);
    // The map draws exactly the open incidents, this one among them. Compared with the database rather than with a
    // count taken before: other tests' events may still be turning into incidents while this one runs.
    const openIncidents = async () =>
      Number(
        (await pool.query("SELECT count(*) AS n FROM incidents WHERE status NOT IN ('resolved', 'false_alarm')"))
          .rows[0].n,
      );
    await expect
      .poll(async () => (await mapCount(operator, "incidents")) === (await openIncidents()), { timeout: 15_000 })
      .toBe(true);
    await screenshot(operator, "incident-new");

    await item(operator).click();
    await operator.getByTestId("incident-detail").waitFor();
    await operator.getByTestId("ack-button").click();
    await expect.poll(() => item(other).getAttribute("data-status"), { timeout: 15_000 }).toBe("acknowledged");
    await expect.poll(() => item(operator).getAttribute("data-status"), { timeout: 15_000 }).toBe("acknowledged");
    await screenshot(other, "incident-acknowledged-elsewhere");
    // The investigator cannot act on incidents: the buttons are there but disabled.
    await item(other).click();
    await other.getByTestId("incident-detail").waitFor();
    expect(await other.getByTestId("resolve-button").isDisabled()).toBe(true);
    const row = await pool.query("SELECT status, acknowledged_by FROM incidents WHERE id = $1", [incidentId]);
    expect(row.rows[0]).toEqual({ status: "acknowledged", acknowledged_by: "operator" });
  });
});
