#!/usr/bin/env node
import { createLogger, onShutdown } from "@hub/common";
import { startAlerts } from "./app.js";
import { readConfig } from "./config.js";

const config = readConfig();
const logger = createLogger("alerts", config.LOG_LEVEL);
const app = await startAlerts(config, logger);
onShutdown(logger, () => app.stop(), { exitWithStdin: config.HUB_EXIT_WITH_STDIN });
