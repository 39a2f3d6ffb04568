/**
 * The hub's Kafka topics, created by the project (`ensureTopics`) with these settings. Event topics share one
 * partition count and one key scheme (the H3 cell of the event's place) so that events from the same place land in
 * the same partition number on every topic, in the order their device sent them.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic-level configuration, as in kafka-configs. */
  config: Record<string, string>;
  description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const EVENT_PARTITIONS = 12;

export const topics = {
  detections: {
    name: "hub.detections.v1",
    partitions: EVENT_PARTITIONS,
    config: { "retention.ms": String(7 * DAY_MS), "cleanup.policy": "delete", "min.insync.replicas": "1" },
    description: "Camera analytics detections (DetectionRecord), keyed by H3 cell of the camera",
  },
  cameraStatus: {
    name: "hub.camera-status.v1",
    partitions: EVENT_PARTITIONS,
    config: { "retention.ms": String(7 * DAY_MS), "cleanup.policy": "delete", "min.insync.replicas": "1" },
    description: "Camera heartbeats and state changes (CameraStatusRecord), keyed by H3 cell of the camera",
  },
  sensorReadings: {
    name: "hub.sensor-readings.v1",
    partitions: EVENT_PARTITIONS,
    config: { "retention.ms": String(7 * DAY_MS), "cleanup.policy": "delete", "min.insync.replicas": "1" },
    description: "IoT sensor observations (SensorReadingRecord), keyed by H3 cell of the sensor",
  },
  cameras: {
    name: "hub.cameras.v1",
    partitions: 3,
    config: { "cleanup.policy": "compact", "min.compaction.lag.ms": "60000", "min.insync.replicas": "1" },
    description: "Camera registry changelog (CameraRecord), compacted, keyed by camera id",
  },
  sensors: {
    name: "hub.sensors.v1",
    partitions: 3,
    config: { "cleanup.policy": "compact", "min.compaction.lag.ms": "60000", "min.insync.replicas": "1" },
    description: "Sensor registry changelog (SensorRecord), compacted, keyed by sensor id",
  },
  cameraHealth: {
    name: "hub.camera-health.v1",
    partitions: 3,
    config: { "cleanup.policy": "compact", "min.compaction.lag.ms": "60000", "min.insync.replicas": "1" },
    description:
      "The hub's verdict on each camera (CameraHealthRecord: silent, heard again), from the correlator's outbox, keyed by camera id",
  },
  incidents: {
    name: "hub.incidents.v1",
    partitions: 3,
    config: { "retention.ms": String(30 * DAY_MS), "cleanup.policy": "delete", "min.insync.replicas": "1" },
    description: "Incident changes (IncidentRecord), relayed from the correlator's outbox, keyed by incident id",
  },
  alerts: {
    name: "hub.alerts.v1",
    partitions: 3,
    config: { "cleanup.policy": "compact", "min.compaction.lag.ms": "60000", "min.insync.replicas": "1" },
    description: "Civil-protection alerts as they now stand (PublicAlertRecord), compacted, keyed by alert id",
  },
  deadLetter: {
    name: "hub.dead-letter.v1",
    partitions: 3,
    config: { "retention.ms": String(30 * DAY_MS), "cleanup.policy": "delete", "min.insync.replicas": "1" },
    description: "Messages a consumer could not decode or validate, with hub-dlq-* headers saying why",
  },
  auditCheckpoints: {
    name: "hub.audit-checkpoints.v1",
    partitions: 1,
    config: { "cleanup.policy": "compact", "min.compaction.lag.ms": String(DAY_MS), "min.insync.replicas": "1" },
    description: "Signed checkpoints of the audit chain's head (JSON AuditCheckpoint), compacted, keyed by signing key",
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof topics;

/** The topics keyed by the H3 cell of the event's place, which share one partition count. */
export const eventTopicKeys = ["detections", "cameraStatus", "sensorReadings"] as const satisfies readonly TopicKey[];

/** A topic as this deployment creates it: its declared settings plus the cluster's replication. */
export interface DeployedTopicSpec extends TopicSpec {
  replicationFactor: number;
}

/**
 * min.insync.replicas for a replication factor, unless configured: with three or more replicas an acknowledged write
 * (acks=all) is on at least two brokers, so losing one broker loses nothing and writes go on; with fewer replicas
 * there is no such margin, and requiring all of them would stop writes whenever one broker is down.
 */
export function defaultMinInsyncReplicas(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}

/**
 * Every topic as this deployment creates it, declared once for every service: the event topics with
 * `eventPartitions` partitions, and every topic with `replicationFactor` replicas and `minInsyncReplicas` (derived
 * from the replication factor when not configured; never more than it, which no broker could satisfy).
 */
export function topicSpecs(settings: {
  eventPartitions: number;
  replicationFactor: number;
  minInsyncReplicas?: number | undefined;
}): DeployedTopicSpec[] {
  const minIsr = String(
    Math.min(
      settings.minInsyncReplicas ?? defaultMinInsyncReplicas(settings.replicationFactor),
      settings.replicationFactor,
    ),
  );
  return (Object.entries(topics) as [TopicKey, TopicSpec][]).map(([key, spec]) => ({
    ...spec,
    partitions: (eventTopicKeys as readonly TopicKey[]).includes(key) ? settings.eventPartitions : spec.partitions,
    replicationFactor: settings.replicationFactor,
    config: { ...spec.config, "min.insync.replicas": minIsr },
  }));
}

/** Record headers the hub sets on every message it produces. */
export const headers = {
  /** Fully-qualified protobuf message name of the value, e.g. "hub.v1.DetectionRecord". */
  type: "hub-type",
  eventId: "hub-event-id",
  /** On dead-letter records: why, where from. */
  dlqReason: "hub-dlq-reason",
  dlqSourceTopic: "hub-dlq-source-topic",
  dlqSourcePartition: "hub-dlq-source-partition",
  dlqSourceOffset: "hub-dlq-source-offset",
} as const;
