import { randomUUID } from "node:crypto";
import { request } from "node:https";
import type { AlertsApp } from "@hub/alerts";
import { DEV_ALERTS_TOKEN, type HubError, isHubError, type Pool } from "@hub/common";
import {
  ALERTING_API,
  API,
  type ClientToServerEvents,
  type LoginResponse,
  type MessageView,
  PUBLIC_ALERTS,
  type ServerToClientEvents,
} from "@hub/contracts";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertsGateway } from "../../services/gateway/src/gateways/alerts.gateway.js";
import { startTestAlerts, testContent } from "../support/alerts.js";
import { api, login, startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { migratedPool } from "../support/hub.js";
import { createTestPki, type TestPki } from "../support/pki.js";

// Transport security of the hub's HTTP links (issue 12, finding 10): the gateway's listener (REST, Socket.IO,
// dashboard) over HTTPS, and the alerts service's API over mutual TLS, reached by the gateway with its client
// certificate and the service token. Tried with the real services, the gateway's real client and impostors.

let pki: TestPki;
let pool: Pool;
let alerts: AlertsApp;
let stack: TestStack;
let gatewayUrl: string;
let alertsUrl: string;

beforeAll(async () => {
  pki = createTestPki();
  pool = await migratedPool();
  alerts = await startTestAlerts({
    ALERTS_TLS_CERT_FILE: pki.serverCert,
    ALERTS_TLS_KEY_FILE: pki.serverKey,
    ALERTS_TLS_CLIENT_CA_FILE: pki.caCert,
  });
  alertsUrl = `https://localhost:${alerts.port}`;
  stack = await startTestStack({
    GATEWAY_TLS_CERT_FILE: pki.serverCert,
    GATEWAY_TLS_KEY_FILE: pki.serverKey,
    ALERTS_URL: alertsUrl,
    ALERTS_TLS_CA_FILE: pki.caCert,
    ALERTS_TLS_CLIENT_CERT_FILE: pki.clientCert,
    ALERTS_TLS_CLIENT_KEY_FILE: pki.clientKey,
  });
  gatewayUrl = `https://localhost:${stack.gateway.port}`;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await alerts?.stop();
  await pool?.end();
  pki?.remove();
});

/** A JSON request to the HTTPS gateway, trusting the test CA (Node's fetch takes no CA of its own). */
function gatewayJson<T>(
  path: string,
  options: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      new URL(path, gatewayUrl),
      {
        method: options.method ?? "GET",
        ca: pki.read(pki.caCert),
        headers: {
          ...(body ? { "content-type": "application/json" } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const json = response.headers["content-type"]?.includes("json");
          resolve({ status: response.statusCode ?? 0, body: (json ? JSON.parse(text) : text) as T });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

async function signIn(username: string): Promise<string> {
  const signedIn = await gatewayJson<LoginResponse>(API.login, {
    method: "POST",
    body: { username, password: TEST_PASSWORD },
  });
  expect(signedIn.status).toBe(200);
  return signedIn.body.token;
}

/** Drafts stored with this headline (each test's content has a headline of its own). */
async function draftsWith(headline: string): Promise<{ drafted_by: string }[]> {
  const result = await pool.query("SELECT drafted_by FROM alert_messages WHERE content->'headline'->>'en' = $1", [
    headline,
  ]);
  return result.rows;
}

async function refusal(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isHubError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

/** A draft request as the gateway forwards it: the right service token and a drafter's identity. */
const draftRequest = (content = testContent()) => ({
  method: "POST",
  path: ALERTING_API.messages,
  body: { msgType: "Alert", content },
  user: { username: "drafter", roles: ["drafter"] },
  ip: "127.0.0.1",
});

describe("the gateway's listener over HTTPS", () => {
  it("signs in, answers the API and accepts a Socket.IO connection over TLS", async () => {
    const token = await signIn("operator");
    const me = await gatewayJson<{ username: string }>(API.me, { token });
    expect(me).toMatchObject({ status: 200, body: { username: "operator" } });
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(gatewayUrl, {
      transports: ["websocket"],
      auth: { token },
      ca: pki.read(pki.caCert).toString(),
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it("refuses plain HTTP on its port", async () => {
    const plain = `http://127.0.0.1:${stack.gateway.port}`;
    await expect(login(plain, "operator")).rejects.toThrow();
  });
});

describe("the gateway → alerts link over mutual TLS", () => {
  it("forwards a drafter's draft to the alerts service, which stores it", async () => {
    const token = await signIn("drafter");
    const content = testContent();
    const created = await gatewayJson<MessageView>(ALERTING_API.messages, {
      method: "POST",
      token,
      body: { msgType: "Alert", content },
    });
    expect(created.status).toBe(201);
    expect(created.body.draftedBy).toBe("drafter");
    expect(await draftsWith(content.headline.en)).toEqual([{ drafted_by: "drafter" }]);
  });

  it("serves the public CAP feed through the gateway, which alone holds a client certificate", async () => {
    const feed = await gatewayJson<string>(PUBLIC_ALERTS.feed);
    expect(feed.status).toBe(200);
    expect(feed.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
  });

  it("the alerts service refuses at the TLS handshake a client without a certificate or with another CA's", async () => {
    const impostors = {
      "no certificate": { caFile: pki.caCert },
      "certificate from another CA": { caFile: pki.caCert, certFile: pki.rogueClientCert, keyFile: pki.rogueClientKey },
    };
    for (const [name, tls] of Object.entries(impostors)) {
      const client = new AlertsGateway({ baseUrl: alertsUrl, token: DEV_ALERTS_TOKEN, tls });
      const content = testContent();
      // The service token and the identity are right: only the transport is refused, before any HTTP is read.
      const error = await refusal(client.forward(draftRequest(content)));
      expect(error.code, name).toBe("UNAVAILABLE");
      expect(String((error.cause as { code?: string }).code), name).toMatch(/^(ERR_SSL_|ECONNRESET$)/);
      expect(await draftsWith(content.headline.en), name).toEqual([]);
      client.close();
    }
    // Nor does the public feed answer anyone but the gateway.
    const direct = new AlertsGateway({ baseUrl: alertsUrl, token: DEV_ALERTS_TOKEN, tls: { caFile: pki.caCert } });
    const feed = { method: "GET", path: PUBLIC_ALERTS.feed, body: null, user: null, ip: "127.0.0.1" };
    expect((await refusal(direct.forward(feed))).code).toBe("UNAVAILABLE");
    direct.close();
  });

  it("the alerts service refuses plain HTTP", async () => {
    const plain = new AlertsGateway({ baseUrl: `http://127.0.0.1:${alerts.port}`, token: DEV_ALERTS_TOKEN });
    const content = testContent();
    expect((await refusal(plain.forward(draftRequest(content)))).code).toBe("UNAVAILABLE");
    expect(await draftsWith(content.headline.en)).toEqual([]);
    plain.close();
  });

  it("still checks the service token of a client with the right certificate", async () => {
    const client = new AlertsGateway({
      baseUrl: alertsUrl,
      token: `wrong-${randomUUID()}`,
      tls: { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey },
    });
    const content = testContent();
    expect((await client.forward(draftRequest(content))).status).toBe(401);
    expect(await draftsWith(content.headline.en)).toEqual([]);
    client.close();
  });
});

describe("a gateway that trusts only another CA", () => {
  let impostorTrusting: TestStack;

  beforeAll(async () => {
    impostorTrusting = await startTestStack({
      ALERTS_URL: alertsUrl,
      ALERTS_TLS_CA_FILE: pki.rogueCaCert,
      ALERTS_TLS_CLIENT_CERT_FILE: pki.clientCert,
      ALERTS_TLS_CLIENT_KEY_FILE: pki.clientKey,
    });
  }, 180_000);

  afterAll(async () => {
    await impostorTrusting?.stop();
  });

  it("refuses the alerts server's certificate and sends it nothing", async () => {
    const { token } = await login(impostorTrusting.url, "drafter");
    const content = testContent();
    const created = await api<{ status: number }>(impostorTrusting.url, token, ALERTING_API.messages, {
      method: "POST",
      body: JSON.stringify({ msgType: "Alert", content }),
    });
    expect(created.status).toBe(503);
    expect(await draftsWith(content.headline.en)).toEqual([]);
  });
});
