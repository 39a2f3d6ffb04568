import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AlertsApp, signCap } from "@hub/alerts";
import type { Pool } from "@hub/common";
import { ALERTING_API, type MessageView, type PartnerImportView, type Problem } from "@hub/contracts";
import { hashPassword } from "@hub/gateway";
import { type DevPartnerFeed, partnerCapXml, startDevPartnerFeed } from "@hub/infra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertUsers, startTestAlerts } from "../support/alerts.js";
import { api, login, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool } from "../support/hub.js";
import { metricValue, newSignal, partnerSigner, referenceTo, signedCap } from "../support/partner-feeds.js";

const XSD = new URL("../../services/alerts/schema/cap1.2.xsd", import.meta.url).pathname;

/** Whether xmllint accepts the document against the CAP 1.2 schema. */
function schemaValid(xml: string): boolean {
  const file = join(mkdtempSync(join(tmpdir(), "partner-cap-")), "alert.xml");
  writeFileSync(file, xml);
  try {
    execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

const suffix = randomUUID().slice(0, 8);
const feedId = `partner-${suffix}`;
const partnerName = { "zh-Hant": `氣象局 ${suffix}`, pt: `SMG ${suffix}`, en: `SMG ${suffix}` };
const trusted = partnerSigner();
const impostor = partnerSigner();

let pool: Pool;
let feed: DevPartnerFeed;
let alerts: AlertsApp & { url: string };
let stack: TestStack;
let tokens: { drafter: string; approver: string; operator: string };
let feedsEnv: Record<string, string>;

beforeAll(async () => {
  pool = await migratedPool();
  feed = await startDevPartnerFeed({ port: 0 });
  feedsEnv = {
    ALERTS_PARTNER_FEEDS: JSON.stringify([
      {
        id: feedId,
        name: partnerName,
        url: feed.url,
        trustedCertFiles: [trusted.certFile],
        pollIntervalMs: 300,
        rules: [{ event: "Heavy Rain Red", templateId: "rainstorm-red" }],
      },
    ]),
  };
  alerts = await startTestAlerts(feedsEnv);
  stack = await startTestStack({ ALERTS_URL: alerts.url });
  tokens = await alertUsers(stack.url);
});

afterAll(async () => {
  await stack?.stop();
  await alerts?.stop();
  await feed?.close();
  await pool?.end();
});

const post = <T>(token: string, path: string, body: unknown) =>
  api<T>(stack.url, token, path, { method: "POST", body: JSON.stringify(body) });

/** This feed's drafts for the partner signal `identifier`. */
async function draftsFor(identifier: string): Promise<MessageView[]> {
  const { body } = await api<MessageView[]>(stack.url, tokens.drafter, `${ALERTING_API.messages}?limit=500`);
  return body.filter((message) => message.partner?.feedId === feedId && message.partner.identifier === identifier);
}

async function draftFor(identifier: string): Promise<MessageView> {
  let found: MessageView[] = [];
  const appeared = await eventually(async () => {
    found = await draftsFor(identifier);
    return found.length > 0;
  }, 30_000);
  expect(appeared).toBe(true);
  expect(found).toHaveLength(1);
  return found[0] as MessageView;
}

/** This feed's refused imports whose link is the document `name`. */
async function refusalOf(name: string): Promise<PartnerImportView> {
  let found: PartnerImportView | undefined;
  const link = `/cap/${name}.xml`;
  const seen = await eventually(async () => {
    const { body } = await api<PartnerImportView[]>(
      stack.url,
      tokens.drafter,
      `${ALERTING_API.partnerImports}?status=refused&limit=200`,
    );
    found = body.find((row) => row.feedId === feedId && row.link?.endsWith(link));
    return found !== undefined;
  }, 30_000);
  expect(seen).toBe(true);
  return found as PartnerImportView;
}

const partnerMessages = async () =>
  (await api<MessageView[]>(stack.url, tokens.drafter, `${ALERTING_API.messages}?limit=500`)).body.filter(
    (message) => message.partner?.feedId === feedId,
  );

describe("drafts from a partner's signed CAP feed", () => {
  it("drafts a new signal once, from the matching template, with the partner's text as its source", async () => {
    const signal = newSignal();
    feed.put("typhoon-8ne", signedCap(signal, trusted), signal.sent);
    const draft = await draftFor(signal.identifier);
    expect(draft.status).toBe("draft");
    expect(draft.msgType).toBe("Alert");
    expect(draft.draftedBy).toBe(`partner:${feedId}`);
    expect(draft.content.templateId).toBe("tc-8ne");
    expect(draft.content.eventCodes).toContainEqual({ valueName: "MO-SMG-signal", value: "8NE" });
    expect(draft.content.expires).toBe(signal.expires?.toISOString());
    expect(draft.partner).toMatchObject({
      feedId,
      partnerName,
      identifier: signal.identifier,
      sender: "smg.gov.mo",
      sent: signal.sent.toISOString(),
      msgType: "Alert",
      link: feed.url.replace("/feed.atom", "/cap/typhoon-8ne.xml"),
      event: signal.event,
      earlierIdentifier: null,
    });
    expect(draft.partner?.texts.map((text) => text.headline)).toEqual([signal.headline, `（中文）${signal.headline}`]);
    expect(draft.steps).toMatchObject([{ action: "drafted", by: `partner:${feedId}` }]);

    // A rule of the feed's configuration: an event the templates do not carry themselves.
    const rain = newSignal({ event: "Heavy Rain Red", headline: "Red rain" });
    delete rain.eventCode;
    feed.put("rain-red", signedCap(rain, trusted), rain.sent);
    expect((await draftFor(rain.identifier)).content.templateId).toBe("rainstorm-red");
    expect(
      await metricValue(alerts.opsPort, "hub_alerts_partner_imports_total", { feed: feedId, outcome: "drafted" }),
    ).toBeGreaterThanOrEqual(2);
  });

  it("makes nothing new of a repeated signal, also with a second alerts instance polling the same feed", async () => {
    const signal = newSignal({ eventCode: { valueName: "MO-SMG-signal", value: "3" } });
    const document = signedCap(signal, trusted);
    feed.put("repeat-first", document, signal.sent);
    const first = await draftFor(signal.identifier);
    expect(first.content.templateId).toBe("tc-3");

    const second = await startTestAlerts(feedsEnv);
    try {
      // The same signal again under another entry, and the whole feed read by an instance that never saw it.
      feed.put("repeat-again", document, new Date());
      const repeats = (opsPort: number) =>
        metricValue(opsPort, "hub_alerts_partner_imports_total", { feed: feedId, outcome: "repeat" });
      expect(await eventually(async () => (await repeats(alerts.opsPort)) >= 1, 30_000)).toBe(true);
      expect(await eventually(async () => (await repeats(second.opsPort)) >= 2, 30_000)).toBe(true);
      expect((await draftsFor(signal.identifier)).map((message) => message.id)).toEqual([first.id]);
    } finally {
      await second.stop();
    }
  });

  it("drafts an updated signal as a new draft that references the earlier one", async () => {
    const earlier = newSignal({ eventCode: { valueName: "MO-SMG-signal", value: "8SE" } });
    feed.put("update-earlier", signedCap(earlier, trusted), earlier.sent);
    const earlierDraft = await draftFor(earlier.identifier);

    const update = newSignal({
      msgType: "Update",
      references: referenceTo(earlier),
      sent: new Date(earlier.sent.getTime() + 60_000),
      eventCode: { valueName: "MO-SMG-signal", value: "9" },
    });
    feed.put("update-later", signedCap(update, trusted), update.sent);
    const updated = await draftFor(update.identifier);
    expect(updated.id).not.toBe(earlierDraft.id);
    expect(updated.content.templateId).toBe("tc-9");
    // The earlier draft was never published: the update is a draft of its own that names it.
    expect(updated.msgType).toBe("Alert");
    expect(updated.partner).toMatchObject({
      msgType: "Update",
      references: referenceTo(earlier),
      earlierIdentifier: earlier.identifier,
      earlierMessageId: earlierDraft.id,
    });
  });

  it("refuses malformed, unsigned, wrongly signed and invalid CAP documents with the reason, drafting nothing", async () => {
    const malformed = newSignal();
    const unsigned = newSignal();
    const forged = newSignal();
    const invalid = newSignal();
    // Signed as it is: the signature holds, the document is not CAP 1.2.
    const invalidXml = signCap(
      partnerCapXml(invalid).replace("<msgType>Alert</msgType>", ""),
      trusted.key,
      trusted.cert,
    );
    expect(schemaValid(invalidXml)).toBe(false);
    expect(schemaValid(signedCap(newSignal(), trusted))).toBe(true);
    const before = await metricValue(alerts.opsPort, "hub_alerts_partner_refusals_total", { feed: feedId });

    feed.put("malformed", signedCap(malformed, trusted).replace("</identifier>", "</identifer>"));
    feed.put("unsigned", partnerCapXml(unsigned));
    feed.put("forged", signedCap(forged, impostor));
    feed.put("invalid", invalidXml);

    expect((await refusalOf("malformed")).reason).toMatch(/^CAP document: malformed XML/);
    expect((await refusalOf("unsigned")).reason).toMatch(/^unsigned/);
    expect((await refusalOf("forged")).reason).toMatch(/^signature: does not verify/);
    expect((await refusalOf("invalid")).reason).toBe("invalid CAP 1.2: <msgType> is missing");
    for (const signal of [malformed, unsigned, forged, invalid]) {
      expect(await draftsFor(signal.identifier)).toEqual([]);
    }
    // A trusted signature over altered text is refused like a forgery.
    const altered = newSignal();
    feed.put("altered", signedCap(altered, trusted).replace("Stay indoors.", "Go to the waterfront."));
    expect((await refusalOf("altered")).reason).toMatch(/^signature: /);
    expect(await draftsFor(altered.identifier)).toEqual([]);

    // Bigger than ALERTS_PARTNER_FEED_MAX_BYTES (1 MiB by default): not read, refused.
    const huge = newSignal();
    feed.put("huge", `${signedCap(huge, trusted)}<!-- ${"x".repeat(1_100_000)} -->\n`);
    expect((await refusalOf("huge")).reason).toMatch(/^too large: /);
    expect(await draftsFor(huge.identifier)).toEqual([]);

    const after = await metricValue(alerts.opsPort, "hub_alerts_partner_refusals_total", { feed: feedId });
    expect(after - before).toBeGreaterThanOrEqual(6);
    expect(
      await metricValue(alerts.opsPort, "hub_alerts_partner_refusals_total", { feed: feedId, cause: "unsigned" }),
    ).toBeGreaterThanOrEqual(1);
    // Operators do not see the imports.
    const operator = await api<Problem>(stack.url, tokens.operator, ALERTING_API.partnerImports);
    expect(operator.status).toBe(403);
    const badQuery = await api<Problem>(stack.url, tokens.drafter, `${ALERTING_API.partnerImports}?status=nope`);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.field).toBe("query.status");
  });

  it("refuses a malformed feed as a whole, with the reason", async () => {
    const countBefore = (await partnerMessages()).length;
    const garbage = `<feed xmlns="http://www.w3.org/2005/Atom"><entry>${suffix}</feed>`;
    feed.setFeedBody(garbage);
    try {
      let refusal: PartnerImportView | undefined;
      const seen = await eventually(async () => {
        const { body } = await api<PartnerImportView[]>(
          stack.url,
          tokens.approver,
          `${ALERTING_API.partnerImports}?status=refused&limit=200`,
        );
        refusal = body.find((row) => row.feedId === feedId && row.link === feed.url);
        return refusal !== undefined;
      }, 30_000);
      expect(seen).toBe(true);
      expect(refusal?.reason).toMatch(/^feed: malformed XML/);
      expect(refusal?.partnerName).toEqual(partnerName);
      expect((await partnerMessages()).length).toBe(countBefore);
    } finally {
      feed.setFeedBody(null);
    }
  });

  it("publishes a partner's draft only with two different people, and drafts its update as an Update", async () => {
    const signal = newSignal({ eventCode: { valueName: "MO-SMG-signal", value: "8SW" } });
    feed.put("two-people", signedCap(signal, trusted), signal.sent);
    const draft = await draftFor(signal.identifier);

    // Nobody can approve it as it stands: it is a draft, and approvers cannot submit it.
    const early = await post<Problem>(tokens.approver, ALERTING_API.approve(draft.id), { revision: draft.revision });
    expect(early.status).toBe(409);
    const approverSubmits = await post<Problem>(tokens.approver, ALERTING_API.submit(draft.id), {
      revision: draft.revision,
    });
    expect(approverSubmits.status).toBe(403);

    // Someone with both roles takes it over by submitting it, and then cannot approve it.
    const both = `partner-both-${suffix}`;
    await pool.query(
      "INSERT INTO users (username, display_name, password_hash, roles) VALUES ($1, $1, $2, ARRAY['alert_drafter','alert_approver'])",
      [both, await hashPassword(TEST_PASSWORD)],
    );
    const bothToken = (await login(stack.url, both)).token;
    const submitted = await post<MessageView>(bothToken, ALERTING_API.submit(draft.id), { revision: draft.revision });
    expect(submitted.status).toBe(200);
    expect(submitted.body.draftedBy).toBe(both);
    expect(submitted.body.status).toBe("pending");
    const own = await post<Problem>(bothToken, ALERTING_API.approve(draft.id), { revision: submitted.body.revision });
    expect(own.status).toBe(403);
    expect(own.body.detail).toMatch(/two-person rule/);

    // A second person publishes it.
    const approved = await post<MessageView>(tokens.approver, ALERTING_API.approve(draft.id), {
      revision: submitted.body.revision,
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("published");
    expect(approved.body.approvedBy).not.toBe(approved.body.draftedBy);

    // The partner's update of a published signal becomes an Update of that alert, for a drafter to check.
    const update = newSignal({
      msgType: "Update",
      references: referenceTo(signal),
      sent: new Date(signal.sent.getTime() + 60_000),
      eventCode: { valueName: "MO-SMG-signal", value: "9" },
    });
    feed.put("two-people-update", signedCap(update, trusted), update.sent);
    const updateDraft = await draftFor(update.identifier);
    expect(updateDraft.msgType).toBe("Update");
    expect(updateDraft.alertId).toBe(draft.alertId);
    expect(updateDraft.references).toContain(draft.identifier);
    expect(updateDraft.status).toBe("draft");
    expect(updateDraft.partner?.earlierMessageId).toBe(draft.id);
  });
});
