#!/usr/bin/env node
import { runService } from "@hub/common";
import { startSimulator } from "./app.js";
import { readConfig } from "./config.js";

await runService("simulator", readConfig, startSimulator);
