#!/usr/bin/env node
import { runService } from "@hub/common";
import { startGateway } from "./app.js";
import { readConfig } from "./config.js";

await runService("gateway", readConfig, startGateway);
