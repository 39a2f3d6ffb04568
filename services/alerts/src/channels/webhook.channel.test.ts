import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@hub/common";
import { describe, expect, it } from "vitest";
import { loadWebhookApps, signWebhook, webhookPayload } from "./webhook.channel.js";

describe("signWebhook", () => {
  it("reproduces the Standard Webhooks reference test vector", () => {
    expect(
      signWebhook(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("changes with the body, the id and the timestamp", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const base = signWebhook(secret, "msg_1", 1000, "{}");
    expect(signWebhook(secret, "msg_2", 1000, "{}")).not.toBe(base);
    expect(signWebhook(secret, "msg_1", 1001, "{}")).not.toBe(base);
    expect(signWebhook(secret, "msg_1", 1000, "{ }")).not.toBe(base);
  });
});

describe("webhookPayload", () => {
  const message = (msgType: "Alert" | "Update" | "Cancel") =>
    ({
      messageId: "00000000-0000-4000-8000-000000000001",
      alertId: "00000000-0000-4000-8000-000000000002",
      version: 2,
      msgType,
      identifier: "MO-CPC-1",
      sender: "cpc.gov.mo",
      sent: "2026-11-24T08:00:00.000Z",
      references: null,
      content: {
        categories: ["Met"],
        severity: "Severe",
        urgency: "Expected",
        certainty: "Likely",
        event: { "zh-Hant": "八號風球", pt: "Sinal 8", en: "Signal 8" },
        headline: { "zh-Hant": "h", pt: "h", en: "h" },
        description: { "zh-Hant": "d", pt: "d", en: "d" },
        instruction: { "zh-Hant": "i", pt: "i", en: "i" },
        expires: "2026-11-24T20:00:00.000Z",
        areas: [],
      },
      capXml: "<alert/>",
      capUrl: "https://alerts.example/cap/messages/MO-CPC-1.xml",
    }) as never;

  it("names the event after the CAP message type and carries the CAP document", () => {
    expect(webhookPayload(message("Alert")).type).toBe("alert.published");
    expect(webhookPayload(message("Update")).type).toBe("alert.updated");
    const cancelled = webhookPayload(message("Cancel"));
    expect(cancelled.type).toBe("alert.cancelled");
    expect(cancelled.data.capXml).toBe("<alert/>");
    expect(cancelled.data.event["zh-Hant"]).toBe("八號風球");
    expect(cancelled.timestamp).toBe("2026-11-24T08:00:00.000Z");
  });
});

describe("loadWebhookApps", () => {
  it("reads the example in infra/alerts, with the secrets its apps name", () => {
    const example = new URL("../../../../infra/alerts/webhooks.example.json", import.meta.url).pathname;
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const apps = loadWebhookApps(example, {
      ALERTS_WEBHOOK_SECRET_CIVIL_PROTECTION: secret,
      ALERTS_WEBHOOK_SECRET_ONE_ACCOUNT: secret,
    });
    expect(apps.map((app) => [app.name, app.subscribers.length])).toEqual([
      ["civil-protection-app", 2],
      ["one-account-app", 1],
    ]);
    expect(() => loadWebhookApps(example, { ALERTS_WEBHOOK_SECRET_CIVIL_PROTECTION: secret })).toThrow(
      /ALERTS_WEBHOOK_SECRET_ONE_ACCOUNT/,
    );
  });

  const file = (content: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), "hooks-")), "webhooks.json");
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };
  const app = {
    name: "civil-protection-app",
    secretEnv: "CP_SECRET",
    subscribers: [{ id: "backend-1", url: "https://cp.example/hooks" }],
  };

  it("takes the secret from the environment variable the file names, and fills the default limits", () => {
    const [loaded] = loadWebhookApps(file({ apps: [app] }), { CP_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
    expect(loaded?.secret).toBe("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(loaded?.limits.maxAttempts).toBe(8);
    expect(loaded?.subscribers).toEqual(app.subscribers);
  });

  it("refuses a missing or malformed secret, unknown keys, bad URLs and unreadable JSON", () => {
    expect(() => loadWebhookApps(file({ apps: [app] }), {})).toThrow(/CP_SECRET/);
    expect(() => loadWebhookApps(file({ apps: [app] }), { CP_SECRET: "plain" })).toThrow(ConfigError);
    expect(() => loadWebhookApps(file({ apps: [{ ...app, secret: "inline" }] }), {})).toThrow(/secret/);
    expect(() =>
      loadWebhookApps(file({ apps: [{ ...app, subscribers: [{ id: "x", url: "not a url" }] }] }), {
        CP_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      }),
    ).toThrow(/url/);
    expect(() => loadWebhookApps(file("{"), {})).toThrow(ConfigError);
  });
});
