/**
 * npm run screenshots — the pictures in README.md, taken from a running hub (`npm start`, or HUB_URL) with Debian's
 * chromium through playwright-core, exactly as the browser tests drive it (test/support/browser.ts).
 *
 * It signs in with the development users (password `development`, or DEV_USER_PASSWORD) and captures, into
 * docs/screenshots/:
 *   live-map.png             the command-centre live map with the simulator's cameras and incidents;
 *   live-map-light.png       the same map in the light theme, chosen in the top bar as a desk operator does;
 *   incident-detail.png      an incident's detail panel (evidence, covering cameras);
 *   incident-workflow.png    the same panel's workflow: next steps, assignment, procedure checklist, notes, timeline;
 *   video-clip.png           the clip viewer opened from an evidence row (frames from the stand-in recorder);
 *   camera-list.png          the camera list with availability, last heard and current incidents;
 *   incident-history.png     the history of closed incidents (one is closed as a false alarm through the API first);
 *   rules.png                the rules with their false alarms of 7 and 30 days, as the supervisor;
 *   case-lookup.png          a case lookup with results, as the investigator (the search is made here, through the
 *                            page, around a camera the simulator drives, over the last half hour);
 *   watch-list.png           the watch list with its recent hits, as the investigator (a pattern entry that matches
 *                            some of the simulator's plates is proposed and approved through the API first, and
 *                            removed again afterwards);
 *   alert-authoring.png      alert authoring from a template, saved as a draft: the phone previews;
 *   partner-warnings.png     drafts from the partner agencies' CAP feeds (the stand-in feed of `npm start`) and the
 *                            refused imports, as the drafter;
 *   sensor-panel.png         a sensor's panel on the live map: latest readings and the last 24 hours, as the operator;
 *   alert-cap-preview.png    the same draft's CAP 1.2 document as the service would publish it;
 *   public-alerts-phone-dark.png / -light.png
 *                            the public alert page on a phone (390 × 844), with an alert this script publishes
 *                            through the API (drafter drafts, approver approves) and cancels again at the end.
 * Desktop pictures are 1280 × 800 CSS pixels; all are PNG, kept under ~250 KB each.
 *
 * Give the simulator a minute after `npm start` so that there are incidents on the map.
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.js";

const hubUrl = (process.env.HUB_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const password = process.env.DEV_USER_PASSWORD ?? "development";
const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "screenshots");
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
const log = (message: string) => console.error(`› ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  try {
    const ready = await fetch(`${hubUrl}/api/v1/auth/login`, { method: "OPTIONS" });
    await ready.arrayBuffer();
  } catch {
    console.error(
      `No hub answers at ${hubUrl}. Start it first with \`npm start\` (and give the simulator a minute to make ` +
        "incidents), or set HUB_URL to a running gateway.",
    );
    process.exit(2);
  }
  await mkdir(outDir, { recursive: true });
  const browser = await launchBrowser();
  let published: { alertId: string } | undefined;
  try {
    await liveMapAndIncident(browser);
    await workflowAndClip(browser);
    await cameraList(browser);
    await historyAndRules(browser);
    await caseLookup(browser);
    await watchList(browser);
    await alertAuthoring(browser);
    await partnerWarnings(browser);
    await sensorPanel(browser);
    published = await publishAlert();
    await publicPage(browser, published.alertId);
  } finally {
    if (published) await cancelAlert(published.alertId).catch((error: unknown) => log(`cancel: ${String(error)}`));
    await browser.close();
  }
}

async function signedIn(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: desktop, locale: "en" });
  const page = await context.newPage();
  await page.goto(hubUrl);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 30_000 });
  // The README is in English; the dashboard starts in Traditional Chinese.
  await page.getByTestId("language-select").selectOption("en");
  return page;
}

async function save(page: Page, name: string): Promise<void> {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path });
  const { size } = await stat(path);
  log(`${path} (${Math.round(size / 1024)} KB)`);
}

async function liveMapAndIncident(browser: Browser): Promise<void> {
  log("the live map, as the operator…");
  const page = await signedIn(browser, "operator");
  await page.getByTestId("map-stats").and(page.locator('[data-map-loaded="true"]')).waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    `Number(document.querySelector('[data-testid="map-stats"]')?.getAttribute("data-cameras")) > 0`,
    undefined,
    { timeout: 30_000 },
  );
  const incidents = page.getByTestId("incident-item");
  try {
    await incidents.first().waitFor({ timeout: 120_000 });
  } catch {
    throw new Error("no incident on the map after 2 minutes: is the simulator running (npm start starts it)?");
  }
  // Let the map finish drawing (tiles of the land outline, clusters, the incident markers' fade-in).
  await sleep(3000);
  await save(page, "live-map");

  log("the live map in the light theme…");
  await page.getByTestId("theme-select").selectOption("light");
  await page.locator('html[data-theme="light"]').waitFor({ state: "attached" });
  // The base map's colours change with the next frame; give it the same settling time.
  await sleep(2000);
  await save(page, "live-map-light");
  await page.getByTestId("theme-select").selectOption("dark");
  await page.locator("html:not([data-theme])").waitFor({ state: "attached" });
  await sleep(1000);

  log("an incident's detail panel…");
  await incidents.first().click();
  await page.getByTestId("incident-detail").waitFor();
  await sleep(2500);
  await save(page, "incident-detail");
  await page.context().close();
}

async function workflowAndClip(browser: Browser): Promise<void> {
  log("an incident's workflow and a clip of its evidence, as the operator…");
  const page = await signedIn(browser, "operator");
  // A fire incident: its evidence are detections, which carry snapshots.
  const fire = page.locator('[data-testid="incident-item"]', { hasText: /fire/i }).first();
  const item = (await fire.count()) > 0 ? fire : page.getByTestId("incident-item").first();
  await item.click({ timeout: 120_000 });
  const workflow = page.getByTestId("incident-workflow");
  await workflow.waitFor({ timeout: 30_000 });
  await page.getByTestId("incident-timeline").waitFor({ timeout: 30_000 });
  await sleep(1500);
  await scrollTo(page, '[data-testid="incident-workflow"]', "start");
  await save(page, "incident-workflow");
  const video = page.getByTestId("evidence-video").first();
  try {
    await video.waitFor({ timeout: 30_000 });
    await video.getByTestId("open-clip").click();
    await page.getByTestId("clip-viewer").locator("img.clip-frame").first().waitFor({ timeout: 30_000 });
    await sleep(1500);
    await save(page, "video-clip");
  } catch (error) {
    log(`no clip picture: this incident's evidence has no video (${String(error)})`);
  }
  await page.context().close();
}

async function cameraList(browser: Browser): Promise<void> {
  log("the camera list, as the operator…");
  const page = await signedIn(browser, "operator");
  await page.getByTestId("nav-cameras").click();
  await page.getByTestId("camera-row").first().waitFor({ timeout: 30_000 });
  await sleep(1000);
  await save(page, "camera-list");
  await page.context().close();
}

async function historyAndRules(browser: Browser): Promise<void> {
  log("closing an incident as a false alarm through the API, for the history…");
  const operator = await signIn("operator");
  const open = await api<{ id: string; version: number }[]>(operator, "GET", "/api/v1/incidents");
  const last = open.at(-1);
  if (last) {
    await api(operator, "POST", `/api/v1/incidents/${encodeURIComponent(last.id)}/transitions`, {
      to: "false_alarm",
      reason: "Reflection of the evening sun on a shop window, checked on camera",
      expectedVersion: last.version,
    });
  }
  log("the incident history…");
  const page = await signedIn(browser, "operator");
  await page.getByTestId("nav-history").click();
  await page.getByTestId("history-search").click();
  await page.getByTestId("history-row").first().waitFor({ timeout: 30_000 });
  await sleep(1000);
  await save(page, "incident-history");
  await page.context().close();

  log("the rules with their false alarms, as the supervisor…");
  const supervisor = await signedIn(browser, "supervisor");
  await supervisor.getByTestId("nav-rules").click();
  await supervisor.getByTestId("rule-title").first().waitFor({ timeout: 30_000 });
  await sleep(500);
  await save(supervisor, "rules");
  await supervisor.context().close();
}

interface CameraView {
  id: string;
  lat: number;
  lon: number;
  state?: string;
}

async function caseLookup(browser: Browser): Promise<void> {
  log("a case lookup with results, as the investigator…");
  const token = await signIn("investigator");
  const snapshot = await api<{ cameras: CameraView[] }>(token, "GET", "/api/v1/snapshot?area=city");
  // A camera in the old town, where the simulator's cameras are dense.
  const senado = { lat: 22.1935, lon: 113.5405 };
  const online = snapshot.cameras.filter((camera) => camera.state === "online");
  const camera = (online.length > 0 ? online : snapshot.cameras).sort(
    (a, b) => Math.hypot(a.lat - senado.lat, a.lon - senado.lon) - Math.hypot(b.lat - senado.lat, b.lon - senado.lon),
  )[0];
  if (!camera) throw new Error("the hub has no cameras: is the simulator running?");
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  const start = new Date(end.getTime() - 30 * 60_000);
  /** A datetime-local value in Macao time (UTC+8, no daylight saving). */
  const macao = (date: Date) => new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

  const page = await signedIn(browser, "investigator");
  await page.getByTestId("nav-cases").click();
  await page.getByTestId("case-form").waitFor();
  await page.getByTestId("case-reference").fill("PJ-2026-0412");
  await page.getByTestId("case-purpose").fill("Bag snatching reported near the Senado square, checking the cameras");
  await page.getByTestId("window-from").fill(macao(start));
  await page.getByTestId("window-to").fill(macao(end));
  await page.getByTestId("area-mode-circle").check();
  await page.getByTestId("circle-lat").fill(camera.lat.toFixed(5));
  await page.getByTestId("circle-lon").fill(camera.lon.toFixed(5));
  await page.getByTestId("circle-radius").fill("150");
  await page.getByTestId("search-button").click();
  await page.getByTestId("case-results").waitFor({ timeout: 30_000 });
  // The form from its top (case reference and purpose), beside the map and the results.
  await scrollTo(page, '[data-testid="case-reference"]', "center");
  await sleep(2500);
  await save(page, "case-lookup");
  await page.context().close();
}

