import { BatchingProducer, type BatchingProducerOptions, headers, type Kafka, topics } from "@hub/common";
import { CameraRecord, CameraStatusRecord, DetectionRecord, SensorReadingRecord, SensorRecord } from "@hub/proto";

/**
 * The ingest service's only door to Kafka. Each publish resolves once the record is acknowledged by all in-sync
 * replicas. Values are protobuf-encoded records of hub.v1 (see records.proto); `hub-type` names the message type.
 */
export class EventBusRepository {
  private constructor(private readonly producer: BatchingProducer) {}

  static async connect(kafka: Kafka, options: BatchingProducerOptions): Promise<EventBusRepository> {
    return new EventBusRepository(await BatchingProducer.connect(kafka, options));
  }

  get queued(): number {
    return this.producer.queued;
  }

  publishDetection(record: DetectionRecord, key: string): Promise<void> {
    return this.producer.send({
      topic: topics.detections.name,
      key,
      value: Buffer.from(DetectionRecord.encode(record).finish()),
      headers: recordHeaders("hub.v1.DetectionRecord", record.detection?.eventId),
    });
  }

  publishCameraStatus(record: CameraStatusRecord, key: string): Promise<void> {
    return this.producer.send({
      topic: topics.cameraStatus.name,
      key,
      value: Buffer.from(CameraStatusRecord.encode(record).finish()),
      headers: recordHeaders("hub.v1.CameraStatusRecord", record.status?.eventId),
    });
  }

  publishSensorReading(record: SensorReadingRecord, key: string): Promise<void> {
    return this.producer.send({
      topic: topics.sensorReadings.name,
      key,
      value: Buffer.from(SensorReadingRecord.encode(record).finish()),
      headers: recordHeaders("hub.v1.SensorReadingRecord", record.reading?.eventId),
    });
  }

  /** Registry changelog, keyed by camera id so that compaction keeps the latest version of each camera. */
  publishCamera(record: CameraRecord): Promise<void> {
    return this.producer.send({
      topic: topics.cameras.name,
      key: record.camera?.id ?? "",
      value: Buffer.from(CameraRecord.encode(record).finish()),
      headers: recordHeaders("hub.v1.CameraRecord", undefined),
    });
  }

  publishSensor(record: SensorRecord): Promise<void> {
    return this.producer.send({
      topic: topics.sensors.name,
      key: record.sensor?.id ?? "",
      value: Buffer.from(SensorRecord.encode(record).finish()),
      headers: recordHeaders("hub.v1.SensorRecord", undefined),
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

/**
 * Two headers only: the value's type and the event id (for consumers that route or deduplicate without decoding).
 * Everything else is in the record itself; each header costs encoding time on every message.
 */
function recordHeaders(type: string, eventId: string | undefined): Record<string, string> {
  return eventId ? { [headers.type]: type, [headers.eventId]: eventId } : { [headers.type]: type };
}
