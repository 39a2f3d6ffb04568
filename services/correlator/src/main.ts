#!/usr/bin/env node
import { createLogger, onShutdown } from "@hub/common";
import { startCorrelator } from "./app.js";
import { readConfig } from "./config.js";

const config = readConfig();
const logger = createLogger("correlator", config.LOG_LEVEL);
const app = await startCorrelator(config, logger);
onShutdown(logger, () => app.stop(), { exitWithStdin: config.HUB_EXIT_WITH_STDIN });
