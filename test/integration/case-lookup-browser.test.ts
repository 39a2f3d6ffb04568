import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { h3Cell, type Pool } from "@hub/common";
import type { CaseSearchResult } from "@hub/contracts";
import { insertDetections } from "@hub/correlator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import {
  api,
  insertCameraStatus,
  insertCameras,
  login,
  startTestStack,
  TEST_PASSWORD,
  type TestStack,
} from "../support/gateway.js";
import { east, infra, migratedPool } from "../support/hub.js";

/**
 * The case-lookup page in a real browser against the real stack: an investigator enters a case reference and a
 * purpose, defines an area (circle by coordinates) and a window, searches, sees the cameras the API finds for the
 * same criteria, and exports a signed zip that export:verify accepts.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let browser: Browser;
const place = { lat: 23.2 + Math.random() * 0.2, lon: 114.2 + Math.random() * 0.2 };
const tag = randomUUID().slice(0, 6);
const windowEnd = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
const windowStart = new Date(windowEnd.getTime() - 2 * 3600_000);
const cameraIds = [0, 1, 2, 3].map((index) => `ui-case-${tag}-${index}`);

/** A datetime-local value in Macao time (UTC+8, no daylight saving). */
const macao = (date: Date) => new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  // Four cameras 40 m apart, all facing east with a 100 m view; the search circle is just east of them.
  const placed = cameraIds.map((id, index) => ({
    id,
    district: `UI-${tag}`,
    ...east(place, index * 40),
    bearingDeg: 90,
    fovAngleDeg: 90,
    rangeM: 100,
  }));
  await insertCameras(pool, placed);
  const rows = [];
  for (const camera of placed) {
    await insertCameraStatus(pool, camera, "online", new Date(windowStart.getTime() - 3600_000));
    for (let index = 0; index < 30; index += 1) {
      const observedAt = new Date(windowStart.getTime() + index * 4 * 60_000);
      rows.push({
        observedAt,
        eventId: `ui-det-${camera.id}-${index}`,
        cameraId: camera.id,
        siteId: "site-test",
        objectClass: index % 3 === 0 ? "license_plate" : "person",
        confidence: 0.8,
        box: undefined,
        trackId: null,
        attributes: null,
        plate: index % 3 === 0 ? { text: `MU-${10 + index}-01`, region: "MO", confidence: 0.9 } : undefined,
        rule: undefined,
        lat: camera.lat,
        lon: camera.lon,
        h3Cell: h3Cell(camera.lat, camera.lon),
        ingestedAt: observedAt,
      });
    }
  }
  await insertDetections(pool, rows);
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

// A real browser on a busy machine: page loads, the map's first render and axe-core's runs take tens of seconds when
// the CPU is shared, so these tests state a budget above the integration project's 60 s.
describe("case-lookup page in a browser", { timeout: 240_000 }, () => {
  it("searches an area for a case, shows the covering cameras and exports a verifiable zip", async () => {
    const circle = { ...east(place, 200), radiusM: 60 };
    const criteria = {
      caseReference: `PJ-UI-${tag}`,
      purpose: "Theft reported at the bus stop, checking the cameras",
      window: { from: windowStart.toISOString(), to: windowEnd.toISOString() },
      area: { circle },
    };
    // What the API says for the same criteria, as the reference.
    const reference = await api<CaseSearchResult>(
      stack.url,
      (await login(stack.url, "investigator")).token,
      "/api/v1/cases/search",
      {
        method: "POST",
        body: JSON.stringify(criteria),
      },
    );
    expect(reference.status).toBe(200);
    expect(reference.body.cameras.length).toBeGreaterThan(0);

    const context = await browser.newContext({
      viewport: { width: 1600, height: 1000 },
      bypassCSP: true,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(stack.url);
    await page.getByTestId("login-username").fill("investigator");
    await page.getByTestId("login-password").fill(TEST_PASSWORD);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("nav-cases").click();
    await page.getByTestId("case-form").waitFor();
    await page.getByTestId("case-reference").fill(criteria.caseReference);
    await page.getByTestId("case-purpose").fill(criteria.purpose);
    await page.getByTestId("window-from").fill(macao(windowStart));
    await page.getByTestId("window-to").fill(macao(windowEnd));
    await page.getByTestId("area-mode-circle").check();
    await page.getByTestId("circle-lat").fill(String(circle.lat));
    await page.getByTestId("circle-lon").fill(String(circle.lon));
    await page.getByTestId("circle-radius").fill(String(circle.radiusM));
    await page.getByTestId("search-button").click();
    const results = page.getByTestId("case-results");
    await results.waitFor({ timeout: 60_000 });
    expect(Number(await results.getAttribute("data-cameras"))).toBe(reference.body.cameras.length);
    expect(Number(await results.getAttribute("data-total"))).toBe(reference.body.detections.total);
    const shown = await page
      .getByTestId("case-camera")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-camera-id")));
    expect(shown.sort()).toEqual(reference.body.cameras.map((camera) => camera.id).sort());
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "case-lookup-results");

    await page.getByTestId("export-button").click();
    const download = page.getByTestId("export-download");
    await download.waitFor({ timeout: 60_000 });
    const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
    const dir = await mkdtemp(join(tmpdir(), "ui-export-"));
    const zip = join(dir, "case.zip");
    await file.saveAs(zip);
    const key = join(dir, "hub.pem");
    await writeFile(key, await (await fetch(`${stack.url}/api/v1/exports/public-key`)).text());
    const cli = fileURLToPath(new URL("../../services/gateway/dist/src/cli/export-verify.js", import.meta.url));
    const verified = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [cli, zip, "--key", key],
        { env: { ...process.env, DATABASE_URL: infra().databaseUrl } },
        (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
      ),
    );
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toContain(`case ${criteria.caseReference}`);
    // The search, the export and its download from the browser are in the audit trail, with the purpose typed.
    const audit = await pool.query(
      "SELECT action FROM audit_log WHERE case_reference = $1 AND purpose = $2 ORDER BY id",
      [criteria.caseReference, criteria.purpose],
    );
    expect(audit.rows.map((row) => row.action)).toEqual([
      "case.search",
      "case.search",
      "case.export",
      "case.export.download",
    ]);
    await context.close();
  });
});