async function alertAuthoring(browser: Browser): Promise<void> {
  log("alert authoring with its previews, as the drafter…");
  const page = await signedIn(browser, "drafter");
  await page.getByTestId("nav-alerts").click();
  await page.locator("#alerts-view").waitFor();
  await page.getByTestId("template-select").selectOption("rainstorm-yellow");
  await page.getByTestId("new-alert-start").click();
  await page.getByTestId("alert-editor").waitFor();
  await page.locator('[data-testid="alert-map-stats"][data-map-loaded="true"]').waitFor({ timeout: 30_000 });
  // A click event rather than check(): the box sits in a panel that scrolls, which check() waits on in vain.
  const district = page.getByTestId("area-0-district-MO-INNER-HARBOUR");
  if (!(await district.isChecked())) await district.dispatchEvent("click");
  await page.getByTestId("phone-card").first().waitFor();
  // Saved as a draft, so that the CAP document the service would publish is shown too.
  await page.getByTestId("save-draft").click();
  await page.getByTestId("cap-xml").waitFor({ timeout: 30_000 });
  await scrollTo(page, '[data-testid="phone-card"]', "center");
  await sleep(2000);
  await save(page, "alert-authoring");
  await scrollTo(page, '[data-testid="cap-xml"]', "start");
  await sleep(1000);
  await save(page, "alert-cap-preview");
  await page.context().close();
}

