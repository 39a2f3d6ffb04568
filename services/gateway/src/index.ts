export { type GatewayApp, startGateway } from "./app.js";
export { configVariables, type GatewayConfig, readConfig } from "./config.js";
export {
  CasesRepository,
  type DetectionCursor,
  type DetectionFilter,
} from "./repositories/cases.repository.js";
export { ExportChunksRepository } from "./repositories/export-chunks.repository.js";
export { ExportJobsRepository } from "./repositories/export-jobs.repository.js";
export { SignInAttemptsRepository } from "./repositories/sign-in-attempts.repository.js";
export { devUsers } from "./services/auth.service.js";
export { hashPassword, OWASP_SCRYPT } from "./services/passwords.js";
