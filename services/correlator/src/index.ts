export { type CorrelatorApp, startCorrelator } from "./app.js";
export { type CorrelatorConfig, DEV_CORRELATOR_TOKEN, readConfig } from "./config.js";
export { insertDetections } from "./repositories/event-store.repository.js";
export { OUTBOX_ID_HEADER } from "./repositories/outbox.repository.js";
export { RetentionRepository } from "./repositories/retention.repository.js";
export { type CaseAssistRecord, type CaseAssistRequest, CaseAssistService } from "./services/case-assist.service.js";
export { type Area, pointInView, viewCoversArea } from "./services/coverage.js";
export { DecodeFailure, decodeRecord, eventTopics } from "./services/records.js";
export { type CrashPoint, crashPoints } from "./services/writer.service.js";
