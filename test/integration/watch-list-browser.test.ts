import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import { ObjectClass } from "@hub/proto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { newDetection, SENADO } from "../support/factories.js";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents } from "../support/hub.js";

/**
 * The watch-list view in a real browser against the real stack: an investigator proposes an entry, the supervisor
 * approves it (with a confirmation), a sighting shows up under the recent hits, the supervisor removes the entry
 * with a reason; an operator has no watch-list link and is told the view is restricted; no serious or critical
 * accessibility violations along the way.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
let pool: Pool;
let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const letters = Array.from({ length: 3 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join("");
const plate = `${letters}-${Math.floor(Math.random() * 90 + 10)}-${Math.floor(Math.random() * 90 + 10)}`;
const caseReference = `PJ-WLB-${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function signedIn(username: string, locale = "en"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, bypassCSP: true, locale });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  return page;
}

const entryRow = (page: Page) => page.locator(`[data-testid="watch-list-entry"]`, { hasText: plate });

describe("watch-list view in a browser", { timeout: 240_000 }, () => {
  it("proposes, approves with a second person, shows hits and removes, accessibly", async () => {
    const investigator = await signedIn("investigator");
    await investigator.getByTestId("nav-watch-list").click();
    await expect.poll(() => investigator.evaluate("window.location.hash")).toBe("#/watch-list");
    await investigator.locator(".watch-list-propose summary").click();
    await investigator.getByTestId("watch-list-plate").fill(plate);
    await investigator.getByTestId("watch-list-case").fill(caseReference);
    await investigator.getByTestId("watch-list-reason").fill("Vehicle used in a robbery at Rua do Campo");
    expect(await axeViolations(investigator, { impacts: ["serious", "critical"] })).toEqual([]);
    await investigator.getByTestId("watch-list-submit").click();
    await investigator.getByTestId("watch-list-propose-result").waitFor({ timeout: 30_000 });
    expect(await investigator.getByTestId("watch-list-propose-result").getAttribute("role")).toBe("status");
    await expect.poll(() => entryRow(investigator).getAttribute("data-status"), { timeout: 30_000 }).toBe("pending");
    // The proposer is offered no approval.
    expect(await entryRow(investigator).getByTestId("watch-list-approve-open").count()).toBe(0);

    const supervisor = await signedIn("supervisor", "pt");
    await supervisor.getByTestId("nav-watch-list").click();
    await expect.poll(() => entryRow(supervisor).count(), { timeout: 30_000 }).toBe(1);
    await entryRow(supervisor).getByTestId("watch-list-approve-open").click();
    expect(await axeViolations(supervisor, { impacts: ["serious", "critical"] })).toEqual([]);
    await entryRow(supervisor).getByTestId("watch-list-approve-confirm").click();
    await expect.poll(() => entryRow(supervisor).getAttribute("data-status"), { timeout: 30_000 }).toBe("active");
    const stored = await pool.query("SELECT status, added_by, decided_by FROM plate_watch_list WHERE plate_text = $1", [
      plate,
    ]);
    expect(stored.rows).toEqual([{ status: "active", added_by: "investigator", decided_by: "supervisor" }]);

    // A camera reads the plate: the hit is listed (after a reload of the view).
    const detection = newDetection(`CAM-WLB-${letters}`, {
      objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
      plate: { text: plate, region: "MO", confidence: 0.95 },
      rule: undefined,
    });
    await produceEvents([{ detection, at: SENADO }]);
    const hit = await eventually(async () => {
      const rows = await pool.query("SELECT 1 FROM watch_list_hits WHERE event_id = $1", [detection.eventId]);
      return rows.rowCount === 1;
    }, 60_000);
    expect(hit).toBe(true);
    await investigator.reload();
    await investigator
      .getByTestId("connection-status")
      .and(investigator.locator('[data-state="live"]'))
      .waitFor({ timeout: 60_000 });
    const hitRow = investigator.locator('[data-testid="watch-list-hit"]', { hasText: plate });
    await expect.poll(() => hitRow.count(), { timeout: 30_000 }).toBe(1);
    expect(await hitRow.textContent()).toContain(caseReference);
    expect(await axeViolations(investigator, { impacts: ["serious", "critical"] })).toEqual([]);
    await screenshot(investigator, "watch-list");

    // Removal asks for a reason and a confirmation.
    await entryRow(supervisor).getByTestId("watch-list-remove-open").click();
    await entryRow(supervisor).getByTestId("watch-list-remove-reason").fill("Vehicle recovered by the police");
    expect(await axeViolations(supervisor, { impacts: ["serious", "critical"] })).toEqual([]);
    await entryRow(supervisor).getByTestId("watch-list-remove-confirm").click();
    await expect.poll(() => entryRow(supervisor).getAttribute("data-status"), { timeout: 30_000 }).toBe("removed");

    // Every load of the view was recorded as a look at personal data.
    const looks = await pool.query(
      "SELECT DISTINCT actor FROM audit_log WHERE action = 'watch-list.list' AND personal_data AND actor = ANY($1)",
      [["investigator", "supervisor"]],
    );
    expect(looks.rows.map((row) => row.actor).sort()).toEqual(["investigator", "supervisor"]);
  });

  it("offers an operator no watch list, and tells them so on the address", async () => {
    const operator = await signedIn("operator", "zh-Hant");
    expect(await operator.getByTestId("nav-watch-list").count()).toBe(0);
    await operator.goto(`${stack.url}/#/watch-list`);
    await operator.locator("#watch-list-heading").waitFor({ timeout: 30_000 });
    expect(await operator.getByTestId("watch-list-entries").count()).toBe(0);
    expect(await operator.locator(".watch-list-page").textContent()).toContain("只有調查員及主管可查看監察名單");
    expect(await axeViolations(operator, { impacts: ["serious", "critical"] })).toEqual([]);
  });
});
