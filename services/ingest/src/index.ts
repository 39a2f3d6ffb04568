export { type IngestApp, startIngest } from "./app.js";
export { type IngestConfig, readConfig } from "./config.js";
export { FIELD_PATH_METADATA } from "./controllers/grpc-handlers.js";
export { hashToken } from "./repositories/registry.repository.js";
