export { FIELD_PATH_METADATA } from "@hub/common";
export { type IngestApp, startIngest } from "./app.js";
export { configVariables, type IngestConfig, readConfig } from "./config.js";
export { SiteRecordersRepository } from "./repositories/site-recorders.repository.js";
export { hashToken } from "./services/credentials.js";
