import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { migratedPool } from "../support/hub.js";
import { insertIncident, type StoredIncident } from "../support/incidents.js";

/**
 * The incident workflow in the dashboard's incident panel, in a real browser against the real stack: an operator
 * moves an incident through its states, adds a note, ticks a procedure step (which another dashboard sees at once)
 * and closes it as a false alarm with a reason; axe-core finds no serious or critical violations in the panel.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let browser: Browser;
let incident: StoredIncident;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  incident = await insertIncident(pool, { kind: "fire", evidence: 2 });
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function incidentPanel(username: string, language: "en" | "pt" | "zh-Hant"): Promise<Page> {
  // axe-core is injected as an inline script, which the dashboard's CSP forbids.
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  await page.getByTestId("language-select").selectOption(language);
  await page.locator(`html[lang="${language}"]`).waitFor({ state: "attached" });
  await page.locator(`[data-testid="incident-item"][data-incident-id="${incident.id}"]`).click({ timeout: 30_000 });
  await page.getByTestId("incident-workflow").getByTestId("procedure").waitFor({ timeout: 30_000 });
  return page;
}

const status = (page: Page) =>
  page.getByTestId("incident-detail").locator("[data-status]").first().getAttribute("data-status");

describe("incident workflow in the dashboard", { timeout: 300_000 }, () => {
  it("moves through the states, takes a note, ticks a step seen live elsewhere, and closes as a false alarm", async () => {
    const operator = await incidentPanel("operator", "pt");
    const other = await incidentPanel("investigator", "en");
    // The investigator sees the workflow but cannot work it.
    expect(await other.getByTestId("step-notify_fire_services").isDisabled()).toBe(true);
    expect(await other.getByTestId("transition-dispatched").count()).toBe(0);

    await operator.getByTestId("ack-button").click();
    await expect.poll(() => status(operator), { timeout: 30_000 }).toBe("acknowledged");
    await operator.getByTestId("transition-dispatched").click();
    await expect.poll(() => status(operator), { timeout: 30_000 }).toBe("dispatched");
    await operator.getByTestId("transition-on_scene").click();
    await expect.poll(() => status(operator), { timeout: 30_000 }).toBe("on_scene");

    const note = "Bombeiros no local; fumo de uma cozinha";
    await operator.getByTestId("note-form").getByRole("textbox").fill(note);
    await operator.getByTestId("note-form").getByRole("button").click();
    const timeline = operator.getByTestId("incident-timeline");
    await timeline.getByText(note).waitFor({ timeout: 30_000 });

    // A click, not check(): the box shows what is stored, so it turns once the server has the tick.
    await operator.getByTestId("step-notify_fire_services").click();
    await expect.poll(() => other.getByTestId("step-notify_fire_services").isChecked(), { timeout: 30_000 }).toBe(true);
    await expect
      .poll(() => operator.getByTestId("step-notify_fire_services").isChecked(), { timeout: 30_000 })
      .toBe(true);
    // The other dashboard's timeline shows the operator's steps, in its own language.
    await other
      .getByTestId("incident-timeline")
      .getByText("operator: Dispatched → On scene")
      .waitFor({ timeout: 30_000 });

    expect(await axeViolations(operator, { impacts: ["serious", "critical"] })).toEqual([]);
    expect(await axeViolations(other, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(operator, "incident-workflow");

    // A false alarm needs a reason: refused in the form first, then sent with one.
    await operator.getByTestId("false-alarm-button").click();
    await operator.getByTestId("false-alarm-reason").and(operator.locator('[aria-invalid="true"]')).waitFor();
    expect(await status(operator)).toBe("on_scene");
    await operator.getByTestId("false-alarm-reason").fill("Vapor de cozinha, confirmado pela câmara");
    await operator.getByTestId("false-alarm-button").click();
    await expect
      .poll(
        async () => (await pool.query("SELECT status FROM incidents WHERE id = $1", [incident.id])).rows[0].status,
        {
          timeout: 30_000,
        },
      )
      .toBe("false_alarm");
    // Closed: it leaves the other dashboard's list.
    await other
      .locator(`[data-testid="incident-item"][data-incident-id="${incident.id}"]`)
      .waitFor({ state: "detached", timeout: 30_000 });
    const steps = await pool.query(
      "SELECT to_status, actor FROM incident_activity WHERE incident_id = $1 AND kind = 'transition' ORDER BY id",
      [incident.id],
    );
    expect(steps.rows.map((row) => row.to_status)).toEqual(["acknowledged", "dispatched", "on_scene", "false_alarm"]);
  });
});
