import { readFileSync } from "node:fs";
import { type Logger, macaoLandPath, Region, startOpsServer } from "@hub/common";
import type { SimulatorConfig } from "./config.js";
import { IngestGateway } from "./gateways/ingest.gateway.js";
import { createSimulatorMetrics } from "./metrics.js";
import { loadScenario } from "./repositories/scenario-file.repository.js";
import { SimulatorService } from "./services/simulator.service.js";
import { buildWorld } from "./services/world.js";

export interface SimulatorApp {
  opsPort: number;
  stop(): Promise<void>;
}

/**
 * Starts the simulated city: its ops endpoints at once, then registers the devices (waiting, with back-off, for an
 * ingest service that is not up yet) and sends traffic. Only a stop ends it; ingest being unavailable never does.
 */
export async function startSimulator(config: SimulatorConfig, logger: Logger): Promise<SimulatorApp> {
  const region = Region.fromFile(config.HUB_REGION_FILE ?? macaoLandPath);
  const world = buildWorld(region, config.SIMULATOR_CAMERAS, config.SIMULATOR_SEED);
  const gateway = new IngestGateway({
    address: config.INGEST_ADDRESS,
    ...(config.INGEST_TLS_CA_FILE ? { tlsCa: readFileSync(config.INGEST_TLS_CA_FILE) } : {}),
    ...(config.INGEST_TLS_CLIENT_CERT_FILE ? { tlsClientCert: readFileSync(config.INGEST_TLS_CLIENT_CERT_FILE) } : {}),
    ...(config.INGEST_TLS_CLIENT_KEY_FILE ? { tlsClientKey: readFileSync(config.INGEST_TLS_CLIENT_KEY_FILE) } : {}),
  });
  const scenario = config.SIMULATOR_SCENARIO ? loadScenario(config.SIMULATOR_SCENARIO) : undefined;
  const metrics = createSimulatorMetrics();
  const simulator = new SimulatorService(
    gateway,
    world,
    {
      detectionRate: config.SIMULATOR_DETECTION_RATE,
      heartbeatIntervalS: config.SIMULATOR_HEARTBEAT_INTERVAL_S,
      readingIntervalS: config.SIMULATOR_READING_INTERVAL_S,
      tokens: config.tokens,
      seed: config.SIMULATOR_SEED,
      ...(config.SIMULATOR_SNAPSHOT_URL_TEMPLATE
        ? { snapshotUrlTemplate: config.SIMULATOR_SNAPSHOT_URL_TEMPLATE }
        : {}),
      ...(scenario ? { scenario } : {}),
    },
    logger,
    metrics.observer,
  );
  const ops = await startOpsServer({
    host: config.SIMULATOR_HOST,
    port: config.SIMULATOR_OPS_PORT,
    registry: metrics.registry,
    logger,
    checks: {
      devices: async () => {
        const { done, of, refused, finished } = simulator.registration;
        if (!finished) throw new Error(`registering devices: ${done} of ${of}`);
        if (refused > 0) throw new Error(`${refused} of ${of} devices refused by ingest`);
      },
    },
  });
  logger.info(
    {
      ingest: config.INGEST_ADDRESS,
      cameras: world.cameras.length,
      sensors: world.sensors.length,
      scenario: scenario?.name,
    },
    "simulator starting",
  );
  let stopped = false;
  const running = simulator.register().then(
    () => {
      if (!stopped) simulator.start();
    },
    (err: unknown) => logger.error({ err }, "registering the simulated devices failed"),
  );
  return {
    opsPort: ops.port,
    async stop() {
      stopped = true;
      ops.setDraining();
      await simulator.stop();
      await running;
      gateway.close();
      await ops.close();
    },
  };
}
