export type { Kafka } from "kafkajs";
export {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditVerification,
  appendAudit,
  appendAuditIn,
  canonicalJson,
  verifyAuditChain,
} from "./audit.js";
export { BatchingProducer, type BatchingProducerOptions, type OutgoingMessage } from "./batching-producer.js";
export {
  booleanFlag,
  brokerList,
  commonConfigShape,
  type HubMode,
  hubMode,
  type KafkaTopicSettings,
  kafkaTopicsConfigShape,
  loadConfig,
  logLevel,
  port,
  positiveInt,
  postgresUrl,
} from "./config.js";
export {
  createPool,
  isTransientDatabaseError,
  type MigrationResult,
  migrate,
  migrateWhenReady,
  migrationsDir,
  type Pool,
  type PoolClient,
  withTransaction,
} from "./database.js";
export {
  DEV_ALERTS_TOKEN,
  DEV_CORRELATOR_TOKEN,
  DEV_CREDENTIAL_PREFIX,
  type DevSite,
  devDeviceToken,
  devSites,
} from "./dev-seeds.js";
export {
  AuthenticationError,
  ConfigError,
  ConflictError,
  type ErrorCode,
  HubError,
  isHubError,
  LimitExceededError,
  NotFoundError,
  PermissionError,
  PreconditionError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
} from "./errors.js";
export { distanceMetres, H3_INDEX_RESOLUTION, H3_PARTITION_RESOLUTION, h3Cell, macaoLandPath, Region } from "./geo.js";
export {
  authorizationOf,
  type Decoded,
  FIELD_PATH_METADATA,
  type GrpcContext,
  malformed,
  RETRY_AFTER_METADATA,
  RETRY_PUSHBACK_METADATA,
  tolerantDefinition,
  toServiceError,
  unary,
} from "./grpc.js";
export { firstProblem, type IndexStyle, parseInput } from "./input.js";
export { createKafka, ensureTopics, type KafkaConnection } from "./kafka.js";
export { createLogger, type Logger } from "./logger.js";
export {
  createMetricsRegistry,
  dependencyChecks,
  type OpsServer,
  type ReadinessCheck,
  startOpsServer,
} from "./ops-server.js";
export { answerWithProblems, type Problem, problemOf } from "./problem.js";
export { type BackoffOptions, backoffDelay, type RetryOptions, retryWithBackoff } from "./retry.js";
export {
  bootstrapService,
  type RunningService,
  runService,
  type ServiceConfig,
  type ServiceDependencies,
  type ServiceWiring,
} from "./service.js";
export { onShutdown } from "./shutdown.js";
export {
  EVENT_PARTITIONS,
  eventTopicKeys,
  headers,
  type TopicKey,
  type TopicSpec,
  topicSpecs,
  topics,
} from "./topics.js";
export { enumLabel, isUuid } from "./wire.js";
