export { type CorrelatorApp, startCorrelator } from "./app.js";
export { type CorrelatorConfig, DEV_CORRELATOR_TOKEN, readConfig } from "./config.js";
export { OUTBOX_ID_HEADER } from "./repositories/outbox.repository.js";
export { DecodeFailure, decodeRecord, eventTopics } from "./services/records.js";
