import { randomUUID } from "node:crypto";
import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import {
  CORRELATOR_MAX_MESSAGE_BYTES,
  DEV_CORRELATOR_TOKEN,
  type HubError,
  h3Cell,
  isHubError,
  messageLimits,
  type Pool,
} from "@hub/common";
import type { CorrelatorApp } from "@hub/correlator";
import { CaseAssistServiceClient } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorrelatorGateway } from "../../services/gateway/src/gateways/correlator.gateway.js";
import { migratedPool, startGroupAtEnd, startTestCorrelator } from "../support/hub.js";
import { createTestPki, type TestPki } from "../support/pki.js";

// Transport security between the gateway and the correlator (issue 12, findings 10 and 12d): the correlator's gRPC
// API over mutual TLS, tried with the gateway's real client and with an impostor's, and the message size limit both
// sides take from CORRELATOR_MAX_MESSAGE_BYTES, tried with a search whose record is larger than gRPC's 4 MB default.

let pki: TestPki;
let pool: Pool;
let correlator: CorrelatorApp;
const run = randomUUID().slice(0, 8);
// A random spot, away from every other test's cameras (the case-assist search is by position).
const centre = { lat: -40 + Math.random() * 80, lon: -150 + Math.random() * 300 };
const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const window = { from: new Date(hour), to: new Date(hour + 3_600_000) };
const DETECTIONS = 5000;

beforeAll(async () => {
  pki = createTestPki();
  pool = await migratedPool();
  await startGroupAtEnd(`test-transport-${run}`);
  correlator = await startTestCorrelator({
    CORRELATOR_GROUP_ID: `test-transport-${run}`,
    CORRELATOR_TLS_CERT_FILE: pki.serverCert,
    CORRELATOR_TLS_KEY_FILE: pki.serverKey,
    CORRELATOR_TLS_CLIENT_CA_FILE: pki.caCert,
  });
}, 120_000);

afterAll(async () => {
  await correlator?.stop();
  await pool?.end();
  pki?.remove();
});

const gatewayClient = (tls: ConstructorParameters<typeof CorrelatorGateway>[0]["tls"], maxMessageBytes?: number) =>
  new CorrelatorGateway({
    address: `localhost:${correlator.grpcPort}`,
    token: DEV_CORRELATOR_TOKEN,
    timeoutMs: 30_000,
    ...(tls ? { tls } : {}),
    ...(maxMessageBytes ? { maxMessageBytes } : {}),
  });

const search = (client: CorrelatorGateway, requestedBy: string) =>
  client.createCaseAssist({
    area: { circle: { lat: centre.lat, lon: centre.lon, radiusM: 100 } },
    from: window.from,
    to: window.to,
    requestedBy,
  });

