/**
 * The development Kafka broker: jars (fetched with Maven), process (the JVM, its files and logs), broker (config,
 * KRaft format, readiness, startKafka), cluster (N such nodes as one replicated cluster, startKafkaCluster) and, for
 * the benches, Kafka's own producer benchmark (perf-test, with the tools jars). This file is its public surface.
 */

export {
  type KafkaBrokerOptions,
  type KafkaSecurityListeners,
  type RunningKafka,
  startKafka,
} from "./kafka/broker.js";
export {
  type KafkaClusterNode,
  type KafkaClusterOptions,
  type RunningKafkaCluster,
  startKafkaCluster,
} from "./kafka/cluster.js";
export { bundledKafkaVersion, ensureKafkaJars, ensureKafkaToolsJars } from "./kafka/jars.js";
export {
  type ProducerPerfOptions,
  type ProducerPerfResult,
  parseProducerPerfOutput,
  runProducerPerformance,
} from "./kafka/perf-test.js";
