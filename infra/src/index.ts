export { type EmbeddedDbOptions, type RunningDb, startEmbeddedDatabase } from "./database.js";
export { verifyStandardWebhook } from "./dev-citizen-apps.js";
export {
  type DevPartnerFeed,
  type DevSignal,
  devPartnerFeedCertificate,
  partnerCapXml,
  startDevPartnerFeed,
} from "./dev-partner-feed.js";
export { type DevRecorder, startDevRecorder, stillSvg } from "./dev-recorder.js";
export {
  bundledKafkaVersion,
  ensureKafkaJars,
  ensureKafkaToolsJars,
  type KafkaBrokerOptions,
  type KafkaClusterNode,
  type KafkaClusterOptions,
  type KafkaSecurityListeners,
  type ProducerPerfOptions,
  type ProducerPerfResult,
  parseProducerPerfOutput,
  type RunningKafka,
  type RunningKafkaCluster,
  runProducerPerformance,
  startKafka,
  startKafkaCluster,
} from "./kafka.js";
export {
  decideOnExit,
  describeExit,
  type ExitDecision,
  findRepoRoot,
  type ProcessExit,
  type ServiceProcess,
  startService,
  waitFor,
} from "./processes.js";