async function partnerWarnings(browser: Browser): Promise<void> {
  log("drafts from partner agencies, as the drafter…");
  const page = await signedIn(browser, "drafter");
  await page.getByTestId("nav-alerts").click();
  await page.locator("#alerts-view").waitFor();
  try {
    await page.getByTestId("partner-draft").first().waitFor({ timeout: 90_000 });
    await scrollTo(page, ".partner-warnings", "start");
    await sleep(1000);
    await save(page, "partner-warnings");
  } catch (error) {
    log(`no partner draft yet: is the stand-in feed running? (${String(error)})`);
  }
  await page.context().close();
}

async function sensorPanel(browser: Browser): Promise<void> {
  log("a sensor's panel, as the operator…");
  const page = await signedIn(browser, "operator");
  const list = page.locator(".sensor-list-panel");
  try {
    await list.locator("summary").click({ timeout: 30_000 });
    await list.getByTestId("sensor-list").getByRole("button").first().click();
    await page.getByTestId("sensor-detail").getByTestId("sensor-latest").first().waitFor({ timeout: 30_000 });
    await sleep(1500);
    await save(page, "sensor-panel");
  } catch (error) {
    log(`no sensor panel: the simulator has no sensors yet? (${String(error)})`);
  }
  await page.context().close();
}

