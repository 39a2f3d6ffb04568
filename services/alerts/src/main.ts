#!/usr/bin/env node
import { runService } from "@hub/common";
import { startAlerts } from "./app.js";
import { readConfig } from "./config.js";

await runService("alerts", readConfig, startAlerts);
