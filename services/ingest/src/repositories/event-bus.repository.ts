import {
  BatchingProducer,
  type BatchingProducerOptions,
  headers,
  type Kafka,
  type KafkaConnection,
  kafkajsLaneClients,
  platformaticLaneClients,
  topics,
} from "@hub/common";
import {
  BinaryWriter,
  CameraRecord,
  CameraStatusRecord,
  DetectionRecord,
  SensorReadingRecord,
  SensorRecord,
} from "@hub/proto";

/**
 * The ingest service's only door to Kafka. Each publish resolves once the record is acknowledged by all in-sync
 * replicas. Values are protobuf-encoded records of hub.v1 (see records.proto); `hub-type` names the message type.
 */
export class EventBusRepository {
  /**
   * One writer for every record: it keeps the buffer it grew to, where a new writer per record would allocate and
   * grow its own (encoding is synchronous, so records never share it at once).
   */
  private readonly writer = new BinaryWriter();

  private constructor(private readonly producer: BatchingProducer) {}

  /**
   * Producers of the service's kafkajs client or, given `platformatic` connection settings (KAFKA_PRODUCER_CLIENT=
   * platformatic), of @platformatic/kafka.
   */
  static async connect(
    kafka: Kafka,
    options: BatchingProducerOptions,
    platformatic?: KafkaConnection,
  ): Promise<EventBusRepository> {
    const lanes = platformatic ? platformaticLaneClients(platformatic) : kafkajsLaneClients(kafka);
    return new EventBusRepository(await BatchingProducer.connectClients(lanes, options));
  }

  get queued(): number {
    return this.producer.queued;
  }

  publishDetection(record: DetectionRecord, key: string): Promise<void> {
    return this.producer.send({
      topic: topics.detections.name,
      key,
      value: this.encode(DetectionRecord, record),
      headers: recordHeaders("hub.v1.DetectionRecord", record.detection?.eventId),
    });
  }

  publishCameraStatus(record: CameraStatusRecord, key: string): Promise<void> {
    return this.producer.send({
      topic: topics.cameraStatus.name,
      key,
      value: this.encode(CameraStatusRecord, record),
      headers: recordHeaders("hub.v1.CameraStatusRecord", record.status?.eventId),
    });
  }

  publishSensorReading(record: SensorReadingRecord, key: string): Promise<void> {
    return this.producer.send({
      topic: topics.sensorReadings.name,
      key,
      value: this.encode(SensorReadingRecord, record),
      headers: recordHeaders("hub.v1.SensorReadingRecord", record.reading?.eventId),
    });
  }

  /** Registry changelog, keyed by camera id so that compaction keeps the latest version of each camera. */
  publishCamera(record: CameraRecord): Promise<void> {
    return this.producer.send({
      topic: topics.cameras.name,
      key: record.camera?.id ?? "",
      value: this.encode(CameraRecord, record),
      headers: recordHeaders("hub.v1.CameraRecord", undefined),
    });
  }

  publishSensor(record: SensorRecord): Promise<void> {
    return this.producer.send({
      topic: topics.sensors.name,
      key: record.sensor?.id ?? "",
      value: this.encode(SensorRecord, record),
      headers: recordHeaders("hub.v1.SensorRecord", undefined),
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }

  /** The record's bytes as a Buffer of their own (finish() copies them out, and asBuffer does not copy again). */
  private encode<T>(type: { encode(record: T, writer: BinaryWriter): BinaryWriter }, record: T): Buffer {
    try {
      return asBuffer(type.encode(record, this.writer).finish());
    } catch (error) {
      this.writer.finish(); // drop what a failed encode left, so that the next record starts clean
      throw error;
    }
  }
}

/**
 * Two headers only: the value's type and the event id (for consumers that route or deduplicate without decoding).
 * Everything else is in the record itself; each header costs encoding time on every message.
 */
function recordHeaders(type: string, eventId: string | undefined): Record<string, string> {
  return eventId ? { [headers.type]: type, [headers.eventId]: eventId } : { [headers.type]: type };
}

/** The encoder's output as a Buffer without copying it: finish() returned a copy of this record's alone. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