/** Scrolls the first element matching `selector` into view (a string expression: see browser.ts on keepNames). */
async function scrollTo(page: Page, selector: string, block: "start" | "center"): Promise<void> {
  await page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.scrollIntoView({ block: "${block}" })`);
}

async function publicPage(browser: Browser, alertId: string): Promise<void> {
  // Dark in Traditional Chinese, light in English: both schemes and two of the three languages.
  for (const [colorScheme, language] of [
    ["dark", "zh-Hant"],
    ["light", "en"],
  ] as const) {
    log(`the public alert page on a phone, ${colorScheme}…`);
    const context = await browser.newContext({
      viewport: phone,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 1,
      colorScheme,
      locale: "zh-Hant",
    });
    const page = await context.newPage();
    await page.goto(`${hubUrl}/public/alerts`);
    await page.locator(`[data-testid="public-alert"][data-alert-id="${alertId}"]`).waitFor({ timeout: 30_000 });
    await page.getByTestId(`lang-${language}`).click();
    await sleep(1000);
    await save(page, `public-alerts-phone-${colorScheme}`);
    await context.close();
  }
}

// ---- The public API, for the alert the public page shows ----

async function watchList(browser: Browser): Promise<void> {
  log("proposing and approving a watch-list pattern through the API…");
  const [investigator, supervisor] = await Promise.all([signIn("investigator"), signIn("supervisor")]);
  const entry = await api<{ id: string }>(investigator, "POST", "/api/v1/watch-list", {
    plate: "M?-1?-2?",
    matchKind: "pattern",
    reason: "Vehicles seen leaving the Rua do Campo robbery (screenshot demo)",
    caseReference: "PJ-2026-DEMO",
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  try {
    await api(supervisor, "POST", `/api/v1/watch-list/${entry.id}/approve`);
    log("waiting for a simulated plate to match it…");
    for (let i = 0; i < 60; i += 1) {
      const hits = await api<unknown[]>(investigator, "GET", `/api/v1/watch-list/hits?entryId=${entry.id}&limit=1`);
      if (hits.length > 0) break;
      await sleep(2000);
    }
    log("the watch list, as the investigator…");
    const page = await signedIn(browser, "investigator");
    await page.getByTestId("nav-watch-list").click();
    await page.getByTestId("watch-list-entries").waitFor({ timeout: 30_000 });
    await sleep(500);
    await save(page, "watch-list");
    await page.context().close();
  } finally {
    await api(supervisor, "POST", `/api/v1/watch-list/${entry.id}/remove`, {
      reason: "Screenshot demo entry, removed again",
    }).catch((error: unknown) => log(`remove the demo entry: ${String(error)}`));
  }
}

async function signIn(username: string): Promise<string> {
  const response = await fetch(`${hubUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`sign-in ${username}: ${response.status} (DEV_USER_PASSWORD?)`);
  return ((await response.json()) as { token: string }).token;
}

async function api<T>(token: string, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${hubUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Message {
  id: string;
  alertId: string;
  revision: number;
}

/** A yellow rainstorm warning for the Inner Harbour from the template: drafted, submitted, approved by another. */
async function publishAlert(): Promise<{ alertId: string }> {
  log("publishing a rainstorm warning through the API (drafter, then approver)…");
  const [drafter, approver] = await Promise.all([signIn("drafter"), signIn("approver")]);
  const content = await api<Record<string, unknown>>(
    drafter,
    "GET",
    "/api/v1/alerting/prefill?templateId=rainstorm-yellow",
  );
  const areas = (content.areas as { districts?: string[] }[] | undefined) ?? [];
  const draft = await api<Message>(drafter, "POST", "/api/v1/alerting/messages", {
    msgType: "Alert",
    content: {
      ...content,
      expires: content.expires ?? new Date(Date.now() + 3 * 3600_000).toISOString(),
      areas:
        areas.length > 0 && areas.some((area) => (area.districts ?? []).length > 0)
          ? areas
          : [
              {
                description: { "zh-Hant": "內港", pt: "Porto Interior", en: "Inner Harbour" },
                polygons: [],
                circles: [],
                districts: ["MO-INNER-HARBOUR"],
              },
            ],
    },
  });
  const submitted = await api<Message>(drafter, "POST", `/api/v1/alerting/messages/${draft.id}/submit`, {
    revision: draft.revision,
  });
  await api<Message>(approver, "POST", `/api/v1/alerting/messages/${draft.id}/approve`, {
    revision: submitted.revision,
  });
  return { alertId: draft.alertId };
}

async function cancelAlert(alertId: string): Promise<void> {
  const [drafter, approver] = await Promise.all([signIn("drafter"), signIn("approver")]);
  const draft = await api<Message>(drafter, "POST", "/api/v1/alerting/messages", { msgType: "Cancel", alertId });
  const submitted = await api<Message>(drafter, "POST", `/api/v1/alerting/messages/${draft.id}/submit`, {
    revision: draft.revision,
  });
  await api<Message>(approver, "POST", `/api/v1/alerting/messages/${draft.id}/approve`, {
    revision: submitted.revision,
  });
  log("the warning is cancelled again");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
