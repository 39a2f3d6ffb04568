#!/usr/bin/env node
import { runService } from "@hub/common";
import { startCorrelator } from "./app.js";
import { readConfig } from "./config.js";

await runService("correlator", readConfig, startCorrelator);
