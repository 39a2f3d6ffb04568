#!/usr/bin/env node
import { createLogger, onShutdown } from "@hub/common";
import { startGateway } from "./app.js";
import { readConfig } from "./config.js";

const config = readConfig();
const logger = createLogger("gateway", config.LOG_LEVEL);
const app = await startGateway(config, logger);
onShutdown(logger, () => app.stop(), { exitWithStdin: config.HUB_EXIT_WITH_STDIN });
