import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { insertCameras, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { east, migratedPool } from "../support/hub.js";

/**
 * The configurable base map in a real browser: the gateway points the dashboard at a MapLibre style served by a
 * local stand-in for the city's tile server. While the stand-in answers, the map draws its style; when it fails
 * (HTTP 500), the dashboard falls back to the offline land outline, says so, and the cameras still show.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
const STYLE_NAME = "Stand-in city streets";
const OFFLINE_NAME = "Macao offline";
let pool: Pool;
let stack: TestStack;
let browser: Browser;
let standIn: Server;
const contexts: BrowserContext[] = [];
const base = { lat: 22.1935 + Math.random() * 0.002, lon: 113.5405 + Math.random() * 0.002 };
const district = `MapStyle-${randomUUID().slice(0, 6)}`;
const cameraIds = Array.from({ length: 3 }, (_, index) => `ms-cam-${randomUUID().slice(0, 6)}-${index}`);

/** What the stand-in does with the style request, and how often it was asked. */
const standInState = { failing: false, styleRequests: 0 };

const style = {
  version: 8,
  name: STYLE_NAME,
  sources: {
    streets: {
      type: "geojson",
      data: {
        type: "FeatureCollection",
        features: [
          {
            type: "Feature",
            properties: {},
            geometry: {
              type: "Polygon",
              coordinates: [
                [
                  [113.52, 22.18],
                  [113.56, 22.18],
                  [113.56, 22.21],
                  [113.52, 22.21],
                  [113.52, 22.18],
                ],
              ],
            },
          },
        ],
      },
    },
  },
  layers: [
    { id: "standin-background", type: "background", paint: { "background-color": "#123456" } },
    { id: "standin-streets", type: "fill", source: "streets", paint: { "fill-color": "#ff00ff" } },
  ],
};

function startStandIn(): Promise<Server> {
  const server = createServer((request, response) => {
    response.setHeader("Access-Control-Allow-Origin", "*");
    if (request.url !== "/style.json") {
      response.writeHead(404).end();
      return;
    }
    standInState.styleRequests += 1;
    if (standInState.failing) {
      response.writeHead(500, { "Content-Type": "text/plain" }).end("tile server down");
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(style));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  await insertCameras(
    pool,
    cameraIds.map((id, index) => ({ id, district, ...east(base, index * 60) })),
  );
  standIn = await startStandIn();
  const { port } = standIn.address() as AddressInfo;
  stack = await startTestStack({
    GATEWAY_WEB_DIR: webDir,
    GATEWAY_MAP_STYLE_URL: `http://127.0.0.1:${port}/style.json`,
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await new Promise((resolve) => standIn?.close(resolve));
  await pool?.end();
});

async function signedIn(): Promise<Page> {
  // axe-core is injected as an inline script, which the dashboard's CSP forbids; the CSP also allows only https:
  // style servers besides the gateway, and the stand-in is plain http on localhost.
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill("operator");
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  await page.getByTestId("map-stats").and(page.locator('[data-map-loaded="true"]')).waitFor({ timeout: 60_000 });
  return page;
}

const mapStats = (page: Page, name: string) => page.getByTestId("map-stats").getAttribute(`data-${name}`);

describe("configurable base map in a browser", { timeout: 240_000 }, () => {
  it("draws the configured style from the city's style server", async () => {
    standInState.failing = false;
    const before = standInState.styleRequests;
    const page = await signedIn();
    expect(standInState.styleRequests).toBeGreaterThan(before);
    expect(await mapStats(page, "style")).toBe(STYLE_NAME);
    await expect
      .poll(async () => Number(await mapStats(page, "cameras")), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(cameraIds.length);
    expect(await page.getByTestId("map-style-fallback").count()).toBe(0);
    await screenshot(page, "map-style-configured");
  });

  it("falls back to the offline land outline when the style server fails, says so, and still shows cameras", async () => {
    standInState.failing = true;
    const before = standInState.styleRequests;
    const page = await signedIn();
    expect(standInState.styleRequests).toBeGreaterThan(before);
    expect(await mapStats(page, "style")).toBe(OFFLINE_NAME);
    const notice = page.getByTestId("map-style-fallback");
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.getAttribute("role")).toBe("status");
    // In the default language, then in the one the operator picks.
    expect(await notice.textContent()).toContain("離線陸地輪廓");
    await page.getByTestId("language-select").selectOption("pt");
    await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toContain("contorno terrestre offline");
    await expect
      .poll(async () => Number(await mapStats(page, "cameras")), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(cameraIds.length);
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "map-style-fallback");
  });
});
