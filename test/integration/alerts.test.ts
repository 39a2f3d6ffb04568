import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertsApp } from "@hub/alerts";
import type { Pool } from "@hub/common";
import type { Problem } from "@hub/contracts";
import {
  ALERTING_API,
  type AlertContent,
  type AlertSummary,
  type ChannelDeliverySummary,
  type MessageView,
  PUBLIC_ALERTS,
  type PublicAlertView,
  type PublicServerToClientEvents,
} from "@hub/contracts";
import { hashPassword } from "@hub/gateway";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  alertUsers,
  publish,
  startTestAlerts,
  testContent,
  WebhookReceivers,
  webhookSecret,
  webhooksFile,
} from "../support/alerts.js";
import { api, login, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { migratedPool, settles } from "../support/hub.js";

const XSD = new URL("../../services/alerts/schema/cap1.2.xsd", import.meta.url).pathname;

/** xmllint (libxml2-utils) validates a CAP document against the CAP 1.2 schema; returns its complaint or "". */
function xsdErrors(xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cap-"));
  const file = join(dir, "message.xml");
  writeFileSync(file, xml);
  try {
    execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: "pipe" });
    return "";
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

const suffix = randomUUID().slice(0, 6);
const apps = {
  civil: { name: `civil-protection-app-${suffix}`, subscribers: ["cp-1", "cp-2", "cp-3"] },
  account: { name: `one-account-app-${suffix}`, subscribers: ["oa-1", "oa-2"] },
};

let stack: TestStack;
let alerts: AlertsApp & { url: string };
let receivers: WebhookReceivers;
let tokens: { drafter: string; approver: string; operator: string };
let pool: Pool;
let publicClient: Socket<PublicServerToClientEvents>;
const publicEvents: PublicAlertView[] = [];

beforeAll(async () => {
  pool = await migratedPool();
  const secret = webhookSecret();
  receivers = await new WebhookReceivers(secret).start();
  const file = webhooksFile(
    Object.values(apps).map((app) => ({
      name: app.name,
      secret,
      subscribers: app.subscribers.map((id) => ({ id, url: receivers.urlOf(`${app.name}/${id}`) })),
      limits: { backoffBaseMs: 100, backoffMaxMs: 500, timeoutMs: 1500, maxAttempts: 4 },
    })),
  );
  alerts = await startTestAlerts({ ALERTS_WEBHOOKS_FILE: file.path, ...file.env });
  stack = await startTestStack({ ALERTS_URL: alerts.url });
  tokens = await alertUsers(stack.url);
  publicClient = io(`${stack.url}${PUBLIC_ALERTS.socketNamespace}`, { transports: ["websocket"] });
  publicClient.on("alert:changed", (alert) => publicEvents.push(alert));
  await new Promise<void>((resolve) => publicClient.once("alerts:snapshot", () => resolve()));
});

afterAll(async () => {
  publicClient?.close();
  await stack?.stop();
  await alerts?.stop();
  await receivers?.stop();
  await pool?.end();
});

const post = <T>(token: string, path: string, body: unknown) =>
  api<T>(stack.url, token, path, { method: "POST", body: JSON.stringify(body) });

function deliveredTo(alertVersionMessageId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const hook of receivers.accepted) {
    const data = (hook.body as { data: { identifier: string } }).data;
    if (!hook.id.includes(alertVersionMessageId.replaceAll("-", ""))) continue;
    counts.set(hook.subscriber, (counts.get(hook.subscriber) ?? 0) + 1);
    expect(data.identifier).toMatch(/^MO-CPC-/);
  }
  return counts;
}

/** A published message's CAP document, once the CAP-feed channel (which may deliver after the webhooks) serves it. */
async function capDocument(identifier: string): Promise<string> {
  let xml = "";
  await settles(async () => {
    const response = await fetch(`${stack.url}${PUBLIC_ALERTS.cap(identifier)}`);
    expect(response.status).toBe(200);
    xml = await response.text();
  }, 10_000);
  return xml;
}

const allSubscribers = Object.values(apps).flatMap((app) => app.subscribers.map((id) => `${app.name}/${id}`));

