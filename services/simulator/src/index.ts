export { type SimulatorApp, startSimulator } from "./app.js";
export { readConfig, type SimulatorConfig } from "./config.js";
export { IngestGateway, type IngestGatewayOptions, isTransientIngestError } from "./gateways/ingest.gateway.js";
export { loadScenario } from "./repositories/scenario-file.repository.js";
export { effectsAt, noEffects, parseScenario, type Scenario, scenarioSchema } from "./services/scenario.js";
export {
  type IngestCalls,
  type SimulatorObserver,
  type SimulatorOptions,
  type SimulatorRetry,
  SimulatorService,
} from "./services/simulator.service.js";
export { Traffic } from "./services/traffic.js";
export {
  buildCameras,
  buildSensors,
  buildWorld,
  districtOf,
  type SimCamera,
  type SimSensor,
  type World,
} from "./services/world.js";
