export type { Kafka } from "kafkajs";
export {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditVerification,
  appendAudit,
  appendAuditIn,
  auditEntryHash,
  auditHashesAt,
  canonicalJson,
  readAuditHead,
  type StoredAuditEntry,
  verifyAuditChain,
} from "./audit.js";
export {
  type AuditCheckpoint,
  type AuditHead,
  auditKeyFingerprint,
  type CheckpointComparison,
  type CheckpointTrust,
  checkAuditCheckpoint,
  compareWithCheckpoint,
  signAuditCheckpoint,
} from "./audit-checkpoint.js";
export { BatchingProducer, type BatchingProducerOptions, type OutgoingMessage } from "./batching-producer.js";
export {
  booleanFlag,
  brokerList,
  type ConfigIssues,
  checkCommonConfig,
  checkPublicBaseUrl,
  commonConfigShape,
  type DatabaseSslMode,
  databaseConfigShape,
  databaseSslMode,
  type HubMode,
  hubMode,
  INSECURE_DEVELOPMENT_PREFIX,
  isLoopbackUrl,
  type KafkaTopicSettings,
  kafkaSecurityProtocol,
  kafkaTopicsConfigShape,
  loadConfig,
  logLevel,
  port,
  positiveInt,
  postgresUrl,
} from "./config.js";
export {
  createPool,
  type DatabaseSslSettings,
  databaseSsl,
  isTransientDatabaseError,
  type MigrationResult,
  migrate,
  migrateWhenReady,
  migrationsDir,
  type Pool,
  type PoolClient,
  waitForMigrations,
  withTransaction,
} from "./database.js";
export {
  applyDatabaseRoles,
  functionGrants,
  type ServiceRoleKey,
  serviceRoles,
  tableGrants,
} from "./db-roles.js";
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
  CORRELATOR_MAX_MESSAGE_BYTES,
  channelCredentials,
  type Decoded,
  FIELD_PATH_METADATA,
  type GrpcContext,
  malformed,
  messageLimits,
  RETRY_AFTER_METADATA,
  RETRY_PUSHBACK_METADATA,
  serverCredentials,
  tolerantDefinition,
  toServiceError,
  unary,
} from "./grpc.js";
export { firstProblem, type IndexStyle, parseInput } from "./input.js";
export {
  createKafka,
  ensureTopics,
  type KafkaConnection,
  type KafkaSecurity,
  type KafkaSecuritySettings,
  kafkaSecurity,
} from "./kafka.js";
export { kafkajsLaneClients } from "./kafkajs-lane-client.js";
export type { LaneClient, LaneClientFactory } from "./lane-client.js";
export { createLogger, type Logger } from "./logger.js";
export {
  createMetricsRegistry,
  dependencyChecks,
  type OpsServer,
  type ReadinessCheck,
  startOpsServer,
} from "./ops-server.js";
export { loadPlatformaticKafka, type PlatformaticKafka } from "./platformatic-kafka.js";
export { platformaticLaneClients } from "./platformatic-lane-client.js";
export { answerWithProblems, type Problem, problemOf } from "./problem.js";
export {
  defaultTimeFormat,
  fillRecorderTemplate,
  RECORDER_KINDS,
  type RecorderKind,
  recorderOrigins,
  type SiteRecorder,
  TIME_FORMATS,
  type TimeFormat,
  validateSiteRecorder,
} from "./recorder-templates.js";
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
  type ClientTlsFiles,
  checkHttpsClientConfig,
  checkServerTlsConfig,
  httpsAgentOptions,
  httpsServerOptions,
  type ServerTlsFiles,
} from "./tls.js";
export {
  type DeployedTopicSpec,
  defaultMinInsyncReplicas,
  EVENT_PARTITIONS,
  eventTopicKeys,
  headers,
  type TopicKey,
  type TopicSpec,
  topicSpecs,
  topics,
} from "./topics.js";
export { enumLabel, isUuid } from "./wire.js";
