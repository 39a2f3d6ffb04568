export { type CorrelatorApp, startCorrelator } from "./app.js";
export { type CorrelatorConfig, configVariables, DEV_CORRELATOR_TOKEN, readConfig } from "./config.js";
export { CaseAssistRepository } from "./repositories/case-assist.repository.js";
export {
  copySupported,
  type InsertMethod,
  insertDetections,
  insertMethods,
  prepareDetectionCopy,
} from "./repositories/event-store.repository.js";
export { IncidentRepository } from "./repositories/incident.repository.js";
export { OUTBOX_ID_HEADER } from "./repositories/outbox.repository.js";
export { RetentionRepository } from "./repositories/retention.repository.js";
export { type CaseAssistRecord, type CaseAssistRequest, CaseAssistService } from "./services/case-assist.service.js";
export { type Area, pointInView, viewCoversArea } from "./services/coverage.js";
export { DecodeFailure, type DetectionRow, decodeRecord, eventTopics } from "./services/records.js";
export { type CrashPoint, crashPoints } from "./services/writer.service.js";