describe("authoring with two-person approval", () => {
  it("refuses the wrong roles, the drafter's own approval, withdrawn drafts and stale revisions", async () => {
    const content = testContent();
    // Operators cannot draft; approvers cannot draft either.
    for (const token of [tokens.operator, tokens.approver]) {
      const refused = await post<Problem>(token, ALERTING_API.messages, { msgType: "Alert", content });
      expect(refused.status).toBe(403);
    }
    const unauthenticated = await api<Problem>(stack.url, undefined, ALERTING_API.messages);
    expect(unauthenticated.status).toBe(401);

    const draft = await post<MessageView>(tokens.drafter, ALERTING_API.messages, { msgType: "Alert", content });
    expect(draft.status).toBe(201);
    expect(draft.body.status).toBe("draft");
    expect(draft.body.steps.map((step) => step.action)).toEqual(["drafted"]);

    // Not pending yet: nothing to approve.
    const early = await post<Problem>(tokens.approver, ALERTING_API.approve(draft.body.id), {
      revision: draft.body.revision,
    });
    expect(early.status).toBe(409);
    const submitted = await post<MessageView>(tokens.drafter, ALERTING_API.submit(draft.body.id), {
      revision: draft.body.revision,
    });
    expect(submitted.body.status).toBe("pending");

    // A stale revision, and the drafter approving (the drafter lacks the role: 403).
    const stale = await post<Problem>(tokens.approver, ALERTING_API.approve(draft.body.id), {
      revision: draft.body.revision,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.field).toBe("body.revision");
    const ownApproval = await post<Problem>(tokens.drafter, ALERTING_API.approve(draft.body.id), {
      revision: submitted.body.revision,
    });
    expect(ownApproval.status).toBe(403);
    const operatorApproval = await post<Problem>(tokens.operator, ALERTING_API.approve(draft.body.id), {
      revision: submitted.body.revision,
    });
    expect(operatorApproval.status).toBe(403);

    // Withdrawn: can no longer be published.
    const withdrawn = await post<MessageView>(tokens.drafter, ALERTING_API.withdraw(draft.body.id), {
      revision: submitted.body.revision,
      note: "wrong area",
    });
    expect(withdrawn.body.status).toBe("withdrawn");
    const late = await post<Problem>(tokens.approver, ALERTING_API.approve(draft.body.id), {
      revision: withdrawn.body.revision,
    });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/withdrawn message cannot be published/);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM alert_deliveries WHERE message_id = $1", [
      draft.body.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it("keeps the two-person rule for a user who holds both roles", async () => {
    const username = `both-${suffix}`;
    await pool.query(
      "INSERT INTO users (username, display_name, password_hash, roles) VALUES ($1, $1, $2, ARRAY['alert_drafter','alert_approver'])",
      [username, await hashPassword(TEST_PASSWORD)],
    );
    const both = (await login(stack.url, username)).token;
    const draft = await post<MessageView>(both, ALERTING_API.messages, { msgType: "Alert", content: testContent() });
    const submitted = await post<MessageView>(both, ALERTING_API.submit(draft.body.id), {
      revision: draft.body.revision,
    });
    const own = await post<Problem>(both, ALERTING_API.approve(draft.body.id), { revision: submitted.body.revision });
    expect(own.status).toBe(403);
    expect(own.body.detail).toMatch(/two-person rule/);
    const ownReject = await post<Problem>(both, ALERTING_API.reject(draft.body.id), {
      revision: submitted.body.revision,
      note: "no",
    });
    expect(ownReject.status).toBe(403);
    // The database refuses it too, whatever the service says.
    await expect(
      pool.query("UPDATE alert_messages SET approved_by = drafted_by WHERE id = $1", [draft.body.id]),
    ).rejects.toThrow(/check constraint/);
    // Rejection needs a reason, from someone else.
    const noReason = await post<Problem>(tokens.approver, ALERTING_API.reject(draft.body.id), {
      revision: submitted.body.revision,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe("body.note");
    const rejected = await post<MessageView>(tokens.approver, ALERTING_API.reject(draft.body.id), {
      revision: submitted.body.revision,
      note: "headline unclear",
    });
    expect(rejected.body.status).toBe("rejected");
    expect(rejected.body.steps.map((s) => [s.action, s.by])).toEqual([
      ["drafted", username],
      ["submitted", username],
      ["rejected", "approver"],
    ]);
  });

  it("answers bad drafts with the field at fault and stores nothing", async () => {
    const { rows: before } = await pool.query("SELECT count(*)::int AS n FROM alert_messages");
    const good = testContent();
    const area = good.areas[0];
    if (!area) throw new Error("test content has an area");
    const cases: [unknown, string][] = [
      [{ msgType: "Warning", content: good }, "body.msgType"],
      [{ msgType: "Alert" }, "body.content"],
      [{ msgType: "Alert", content: { ...good, headline: { ...good.headline, pt: "" } } }, "body.content.headline.pt"],
      [{ msgType: "Alert", content: { ...good, severity: "Catastrophic" } }, "body.content.severity"],
      [{ msgType: "Alert", content: { ...good, categories: [] } }, "body.content.categories"],
      [{ msgType: "Alert", content: { ...good, areas: [] } }, "body.content.areas"],
      [
        {
          msgType: "Alert",
          content: { ...good, areas: [{ ...area, circles: [{ center: [113.54, 22.19], radiusKm: 0 }] }] },
        },
        "body.content.areas.0.circles.0.radiusKm",
      ],
      [
        {
          msgType: "Alert",
          content: {
            ...good,
            areas: [
              {
                ...area,
                polygons: [
                  [
                    [113.53, 22.19],
                    [113.55, 22.19],
                    [113.55, 22.2],
                  ],
                ],
              },
            ],
          },
        },
        "body.content.areas.0.polygons.0",
      ],
      [
        { msgType: "Alert", content: { ...good, areas: [{ ...area, districts: ["MO-XX"] }] } },
        "body.content.areas.0.districts.0",
      ],
      [{ msgType: "Alert", content: { ...good, expires: "tomorrow" } }, "body.content.expires"],
      [{ msgType: "Alert", content: { ...good, extra: 1 } }, "body.content.extra"],
      [{ msgType: "Update", alertId: "not-a-uuid", content: good }, "body.alertId"],
      [{ msgType: "Cancel", alertId: randomUUID() }, "body.alertId"],
    ];
    for (const [body, field] of cases) {
      const answer = await post<Problem>(tokens.drafter, ALERTING_API.messages, body);
      expect([400, 404], JSON.stringify(body).slice(0, 120)).toContain(answer.status);
      expect(answer.body.field, JSON.stringify(answer.body)).toBe(field);
      expect(answer.type).toMatch(/problem\+json/);
    }
    // Not JSON at all, or far too large: a problem document too, and nothing stored.
    for (const [body, status] of [
      ["{not json", 400],
      [
        JSON.stringify({
          msgType: "Alert",
          content: { ...good, description: { ...good.description, en: "x".repeat(3_000_000) } },
        }),
        413,
      ],
    ] as const) {
      const response = await fetch(`${stack.url}${ALERTING_API.messages}`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.drafter}`, "content-type": "application/json" },
        body,
      });
      expect(response.status, body.slice(0, 40)).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/problem\+json/);
      expect(((await response.json()) as Problem).status).toBe(status);
    }
    const { rows: after } = await pool.query("SELECT count(*)::int AS n FROM alert_messages");
    expect(after[0].n).toBe(before[0].n);
  });
});

describe("drafting from an incident", () => {
  it("starts from the incident's place and the template its kind suggests, and names it in the CAP note", async () => {
    const incidentId = randomUUID();
    const place = { lat: 22.1987, lon: 113.5439 };
    await pool.query(
      `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, lat, lon, h3_cell,
         first_event_at, last_event_at)
       VALUES ($1::uuid, 'fire-smoke-and-camera', 1, $1::text, 'fire', 'severe', 'Smoke and flames, Rua do Campo',
         $2, $3, '89411c0a2a3ffff', now() - interval '5 minutes', now())`,
      [incidentId, place.lat, place.lon],
    );
    const prefill = (token: string, query: string) =>
      api<AlertContent & Problem>(stack.url, token, `${ALERTING_API.prefill}?${query}`);

    const content = await prefill(tokens.drafter, `incidentId=${incidentId}`);
    expect(content.status).toBe(200);
    expect(content.body.templateId).toBe("fire");
    expect(content.body.incidentId).toBe(incidentId);
    expect(content.body.areas).toHaveLength(1);
    expect(content.body.areas[0]?.circles).toEqual([{ center: [place.lon, place.lat], radiusKm: 0.5 }]);
    // A template chosen by the drafter wins over the kind's.
    const chosen = await prefill(tokens.drafter, `incidentId=${incidentId}&templateId=public-security`);
    expect(chosen.body.templateId).toBe("public-security");
    expect(chosen.body.areas[0]?.circles[0]?.center).toEqual([place.lon, place.lat]);

    for (const [token, query, status, field] of [
      [tokens.drafter, "incidentId=not-a-uuid", 400, "query.incidentId"],
      [tokens.drafter, `incidentId=${randomUUID()}`, 404, "query.incidentId"],
      [tokens.drafter, "templateId=no-such-template", 404, "query.templateId"],
      [tokens.operator, `incidentId=${incidentId}`, 403, undefined],
    ] as const) {
      const answer = await prefill(token, query);
      expect(answer.status, query).toBe(status);
      expect(answer.body.field, query).toBe(field);
    }

    const published = await publish(stack.url, tokens, { msgType: "Alert", content: content.body });
    // On the public feed once the feed channel has delivered it.
    let xml = "";
    await settles(async () => {
      const answer = await fetch(`${stack.url}${PUBLIC_ALERTS.cap(published.identifier)}`);
      expect(answer.status).toBe(200);
      xml = await answer.text();
    }, 10_000);
    expect(xsdErrors(xml)).toBe("");
    expect(xml).toContain(`<note>Incident ${incidentId}</note>`);
    // Signed coordinates: see cap.ts on the schema pattern libxml2 2.9 misreads.
    expect(xml).toContain(`<circle>+${place.lat},+${place.lon} 0.5</circle>`);
    await publish(stack.url, tokens, { msgType: "Cancel", alertId: published.alertId });
  });
});

describe("publication and delivery", () => {
  let alertId: string;
  let first: MessageView;

  it("delivers an approved alert once to every subscriber, the CAP feed and the public page", async () => {
    const content = testContent();
    first = await publish(stack.url, tokens, { msgType: "Alert", content });
    alertId = first.alertId;
    expect(first.status).toBe("published");
    expect(first.version).toBe(1);
    expect(first.approvedBy).toBe("approver");

    await settles(async () => {
      const counts = deliveredTo(first.id);
      expect([...counts.keys()].sort()).toEqual([...allSubscribers].sort());
    }, 10_000);
    for (const count of deliveredTo(first.id).values()) expect(count).toBe(1);
    expect(receivers.badSignatures).toEqual([]);

    // The public page: JSON and the live namespace, in three languages.
    await settles(async () => {
      const listed = await api<PublicAlertView[]>(stack.url, undefined, PUBLIC_ALERTS.json);
      const shown = listed.body.find((alert) => alert.id === alertId);
      expect(shown?.headline).toEqual(content.headline);
      expect(shown?.instruction).toEqual(content.instruction);
      expect(shown?.areas[0]?.polygons.length).toBeGreaterThanOrEqual(2);
    }, 10_000);
    expect(publicEvents.some((event) => event.id === alertId && event.state === "active")).toBe(true);

    // Delivery status per channel.
    await settles(async () => {
      const summary = await api<ChannelDeliverySummary[]>(
        stack.url,
        tokens.approver,
        ALERTING_API.deliveries(first.id),
      );
      const channels = Object.fromEntries(summary.body.map((c) => [c.channel, c.counts.sent]));
      expect(channels).toEqual({
        "cap-feed": 1,
        "public-page": 1,
        [`webhook:${apps.civil.name}`]: 3,
        [`webhook:${apps.account.name}`]: 2,
      });
    }, 10_000);

    // The CAP feed lists it, and its document is valid CAP 1.2 with three languages.
    const feed = await fetch(`${stack.url}${PUBLIC_ALERTS.feed}`);
    expect(feed.headers.get("content-type")).toMatch(/application\/atom\+xml/);
    const atom = await feed.text();
    expect(atom).toContain(first.identifier);
    const xml = await capDocument(first.identifier);
    expect(xsdErrors(xml)).toBe("");
    for (const language of ["zh-Hant", "pt", "en"]) expect(xml).toContain(`<language>${language}</language>`);
    expect(xml).toContain(`<identifier>${first.identifier}</identifier>`);
    expect(xml).toContain("<msgType>Alert</msgType>");
  });

  it("records every step in the tamper-evident audit log", async () => {
    const { rows } = await pool.query<{ action: string; actor: string }>(
      "SELECT action, actor FROM audit_log WHERE subject = $1 ORDER BY id",
      [first.id],
    );
    expect(rows.map((row) => [row.action, row.actor])).toEqual([
      ["alert.drafted", "drafter"],
      ["alert.submitted", "drafter"],
      ["alert.approved", "approver"],
    ]);
  });

  it("publishes an Update that references the earlier message, then a Cancel that retracts it everywhere", async () => {
    const update = await publish(stack.url, tokens, {
      msgType: "Update",
      alertId,
      content: testContent({ severity: "Extreme" }),
    });
    expect(update.version).toBe(2);
    expect(update.references).toMatch(new RegExp(`^cpc\\.gov\\.mo,${first.identifier},\\d{4}-\\d\\d-\\d\\dT`));
    await settles(async () => expect(deliveredTo(update.id).size).toBe(allSubscribers.length), 10_000);
    const updateXml = await capDocument(update.identifier);
    expect(xsdErrors(updateXml)).toBe("");
    expect(updateXml).toContain("<msgType>Update</msgType>");
    expect(updateXml).toContain(`<references>${update.references}</references>`);
    await settles(async () => {
      const listed = await api<PublicAlertView[]>(stack.url, undefined, PUBLIC_ALERTS.json);
      expect(listed.body.find((alert) => alert.id === alertId)?.severity).toBe("Extreme");
    }, 10_000);

    // Only one message in progress per alert.
    const second = await post<MessageView>(tokens.drafter, ALERTING_API.messages, { msgType: "Cancel", alertId });
    expect(second.status).toBe(201);
    const third = await post<Problem>(tokens.drafter, ALERTING_API.messages, { msgType: "Cancel", alertId });
    expect(third.status).toBe(409);
    await post(tokens.drafter, ALERTING_API.withdraw(second.body.id), { revision: second.body.revision });

    const cancel = await publish(stack.url, tokens, { msgType: "Cancel", alertId });
    expect(cancel.version).toBe(3);
    await settles(async () => {
      const counts = deliveredTo(cancel.id);
      expect(counts.size).toBe(allSubscribers.length);
      const types = receivers.accepted
        .filter((hook) => hook.id.includes(cancel.id.replaceAll("-", "")))
        .map((hook) => (hook.body as { type: string }).type);
      expect(new Set(types)).toEqual(new Set(["alert.cancelled"]));
    }, 10_000);
    const cancelXml = await capDocument(cancel.identifier);
    expect(xsdErrors(cancelXml)).toBe("");
    expect(cancelXml).toContain("<msgType>Cancel</msgType>");
    await settles(async () => {
      const listed = await api<PublicAlertView[]>(stack.url, undefined, PUBLIC_ALERTS.json);
      expect(listed.body.some((alert) => alert.id === alertId)).toBe(false);
      expect(publicEvents.some((event) => event.id === alertId && event.state === "cancelled")).toBe(true);
    }, 10_000);
    // Aggregators see the Cancel on the feed; the earlier messages are gone from it.
    const atom = await (await fetch(`${stack.url}${PUBLIC_ALERTS.feed}`)).text();
    expect(atom).toContain(cancel.identifier);
    expect(atom).not.toContain(update.identifier);
    // A cancelled alert cannot be updated any more.
    const after = await post<Problem>(tokens.drafter, ALERTING_API.messages, {
      msgType: "Update",
      alertId,
      content: testContent(),
    });
    expect(after.status).toBe(409);
    const summaries = await api<AlertSummary[]>(stack.url, tokens.approver, ALERTING_API.alerts);
    expect(summaries.body.find((summary) => summary.id === alertId)?.state).toBe("cancelled");
  });

  it("expires an alert by itself: it leaves the public views and the feed", async () => {
    const message = await publish(stack.url, tokens, { msgType: "Alert", content: testContent() });
    await settles(async () => {
      const listed = await api<PublicAlertView[]>(stack.url, undefined, PUBLIC_ALERTS.json);
      expect(listed.body.some((alert) => alert.id === message.alertId)).toBe(true);
    }, 10_000);
    // Time passes: the alert's expiry is now behind us.
    await pool.query("UPDATE alerts SET expires = now() - interval '1 second' WHERE id = $1", [message.alertId]);
    await settles(async () => {
      expect(publicEvents.some((event) => event.id === message.alertId && event.state === "expired")).toBe(true);
      const listed = await api<PublicAlertView[]>(stack.url, undefined, PUBLIC_ALERTS.json);
      expect(listed.body.some((alert) => alert.id === message.alertId)).toBe(false);
      const atom = await (await fetch(`${stack.url}${PUBLIC_ALERTS.feed}`)).text();
      expect(atom).not.toContain(message.identifier);
    }, 15_000);
    const { rows } = await pool.query("SELECT state FROM alerts WHERE id = $1", [message.alertId]);
    expect(rows[0].state).toBe("expired");
  });
});

describe("unreliable receivers", () => {
  it("retries failing, hanging and slow receivers until each has the message once, and marks the hopeless dead", async () => {
    const names = {
      failing: `${apps.civil.name}/cp-1`,
      hanging: `${apps.civil.name}/cp-2`,
      slow: `${apps.civil.name}/cp-3`,
      gone: `${apps.account.name}/oa-1`,
      broken: `${apps.account.name}/oa-2`,
    };
    receivers.set(names.failing, { kind: "fail", status: 503, times: 2 });
    receivers.set(names.hanging, { kind: "hang", times: 1 });
    receivers.set(names.slow, { kind: "slow", delayMs: 1000 });
    receivers.set(names.gone, { kind: "fail", status: 410, times: 1000 });
    receivers.set(names.broken, { kind: "fail", status: 500, times: 1000 });
    const message = await publish(stack.url, tokens, { msgType: "Alert", content: testContent() });
    await settles(async () => {
      const counts = deliveredTo(message.id);
      expect(counts.get(names.failing)).toBe(1);
      expect(counts.get(names.hanging)).toBe(1);
      expect(counts.get(names.slow)).toBe(1);
    }, 20_000);
    await settles(async () => {
      const summary = await api<ChannelDeliverySummary[]>(
        stack.url,
        tokens.approver,
        ALERTING_API.deliveries(message.id),
      );
      const account = summary.body.find((channel) => channel.channel === `webhook:${apps.account.name}`);
      expect(account?.counts.dead).toBe(2);
      const gone = account?.problems.find((p) => p.subscriber === "oa-1");
      const broken = account?.problems.find((p) => p.subscriber === "oa-2");
      expect(gone?.attempts).toBe(1);
      expect(gone?.lastError).toMatch(/410/);
      expect(broken?.attempts).toBe(4);
      expect(broken?.lastError).toMatch(/HTTP 500.*after 4 attempts/);
    }, 20_000);
    const { rows } = await pool.query<{ subscriber: string; attempts: number; state: string }>(
      "SELECT subscriber, attempts, state FROM alert_deliveries WHERE message_id = $1 AND channel = $2 ORDER BY subscriber",
      [message.id, `webhook:${apps.civil.name}`],
    );
    expect(rows).toEqual([
      { subscriber: "cp-1", attempts: 3, state: "sent" },
      { subscriber: "cp-2", attempts: 2, state: "sent" },
      { subscriber: "cp-3", attempts: 1, state: "sent" },
    ]);
    expect(deliveredTo(message.id).has(names.gone)).toBe(false);
  });
});
