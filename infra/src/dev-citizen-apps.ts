import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * Development only: stand-ins for the citizen-app backends (the civil-protection app, the One Account app), so that
 * `npm start` shows the webhook channel at work — deliveries per subscriber in the dashboard, and a line here per
 * warning received. Each request's Standard Webhooks signature is checked as a real backend would; a bad one is
 * refused (401). Production configures real subscribers with ALERTS_WEBHOOKS_FILE.
 */
export interface DevCitizenApps {
  url: string;
  /** The webhooks file and the secret's variable, for the alerts service's environment. */
  env: Record<string, string>;
  /** Deliveries accepted so far, and requests refused for a bad signature. */
  received(): { accepted: number; refused: number };
  close(): Promise<void>;
}

const SECRET_ENV = "ALERTS_WEBHOOK_SECRET_DEV";
const APPS = [
  { name: "civil-protection-app", subscribers: ["cp-android", "cp-ios"] },
  { name: "one-account-app", subscribers: ["one-account"] },
];

/** Verifies `webhook-signature` (any `v1,` entry) over "id.timestamp.body" with the "whsec_" secret. */
export function verifyStandardWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds = Date.now() / 1000,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!headers.id || !Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = Buffer.from(
    createHmac("sha256", key).update(`${headers.id}.${headers.timestamp}.${body}`).digest("base64"),
  );
  return headers.signature.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    const given = Buffer.from(signature ?? "");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function startDevCitizenApps(options: {
  port: number;
  dataDir: string;
  log: (message: string) => void;
}): Promise<DevCitizenApps> {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const counts = { accepted: 0, refused: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => String(request.headers[name] ?? "");
      const subscriber = decodeURIComponent(request.url?.split("/")[2] ?? "?");
      const headers = {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
      };
      if (request.method !== "POST" || !verifyStandardWebhook(secret, headers, body)) {
        counts.refused += 1;
        options.log(`[citizen apps] refused a request for ${subscriber}: bad or missing signature`);
        response.writeHead(401).end();
        return;
      }
      counts.accepted += 1;
      try {
        const { type, data } = JSON.parse(body) as {
          type: string;
          data: { identifier: string; headline: { en: string } };
        };
        options.log(`[citizen apps] ${subscriber} ← ${type} ${data.identifier}: ${data.headline.en}`);
      } catch {
        options.log(`[citizen apps] ${subscriber} ← a delivery that is not JSON`);
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = join(options.dataDir, "dev-webhooks.json");
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        apps: APPS.map((app) => ({
          name: app.name,
          secretEnv: SECRET_ENV,
          subscribers: app.subscribers.map((id) => ({ id, url: `${url}/hooks/${id}` })),
        })),
      },
      null,
      2,
    )}\n`,
  );
  return {
    url,
    env: { ALERTS_WEBHOOKS_FILE: file, [SECRET_ENV]: secret },
    received: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
