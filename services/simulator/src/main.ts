#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { createLogger, macaoLandPath, onShutdown, Region } from "@hub/common";
import { readConfig } from "./config.js";
import { IngestGateway } from "./gateways/ingest.gateway.js";
import { loadScenario } from "./services/scenario.js";
import { SimulatorService } from "./services/simulator.service.js";
import { buildWorld } from "./services/world.js";

const config = readConfig();
const logger = createLogger("simulator", config.LOG_LEVEL);
const region = Region.fromFile(config.HUB_REGION_FILE ?? macaoLandPath);
const world = buildWorld(region, config.SIMULATOR_CAMERAS, config.SIMULATOR_SEED);
const gateway = new IngestGateway({
  address: config.INGEST_ADDRESS,
  ...(config.INGEST_TLS_CA_FILE ? { tlsCa: readFileSync(config.INGEST_TLS_CA_FILE) } : {}),
  ...(config.INGEST_TLS_CLIENT_CERT_FILE ? { tlsClientCert: readFileSync(config.INGEST_TLS_CLIENT_CERT_FILE) } : {}),
  ...(config.INGEST_TLS_CLIENT_KEY_FILE ? { tlsClientKey: readFileSync(config.INGEST_TLS_CLIENT_KEY_FILE) } : {}),
});
const scenario = config.SIMULATOR_SCENARIO ? loadScenario(config.SIMULATOR_SCENARIO) : undefined;
const simulator = new SimulatorService(
  gateway,
  world,
  {
    detectionRate: config.SIMULATOR_DETECTION_RATE,
    heartbeatIntervalS: config.SIMULATOR_HEARTBEAT_INTERVAL_S,
    readingIntervalS: config.SIMULATOR_READING_INTERVAL_S,
    tokens: config.tokens,
    seed: config.SIMULATOR_SEED,
    ...(scenario ? { scenario } : {}),
  },
  logger,
);
onShutdown(
  logger,
  async () => {
    await simulator.stop();
    gateway.close();
  },
  { exitWithStdin: config.HUB_EXIT_WITH_STDIN },
);
logger.info(
  {
    ingest: config.INGEST_ADDRESS,
    cameras: world.cameras.length,
    sensors: world.sensors.length,
    scenario: scenario?.name,
  },
  "simulator starting",
);
await simulator.register();
simulator.start();
