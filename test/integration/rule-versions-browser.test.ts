import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { migratedPool } from "../support/hub.js";
import { ruleScenario } from "../support/rule-versions.js";

/**
 * Issue 15 in a real browser: a supervisor proposes a change to a rule in the Rules view's editor; an administrator
 * dry-runs it (would open vs opened, side by side) and approves it; the list then shows the new version in force.
 * The proposer is not offered to approve their own version. axe-core finds nothing serious or critical.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let browser: Browser;
let scenario: ReturnType<typeof ruleScenario>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  // The highest marker and a band of spots of its own: no other file's crowd counts meet this rule, so its dry runs
  // (counted on screen) see this file's events only.
  scenario = ruleScenario(pool, { marker: 999_999, lon: 113.1 });
  await scenario.insert();
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir }, { CORRELATOR_RULES_POLL_MS: "300" });
  browser = await launchBrowser();
  // Two matching detections at one spot: version 1 (two needed) opens an incident.
  const ids = await scenario.crowdEvents(2);
  expect(await scenario.incidentsOf(ids)).toHaveLength(1);
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function rulesPage(username: string): Promise<Page> {
  // axe-core is injected as an inline script, which the dashboard's CSP forbids.
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  await page.getByTestId("language-select").selectOption("en");
  await page.getByTestId("nav-rules").click();
  const row = page.locator(`[data-testid="rule-row"][data-rule-id="${scenario.ruleId}"]`);
  await row.waitFor({ timeout: 30_000 });
  await row.getByTestId("rule-edit").click();
  await page.getByTestId("rule-editor").waitFor({ timeout: 30_000 });
  return page;
}

describe("rule editor in a browser", { timeout: 300_000 }, () => {
  it("a supervisor proposes a version; the editor does not offer them to approve it", async () => {
    const page = await rulesPage("supervisor");
    const editor = page.getByTestId("rule-editor");
    // The editor starts from the rule in force, with the schema's defaults filled in.
    expect(await editor.getByTestId("rule-field-distinctSources").inputValue()).toBe("1");
    await editor.getByTestId("rule-field-minCount").fill("3");
    await editor.getByTestId("rule-field-severity").selectOption("severe");
    await editor.getByTestId("rule-change-note").fill("Three cameras before we call it a crowd");
    await editor.getByTestId("rule-propose").click();
    await expect
      .poll(() => editor.getByTestId("rule-outcome").textContent(), { timeout: 30_000 })
      .toMatch(/Version 2 proposed/);
    const pending = editor.locator('[data-testid="rule-version"][data-version="2"]');
    await expect
      .poll(() => pending.getByTestId("rule-version-status").textContent(), { timeout: 30_000 })
      .toBe("Awaiting approval");
    expect(await pending.getByTestId("rule-approve").count()).toBe(0);
    expect(await pending.textContent()).toContain("Awaits another person");
    await page.getByTestId("language-select").selectOption("zh-Hant");
    await expect.poll(() => pending.getByTestId("rule-version-status").textContent()).toBe("待批准");
    await page.getByTestId("language-select").selectOption("pt");
    await expect.poll(() => pending.getByTestId("rule-version-status").textContent()).toBe("A aguardar aprovação");
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
  });

  it("an administrator dry-runs the pending version beside what was opened, then approves it", async () => {
    const page = await rulesPage("admin");
    const editor = page.getByTestId("rule-editor");
    await editor.getByTestId("rule-dry-run-hours").fill("2");
    const pending = editor.locator('[data-testid="rule-version"][data-version="2"]');
    await pending.getByTestId("rule-dry-run").click();
    const result = editor.getByTestId("dry-run-result");
    await result.waitFor({ timeout: 60_000 });
    // Version 2 needs three detections: the pair that opened an incident under version 1 would open nothing now.
    expect(await result.getByTestId("dry-run-would-open").getByTestId("dry-run-incident").count()).toBe(0);
    expect(await result.getByTestId("dry-run-opened").getByTestId("dry-run-incident").count()).toBe(1);
    expect(await axeViolations(page, { impacts: ["serious", "critical"] })).toEqual([]);
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, "rule-dry-run");

    await pending.getByTestId("rule-approve").click();
    await expect
      .poll(() => editor.getByTestId("rule-outcome").textContent(), { timeout: 30_000 })
      .toMatch(/Version 2 approved/);
    await expect
      .poll(() => pending.getByTestId("rule-version-status").textContent(), { timeout: 30_000 })
      .toBe("In force");
    const row = page.locator(`[data-testid="rule-row"][data-rule-id="${scenario.ruleId}"]`);
    await expect.poll(() => row.getByTestId("rule-version-in-force").textContent(), { timeout: 30_000 }).toBe("v2");
    const history = await pool.query(
      "SELECT version, status FROM correlation_rule_versions WHERE rule_id = $1 ORDER BY version",
      [scenario.ruleId],
    );
    expect(history.rows).toEqual([
      { version: 1, status: "superseded" },
      { version: 2, status: "approved" },
    ]);
  });
});
