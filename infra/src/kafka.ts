/**
 * The development Kafka broker: jars (fetched with Maven), process (the JVM, its files and logs), broker (config,
 * KRaft format, readiness, startKafka) and cluster (N such nodes as one replicated cluster, startKafkaCluster). This
 * file is its public surface.
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
export { ensureKafkaJars } from "./kafka/jars.js";
