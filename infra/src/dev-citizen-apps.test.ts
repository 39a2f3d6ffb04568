import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startDevCitizenApps, verifyStandardWebhook } from "./dev-citizen-apps.js";

// The Standard Webhooks specification's test vector.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("verifyStandardWebhook", () => {
  it("accepts the specification's vector, also among other signatures", () => {
    const { secret, id, timestamp, body, signature } = VECTOR;
    expect(verifyStandardWebhook(secret, { id, timestamp, signature }, body, 1614265330)).toBe(true);
    expect(
      verifyStandardWebhook(secret, { id, timestamp, signature: `v1,bm90IHRoaXM= ${signature}` }, body, 1614265330),
    ).toBe(true);
  });

  it("refuses another body, id, secret or version, and a timestamp over five minutes away", () => {
    const { secret, id, timestamp, body, signature } = VECTOR;
    const at = 1614265330;
    expect(verifyStandardWebhook(secret, { id, timestamp, signature }, `${body} `, at)).toBe(false);
    expect(verifyStandardWebhook(secret, { id: `${id}x`, timestamp, signature }, body, at)).toBe(false);
    expect(verifyStandardWebhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAA", { id, timestamp, signature }, body, at)).toBe(false);
    expect(verifyStandardWebhook(secret, { id, timestamp, signature: signature.replace("v1", "v2") }, body, at)).toBe(
      false,
    );
    expect(verifyStandardWebhook(secret, { id, timestamp, signature }, body, at + 301)).toBe(false);
    expect(verifyStandardWebhook(secret, { id: "", timestamp, signature }, body, at)).toBe(false);
  });
});

describe("startDevCitizenApps", () => {
  it("writes a webhooks file for its subscribers and accepts only signed deliveries", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "dev-apps-"));
    const lines: string[] = [];
    const apps = await startDevCitizenApps({ port: 0, dataDir, log: (line) => lines.push(line) });
    try {
      const file = JSON.parse(readFileSync(apps.env.ALERTS_WEBHOOKS_FILE as string, "utf8")) as {
        apps: { name: string; secretEnv: string; subscribers: { id: string; url: string }[] }[];
      };
      expect(file.apps.map((app) => app.name)).toEqual(["civil-protection-app", "one-account-app"]);
      const secret = apps.env[file.apps[0]?.secretEnv as string] as string;
      expect(secret).toMatch(/^whsec_/);
      const url = file.apps[0]?.subscribers[0]?.url as string;
      const body = JSON.stringify({
        type: "alert.published",
        data: { identifier: "MO-CPC-1", headline: { en: "Hi" } },
      });
      const id = "msg_1";
      const timestamp = String(Math.floor(Date.now() / 1000));
      const key = Buffer.from(secret.replace("whsec_", ""), "base64");
      const signature = `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
      const send = (headers: Record<string, string>) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      expect(
        (await send({ "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature })).status,
      ).toBe(204);
      expect((await send({ "webhook-id": id, "webhook-timestamp": timestamp })).status).toBe(401);
      expect(apps.received()).toEqual({ accepted: 1, refused: 1 });
      expect(lines.join("\n")).toContain("cp-android ← alert.published MO-CPC-1: Hi");
    } finally {
      await apps.close();
    }
  });
});
