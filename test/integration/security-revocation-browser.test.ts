import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pool } from "@hub/common";
import { hashPassword } from "@hub/gateway";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { migratedPool } from "../support/hub.js";

/**
 * Issue 12, finding 5 (revocation) in the dashboard: with access tokens of 30 s the dashboard keeps working on
 * refreshed tokens, signing out ends the session on the server, and an account disabled by an administrator is
 * sent back to sign-in with a message while its page is open.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
const password = `revocation-${randomUUID()}`;
let pool: Pool;
let stack: TestStack;
let browser: Browser;
let adminName: string;

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`))
    throw new Error("web/dist is missing: npm test builds it (npm run build -w web)");
  pool = await migratedPool();
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir, GATEWAY_ACCESS_TOKEN_TTL_S: "30" });
  browser = await launchBrowser();
  adminName = await newUser("administrator");
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await pool?.end();
});

async function newUser(role: "operator" | "administrator"): Promise<string> {
  const username = `rvb-${randomUUID().slice(0, 8)}`;
  await pool.query("INSERT INTO users (username, display_name, password_hash, roles) VALUES ($1, $1, $2, $3)", [
    username,
    await hashPassword(password),
    [role],
  ]);
  return username;
}

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  return page;
}

async function sessionOf(username: string) {
  const result = await pool.query<{ refresh_generation: number; revoked_reason: string | null }>(
    "SELECT refresh_generation, revoked_reason FROM sessions WHERE username = $1",
    [username],
  );
  return result.rows;
}

describe("revocation in the dashboard", { timeout: 240_000 }, () => {
  it("keeps working on refreshed tokens, and is sent back to sign-in with a message when the account is disabled", async () => {
    const username = await newUser("operator");
    const page = await signIn(username);
    // The 30 s access token is replaced before it expires, without the user noticing; the page stays live past
    // the first token's end.
    await expect
      .poll(async () => (await sessionOf(username))[0]?.refresh_generation, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(2);
    await page.getByTestId("connection-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("login-form").count()).toBe(0);

    // Signed in just now: its access tokens last 30 s here too.
    const admin = await login(stack.url, adminName, password);
    const disabled = await api(stack.url, admin.token, `/api/v1/users/${username}/disable`, {
      method: "POST",
      body: JSON.stringify({ reason: "left the service" }),
    });
    expect(disabled.status).toBe(200);
    await page.getByTestId("session-ended").waitFor({ timeout: 60_000 });
    await page.getByTestId("login-form").waitFor();
    expect(await sessionOf(username)).toEqual([expect.objectContaining({ revoked_reason: "user_disabled" })]);
    await page.context().close();
  });

  it("signing out ends the session on the server", async () => {
    const username = await newUser("operator");
    const page = await signIn(username);
    await page.getByTestId("sign-out").click();
    await page.getByTestId("login-form").waitFor();
    expect(await page.getByTestId("session-ended").count()).toBe(0);
    await expect
      .poll(async () => (await sessionOf(username))[0]?.revoked_reason, { timeout: 30_000 })
      .toBe("signed_out");
    await page.context().close();
  });
});
