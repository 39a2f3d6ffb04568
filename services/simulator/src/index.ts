export { IngestGateway, type IngestGatewayOptions } from "./gateways/ingest.gateway.js";
export { effectsAt, loadScenario, noEffects, type Scenario, scenarioSchema } from "./services/scenario.js";
export { type SimulatorOptions, SimulatorService } from "./services/simulator.service.js";
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