async function failure(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isHubError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

async function recordsBy(requestedBy: string): Promise<number> {
  const result = await pool.query("SELECT count(*)::int AS n FROM case_assist_records WHERE requested_by = $1", [
    requestedBy,
  ]);
  return result.rows[0].n as number;
}

describe("the correlator's gRPC API over mutual TLS", () => {
  it("serves the gateway presenting a certificate from the configured CA", async () => {
    const client = gatewayClient({ caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey });
    const requestedBy = `tls-ok-${run}`;
    expect(await search(client, requestedBy)).toMatch(/^[0-9a-f-]{36}$/);
    expect(await recordsBy(requestedBy)).toBe(1);
    client.close();
  });

  it("refuses a client without a certificate, one whose certificate another CA signed, and a plaintext client", async () => {
    const impostors = {
      "no certificate": { caFile: pki.caCert },
      "certificate from another CA": { caFile: pki.caCert, certFile: pki.rogueClientCert, keyFile: pki.rogueClientKey },
      plaintext: undefined,
    };
    for (const [name, tls] of Object.entries(impostors)) {
      const client = gatewayClient(tls);
      const requestedBy = `tls-refused-${name}-${run}`;
      // The service token is right: only the transport is refused.
      expect((await failure(search(client, requestedBy))).code, name).toBe("UNAVAILABLE");
      expect(await recordsBy(requestedBy), name).toBe(0);
      client.close();
    }
  });

  it("the gateway refuses a server whose certificate its CA did not sign (an impostor correlator)", async () => {
    const client = gatewayClient({ caFile: pki.rogueCaCert, certFile: pki.clientCert, keyFile: pki.clientKey });
    const requestedBy = `tls-impostor-${run}`;
    expect((await failure(search(client, requestedBy))).code).toBe("UNAVAILABLE");
    expect(await recordsBy(requestedBy)).toBe(0);
    client.close();
  });
});

describe("the gateway-correlator message limit", () => {
  beforeAll(async () => {
    // One covering camera, online all along, with DETECTIONS detections of long rule names and track ids and a
    // distinct plate each: a record of more than 4 MB, grpc-js' default receive limit.
    const siteId = `site-tls-${run}`;
    const cameraId = `TLS-${run}`;
    await pool.query("INSERT INTO sites (id, name) VALUES ($1, $1)", [siteId]);
    await pool.query(
      `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m)
       VALUES ($1, $2, $1, $3, $4, $5, 'Test', 1, 0, 360, 300)`,
      [cameraId, siteId, centre.lat, centre.lon, h3Cell(centre.lat, centre.lon)],
    );
    await pool.query(
      `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat, lon,
                                  h3_cell, ingested_at)
       VALUES ($1, $2, $3, 'online', false, false, $4, $5, $6, 'x', $1)`,
      [new Date(hour - 60_000), `st-${randomUUID()}`, cameraId, siteId, centre.lat, centre.lon],
    );
    await pool.query(
      `INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, track_id,
                               plate_text, plate_region, plate_confidence, rule_type, rule_name, lat, lon, h3_cell,
                               ingested_at)
       SELECT $1::timestamptz + n * interval '500 ms', $2 || n, $3, $4, 'car', 0.9, repeat('軌', 64),
              repeat('澳', 11) || n, 'MO', 0.9, 'line_crossed', repeat('澳', 128), $5, $6, 'x', $1
         FROM generate_series(1, $7::int) AS n`,
      [window.from, `det-${run}-`, cameraId, siteId, centre.lat, centre.lon, DETECTIONS],
    );
  }, 120_000);

  it("lets a search record larger than gRPC's default 4 MB through, with the shared limit", async () => {
    const client = gatewayClient({ caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey });
    const requestedBy = `tls-large-${run}`;
    const id = await search(client, requestedBy);
    const stored = await pool.query(
      `SELECT jsonb_array_length(result->'detections') AS detections, jsonb_array_length(result->'plates') AS plates,
              (result->>'platesTruncated')::boolean AS "platesTruncated", octet_length(result::text) AS bytes
         FROM case_assist_records WHERE id = $1`,
      [id],
    );
    expect(stored.rows[0]).toMatchObject({ detections: DETECTIONS, plates: 1000, platesTruncated: true });
    expect(stored.rows[0].bytes).toBeGreaterThan(4 * 1024 * 1024);
    client.close();
  });

  it("refuses a response above the client's limit: grpc-js' default 4 MB, which both sides used before", async () => {
    const client = gatewayClient(
      { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey },
      4 * 1024 * 1024,
    );
    const error = await failure(search(client, `tls-limited-${run}`));
    expect(error.message).toMatch(/larger than max/i);
    client.close();
  });

  it("the correlator refuses a request above the shared limit before reading it", async () => {
    const client = new CaseAssistServiceClient(
      `localhost:${correlator.grpcPort}`,
      credentials.createSsl(pki.read(pki.caCert), pki.read(pki.clientKey), pki.read(pki.clientCert)),
      messageLimits(2 * CORRELATOR_MAX_MESSAGE_BYTES),
    );
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${DEV_CORRELATOR_TOKEN}`);
    const requestedBy = `tls-huge-${run}`;
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.createCaseAssistRecord(
        {
          windowStart: window.from,
          windowEnd: window.to,
          area: { shape: { $case: "circle", value: { center: centre, radiusM: 100 } } },
          requestedBy,
          caseReference: "x".repeat(CORRELATOR_MAX_MESSAGE_BYTES + 1),
          incidentId: "",
        },
        metadata,
        { deadline: Date.now() + 60_000 },
        (failed) => resolve(failed),
      ),
    );
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(await recordsBy(requestedBy)).toBe(0);
    client.close();
  });
});
