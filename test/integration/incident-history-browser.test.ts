import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { closedIncident } from "../support/history.js";
import { migratedPool } from "../support/hub.js";

/**
 * Issue 14 in a real browser: incident titles follow the language chosen in the top bar (live list, history, detail),
 * the History view searches closed incidents with its filters and pages, opens a result's detail, and the Rules
 * view lists the rules with their false alarms; axe-core finds nothing serious or critical.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const marker = `H${Math.random().toString(36).slice(2, 8)}`;
const titlesOf = (n: number) => ({
  "zh-Hant": `歷史火警 ${marker} 第${n}宗`,
  pt: `Incêndio histórico ${marker} n.º ${n}`,
  en: `Past fire ${marker} no. ${n}`,
});
const openTitles = { "zh-Hant": `即時火警 ${marker}`, pt: `Incêndio em curso ${marker}`, en: `Fire now ${marker}` };
const CLOSED = 27;
let openId = "";
const closedIds: string[] = [];

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  const place = { lat: 22.19 + Math.random() * 0.01, lon: 113.54 + Math.random() * 0.01 };
  // Open before the gateway starts: it is in the live list from the first snapshot.
  openId = await closedIncident(pool, { ...place, firstEventAt: new Date(), status: "open", titles: openTitles });
  for (let n = 1; n <= CLOSED; n += 1)
    closedIds.push(
      await closedIncident(pool, {
        ...place,
        firstEventAt: new Date(Date.now() - n * 60_000),
        status: n % 3 === 0 ? "false_alarm" : "resolved",
        titles: titlesOf(n),
      }),
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
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  return page;
}

describe("incident history and titles in a browser", { timeout: 300_000 }, () => {
  it("shows incident titles in the chosen language, live and in the history", async () => {
    const page = await signedIn("operator");
    const live = page.locator(`[data-testid="incident-item"][data-incident-id="${openId}"] .incident-title`);
    await page.getByTestId("language-select").selectOption("zh-Hant");
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe(openTitles["zh-Hant"]);
    await page.getByTestId("language-select").selectOption("pt");
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe(openTitles.pt);
    await page.getByTestId("language-select").selectOption("en");
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe(openTitles.en);

    // History, in Portuguese: the newest closed incident first, its title in Portuguese.
    await page.getByTestId("language-select").selectOption("pt");
    await page.getByTestId("nav-history").click();
    await page.getByTestId("history-text").fill(marker);
    await page.getByTestId("history-search").click();
    const rows = page.getByTestId("history-row");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(25);
    expect(await rows.first().getAttribute("data-incident-id")).toBe(closedIds[0]);
    expect(await rows.first().getByTestId("history-open").textContent()).toBe(titlesOf(1).pt);
    // The next page: the rest, in order, no repeats; then no more pages.
    await page.getByTestId("history-more").click();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(CLOSED);
    const shown = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute("data-incident-id")));
    expect(shown).toEqual(closedIds);
    expect(await page.getByTestId("history-more").count()).toBe(0);

    // A result opens its detail beside the list; the title follows a change of language.
    await rows.nth(2).getByTestId("history-open").click();
    const detail = page.getByTestId("incident-detail");
    await detail.locator(`[data-incident-id="${closedIds[2]}"]`).waitFor({ timeout: 30_000 });
    await expect.poll(() => detail.getByRole("heading", { level: 2 }).first().textContent()).toBe(titlesOf(3).pt);
    await page.getByTestId("language-select").selectOption("zh-Hant");
    await expect
      .poll(() => detail.getByRole("heading", { level: 2 }).first().textContent())
      .toBe(titlesOf(3)["zh-Hant"]);
    expect(await rows.first().getByTestId("history-open").textContent()).toBe(titlesOf(1)["zh-Hant"]);
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "incident-history");

    // A state filter: only false alarms (every third one).
    await page.getByTestId("history-state").selectOption("false_alarm");
    await page.getByTestId("history-search").click();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(Math.floor(CLOSED / 3));
    const states = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute("data-incident-id")));
    expect(states).toEqual(closedIds.filter((_, index) => (index + 1) % 3 === 0));
  });

  it("lists the rules with their titles and false alarms for a supervisor", async () => {
    const page = await signedIn("supervisor");
    await page.getByTestId("language-select").selectOption("en");
    await page.getByTestId("nav-rules").click();
    const fire = page.locator('[data-testid="rule-row"][data-rule-id="fire"]');
    await fire.waitFor({ timeout: 30_000 });
    expect(await fire.getByTestId("rule-title").textContent()).toMatch(/^Fire: /);
    // Nine of this file's incidents are false alarms of the fire rule, this week: at least those are counted.
    expect(Number(await fire.getByTestId("rule-false-7d").textContent())).toBeGreaterThanOrEqual(9);
    await page.getByTestId("language-select").selectOption("zh-Hant");
    await expect.poll(() => fire.getByTestId("rule-title").textContent()).toMatch(/^火警/);
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(page, "rules");
  });

  it("does not offer the Rules view to an operator", async () => {
    const page = await signedIn("operator");
    await page.getByTestId("nav-history").waitFor();
    expect(await page.getByTestId("nav-rules").count()).toBe(0);
  });
});
