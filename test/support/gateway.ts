import { randomUUID } from "node:crypto";
import { h3Cell, type Pool } from "@hub/common";
import type { ClientToServerEvents, LoginResponse, ServerToClientEvents } from "@hub/contracts";
import type { CorrelatorApp } from "@hub/correlator";
import { type GatewayApp, readConfig as gatewayConfig, startGateway } from "@hub/gateway";
import { io, type Socket } from "socket.io-client";
import { infra, serviceDatabase, startGroupAtEnd, startTestCorrelator, testLogger } from "./hub.js";

export type HubClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Password of the seeded users in the tests' gateways (test mode seeds them, as development mode does). */
export const TEST_PASSWORD = "test-password-1";

export interface TestStack {
  correlator: CorrelatorApp;
  gateway: GatewayApp;
  url: string;
  stop(): Promise<void>;
}

/**
 * The correlator and the gateway, in this process, on ephemeral ports, against the run's broker and database. `env`
 * adds to the gateway's settings, `correlatorEnv` to the correlator's.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  correlatorEnv: Record<string, string> = {},
): Promise<TestStack> {
  const { brokers } = infra();
  const common = {
    HUB_MODE: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    KAFKA_BROKERS: brokers.join(","),
    ...serviceDatabase("gateway"),
  };
  const group = `gw-${randomUUID().slice(0, 8)}`;
  await startGroupAtEnd(group);
  const correlator = await startTestCorrelator({
    CORRELATOR_GROUP_ID: group,
    OUTBOX_RELAY_INTERVAL_MS: "50",
    ...correlatorEnv,
  });
  const gateway = await startGateway(
    gatewayConfig({
      ...common,
      GATEWAY_HOST: "127.0.0.1",
      GATEWAY_PORT: "0",
      GATEWAY_OPS_PORT: "0",
      GATEWAY_INSTANCE_ID: `test-${randomUUID().slice(0, 8)}`,
      CORRELATOR_GRPC_ADDRESS: `127.0.0.1:${correlator.grpcPort}`,
      DEV_USER_PASSWORD: TEST_PASSWORD,
      // The seeded users' hashes at a test cost (16 MiB, milliseconds); production refuses below OWASP's 2^17, and
      // the sign-in security tests set 17 themselves.
      GATEWAY_PASSWORD_SCRYPT_LOG2N: "14",
      ...env,
    }),
    testLogger,
  );
  return {
    correlator,
    gateway,
    url: `http://127.0.0.1:${gateway.port}`,
    async stop() {
      await gateway.stop();
      await correlator.stop();
    },
  };
}

export async function login(url: string, username: string, password = TEST_PASSWORD): Promise<LoginResponse> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  return (await response.json()) as LoginResponse;
}

export async function api<T>(url: string, token: string | undefined, path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as T };
}

/** A connected Socket.IO client (websocket only), or the connect error. */
export function connect(url: string, token: string | undefined): Promise<HubClient> {
  const socket: HubClient = io(url, {
    transports: ["websocket"],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Cameras placed where a test wants them, straight into the registry (as ingest's RegisterCamera would). */
export async function insertCameras(
  pool: Pool,
  cameras: {
    id: string;
    district: string;
    lat: number;
    lon: number;
    bearingDeg?: number;
    fovAngleDeg?: number;
    rangeM?: number;
  }[],
): Promise<void> {
  await pool.query("INSERT INTO sites (id, name) VALUES ('site-test', 'site-test') ON CONFLICT (id) DO NOTHING");
  for (const camera of cameras) {
    await pool.query(
      `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m)
       VALUES ($1, 'site-test', $1, $2, $3, $5, $4, 1, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        camera.id,
        camera.lat,
        camera.lon,
        camera.district,
        h3Cell(camera.lat, camera.lon),
        camera.bearingDeg ?? 90,
        camera.fovAngleDeg ?? 90,
        camera.rangeM ?? 120,
      ],
    );
  }
}

/** A status report straight into camera_status (as the correlator stores one), e.g. "online" since `at`. */
export async function insertCameraStatus(
  pool: Pool,
  camera: { id: string; lat: number; lon: number },
  state: string,
  at: Date,
): Promise<void> {
  await pool.query(
    `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat, lon,
       h3_cell, ingested_at) VALUES ($1, $2, $3, $4, false, false, 'site-test', $5, $6, $7, $1)`,
    [at, `st-${camera.id}`, camera.id, state, camera.lat, camera.lon, h3Cell(camera.lat, camera.lon)],
  );
}
