import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AlertsApp } from "@hub/alerts";
import { ALERTING_API, type MessageView, type PartnerImportView } from "@hub/contracts";
import { type DevPartnerFeed, partnerCapXml, startDevPartnerFeed } from "@hub/infra";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertUsers, startTestAlerts } from "../support/alerts.js";
import { axeViolations, launchBrowser, screenshot } from "../support/browser.js";
import { api, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { eventually } from "../support/hub.js";
import { newSignal, partnerSigner, signedCap } from "../support/partner-feeds.js";

/**
 * Warnings from a partner agency in the dashboard, in a real browser against the real stack: the draft made from a
 * signed signal carries its "From partner" badge and source, a refused import its reason, in every language.
 */
const webDir = fileURLToPath(new URL("../../web/dist", import.meta.url));
const suffix = randomUUID().slice(0, 8);
const feedId = `partner-ui-${suffix}`;
const partnerName = { "zh-Hant": `氣象局替身 ${suffix}`, pt: `SMG substituto ${suffix}`, en: `SMG stand-in ${suffix}` };
const badgeText = {
  "zh-Hant": `來自合作機構：${partnerName["zh-Hant"]}`,
  pt: `Do parceiro: ${partnerName.pt}`,
  en: `From partner: ${partnerName.en}`,
};
const signer = partnerSigner();
const signal = newSignal({
  eventCode: { valueName: "MO-SMG-signal", value: "8NW" },
  headline: `Signal 8 NW ${suffix}`,
});
const unsigned = newSignal();

let feed: DevPartnerFeed;
let stack: TestStack;
let alerts: AlertsApp & { url: string };
let browser: Browser;
let tokens: { drafter: string; approver: string };

beforeAll(async () => {
  if (!existsSync(`${webDir}/index.html`)) throw new Error("web/dist is missing: npm test builds it");
  feed = await startDevPartnerFeed({ port: 0 });
  feed.put("signal", signedCap(signal, signer), signal.sent);
  feed.put("unsigned", partnerCapXml(unsigned));
  alerts = await startTestAlerts({
    ALERTS_PARTNER_FEEDS: JSON.stringify([
      { id: feedId, name: partnerName, url: feed.url, trustedCertFiles: [signer.certFile], pollIntervalMs: 500 },
    ]),
  });
  stack = await startTestStack({ GATEWAY_WEB_DIR: webDir, ALERTS_URL: alerts.url });
  tokens = await alertUsers(stack.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await alerts?.stop();
  await feed?.close();
});

async function signIn(context: BrowserContext, username: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(TEST_PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("nav-alerts").click();
  await page.locator("#alerts-view").waitFor();
  return page;
}

describe("warnings from partner agencies in the dashboard", { timeout: 240_000 }, () => {
  it("shows the partner's draft with its badge and source, and the refused import with its reason", async () => {
    // The service has read the feed: one draft, one refusal.
    let draft: MessageView | undefined;
    let refusal: PartnerImportView | undefined;
    const ready = await eventually(async () => {
      const drafts = await api<MessageView[]>(stack.url, tokens.drafter, `${ALERTING_API.messages}?status=draft`);
      draft = drafts.body.find((m) => m.partner?.feedId === feedId && m.partner.identifier === signal.identifier);
      const refused = await api<PartnerImportView[]>(stack.url, tokens.drafter, ALERTING_API.partnerImports);
      refusal = refused.body.find((row) => row.feedId === feedId);
      return draft !== undefined && refusal !== undefined;
    }, 60_000);
    expect(ready).toBe(true);
    const messageId = (draft as MessageView).id;

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
    const drafter = await signIn(context, "drafter");
    const row = drafter.locator(`[data-testid="partner-draft"][data-message-id="${messageId}"]`);
    await row.waitFor({ timeout: 60_000 });
    const refused = drafter.locator(`[data-testid="partner-refused-item"][data-import-id="${refusal?.id}"]`);
    await refused.waitFor({ timeout: 60_000 });

    for (const language of ["zh-Hant", "pt", "en"] as const) {
      await drafter.getByTestId("language-select").selectOption(language);
      expect(await row.getByTestId("partner-badge").textContent()).toBe(badgeText[language]);
      expect(await refused.textContent()).toContain(partnerName[language]);
      expect(await drafter.locator("#partner-warnings-heading").textContent()).not.toBe("");
      expect(await axeViolations(drafter)).toEqual([]);
    }
    expect(await row.getByTestId("partner-identifier").textContent()).toContain(signal.identifier);
    expect(await row.getByTestId("partner-link").getAttribute("href")).toBe(
      feed.url.replace("/feed.atom", "/cap/signal.xml"),
    );
    expect(await refused.getByTestId("partner-refused-reason").textContent()).toMatch(/^Reason: unsigned/);
    await screenshot(drafter, "alerts-partner-warnings");

    // Opened, the draft shows its source and the partner's own text; the drafter takes it over by submitting it.
    await row.getByTestId("partner-draft-open").click();
    const editor = drafter.locator(`[data-testid="alert-editor"][data-message-id="${messageId}"]`);
    await editor.waitFor();
    expect(await editor.getByTestId("partner-badge").textContent()).toBe(badgeText.en);
    expect(await editor.getByTestId("partner-source").textContent()).toContain(signal.headline);
    expect(await axeViolations(drafter)).toEqual([]);
    await drafter.getByTestId("submit-button").click();
    await drafter
      .locator(`[data-testid="alert-editor"][data-message-id="${messageId}"][data-status="pending"]`)
      .waitFor();
    const pending = await api<MessageView>(stack.url, tokens.drafter, ALERTING_API.message(messageId));
    expect(pending.body.draftedBy).toBe("drafter");
    // The drafter cannot approve it: a second person must.
    const ownApprove = drafter.getByTestId("approve-button");
    if ((await ownApprove.count()) > 0) expect(await ownApprove.isDisabled()).toBe(true);
    await context.close();
  });
});
