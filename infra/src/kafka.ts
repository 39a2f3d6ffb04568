/**
 * The development Kafka broker: jars (fetched with Maven), process (the JVM, its files and logs) and broker (config,
 * KRaft format, readiness, startKafka). This file is its public surface.
 */

export {
  type KafkaBrokerOptions,
  type KafkaSecurityListeners,
  type RunningKafka,
  startKafka,
} from "./kafka/broker.js";
export { ensureKafkaJars } from "./kafka/jars.js";
