#!/usr/bin/env node
import { runService } from "@hub/common";
import { startIngest } from "./app.js";
import { readConfig } from "./config.js";

await runService("ingest", readConfig, startIngest);
