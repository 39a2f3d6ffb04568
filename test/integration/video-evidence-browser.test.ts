import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import { type DevRecorder, startDevRecorder } from "@hub/infra";
import { SiteRecordersRepository } from "@hub/ingest";
import { ObjectClass, PublishOutcome } from "@hub/proto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { newCamera, newDetection, SENADO } from "../support/factories.js";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { createDevice, eventually, migratedPool, startTestIngest, type TestIngest } from "../support/hub.js";
import { watchPlate } from "../support/watch-list.js";

/**
 * Video evidence in a real browser against the real ingest, correlator and gateway, with the stand-in recorder: an
 * operator opens an incident, sees the detection's snapshot thumbnail and opens its clip (a dialog with the window,
 * the recorder's hash and still frames); an investigator does the same from a case lookup's detections. The images
 * come through the gateway, audited; axe finds nothing serious or critical with the dialog open.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let ingest: TestIngest;
let recorder: DevRecorder;
let browser: Browser;
const tag = randomUUID().slice(0, 8);
const camera = newCamera({
  position: { lat: SENADO.lat + 0.0005 + Math.random() * 0.001, lon: SENADO.lon },
  video: { liveUri: "", recording: { $case: "recorderCamera", value: `ui-rec-${tag}` } },
});
const digits = () => String(Math.floor(Math.random() * 90 + 10));
const plate = `VB-${digits()}-${digits()}`;
let incidentId = "";
let eventId = "";

/** A datetime-local value in Macao time (UTC+8, no daylight saving). */
const macao = (date: Date) => new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
}

/** The dialog shows the window, the recorder's hash and frames drawn by the recorder; Escape closes it. */
async function checkClipViewer(page: Page, name: string): Promise<void> {
  const viewer = page.getByTestId("clip-viewer");
  await viewer.waitFor({ timeout: 60_000 });
  await expect
    .poll(async () => viewer.getByTestId("clip-hash").textContent(), { timeout: 60_000 })
    .toMatch(/^[0-9a-f]{64}$/);
  const frames = viewer.locator("img.clip-frame");
  await expect.poll(async () => frames.count(), { timeout: 60_000 }).toBe(6);
  expect(await frames.first().getAttribute("src")).toMatch(/^blob:/);
  expect(await viewer.getByRole("heading").textContent()).toContain(camera.id);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, name);
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "detached" });
}

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  recorder = await startDevRecorder({ port: 0 });
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir });
  ingest = await startTestIngest();
  const device = await createDevice(pool);
  await new SiteRecordersRepository(pool).upsert(
    device.siteId,
    {
      kind: "generic",
      clipUrlTemplate: recorder.templates.clipUrlTemplate,
      stillUrlTemplate: recorder.templates.stillUrlTemplate,
      timeFormat: "iso8601",
    },
    "test",
  );
  await ingest.gateway.registerCamera(device.token, camera);
  await pool.query(
    `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat, lon,
       h3_cell, ingested_at)
     SELECT now() - interval '3 hours', 'st-' || id, id, 'online', false, false, site_id, lat, lon, h3_cell, now()
       FROM cameras WHERE id = $1`,
    [camera.id],
  );
  await watchPlate(pool, plate, { caseReference: `PJ-VB-${tag}` });
  const at = new Date(Date.now() - 2000);
  const detection = newDetection(camera.id, {
    objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
    plate: { text: plate, region: "MO", confidence: 0.95 },
    rule: undefined,
    observedAt: at,
    snapshotUri: recorder.templates.snapshotUrlTemplate
      .replace("{camera}", `ui-rec-${tag}`)
      .replace("{event}", "e1")
      .replace("{at}", encodeURIComponent(at.toISOString())),
  });
  eventId = detection.eventId;
  expect(await ingest.gateway.publishDetection(device.token, detection)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
  const found = await eventually(async () => {
    const result = await pool.query(
      `SELECT i.id FROM incidents i JOIN incident_evidence e ON e.incident_id = i.id
        WHERE i.rule_id = 'watch-list' AND e.event_id = $1`,
      [eventId],
    );
    incidentId = result.rows[0]?.id ?? "";
    return incidentId !== "";
  }, 60_000);
  expect(found).toBe(true);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ingest?.stop();
  await stack?.stop();
  await recorder?.close();
  await pool?.end();
});

describe("video evidence in a browser", { timeout: 240_000 }, () => {
  it("shows an incident's snapshot thumbnail and opens its clip for an operator", async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    try {
      await signIn(page, "operator");
      await page.locator(`[data-testid="incident-item"][data-incident-id="${incidentId}"]`).click({ timeout: 90_000 });
      const video = page.getByTestId("evidence-video").first();
      await video.waitFor({ timeout: 60_000 });
      const thumbnail = video.locator("img.video-thumbnail");
      await thumbnail.waitFor({ timeout: 60_000 });
      expect(await thumbnail.getAttribute("src")).toMatch(/^blob:/);
      expect(await thumbnail.getAttribute("alt")).toContain(camera.id);
      // The thumbnail was fetched through the gateway and audited for this operator and incident.
      const audited = await pool.query(
        "SELECT detail FROM audit_log WHERE actor = 'operator' AND action = 'video.snapshot' AND subject = $1",
        [`${camera.id}/${eventId}`],
      );
      expect(audited.rows.map((row) => row.detail)).toContainEqual({ eventId, incidentId });
      await video.getByTestId("open-clip").click();
      await checkClipViewer(page, "video-clip-incident");
      // Focus returns to the button that opened the dialog.
      expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe("open-clip");
    } finally {
      await context.close();
    }
  });

  it("offers open clip and the snapshot in a case lookup's detections for an investigator", async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    try {
      await signIn(page, "investigator");
      await page.getByTestId("nav-cases").click();
      await page.getByTestId("case-form").waitFor();
      await page.getByTestId("case-reference").fill(`PJ-VB-${tag}`);
      await page.getByTestId("case-purpose").fill("Trace the wanted vehicle seen at the square");
      await page.getByTestId("window-from").fill(macao(new Date(Date.now() - 3600_000)));
      await page.getByTestId("window-to").fill(macao(new Date(Date.now() + 60_000)));
      await page.getByTestId("area-mode-circle").check();
      await page.getByTestId("circle-lat").fill(String(camera.position?.lat));
      await page.getByTestId("circle-lon").fill(String(camera.position?.lon));
      await page.getByTestId("circle-radius").fill("30");
      await page.getByTestId("search-button").click();
      const row = page.locator(`[data-testid="detection-row"][data-event-id="${eventId}"]`);
      await row.waitFor({ timeout: 90_000 });
      const thumbnail = row.locator("img.video-thumbnail");
      await thumbnail.waitFor({ timeout: 60_000 });
      expect(await thumbnail.getAttribute("src")).toMatch(/^blob:/);
      await row.getByTestId("open-clip").click();
      await checkClipViewer(page, "video-clip-case");
      const audited = await pool.query(
        "SELECT case_reference FROM audit_log WHERE actor = 'investigator' AND action = 'video.clip' AND subject = $1",
        [camera.id],
      );
      expect(audited.rows.map((r) => r.case_reference)).toContain(`PJ-VB-${tag}`);
    } finally {
      await context.close();
    }
  });
});
