#!/usr/bin/env node
import { createLogger, onShutdown } from "@hub/common";
import { startIngest } from "./app.js";
import { readConfig } from "./config.js";

const config = readConfig();
const logger = createLogger("ingest", config.LOG_LEVEL);
const app = await startIngest(config, logger);
onShutdown(logger, () => app.stop(), { exitWithStdin: config.HUB_EXIT_WITH_STDIN });
