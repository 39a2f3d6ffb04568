import { enumLabel, H3_INDEX_RESOLUTION, topics } from "@hub/common";
import {
  CameraStatusRecord,
  cameraStateToJSON,
  DetectionRecord,
  degradationReasonToJSON,
  type IngestContext,
  objectClassToJSON,
  ruleEventTypeToJSON,
  SensorReadingRecord,
  sensorKindToJSON,
} from "@hub/proto";
import { getResolution, isValidCell } from "h3-js";

/**
 * Kafka records → rows. Anything that cannot be decoded, or lacks what a row needs, is a DecodeFailure with the
 * reason; the writer sends it to the dead-letter topic and moves on.
 */
export interface DetectionRow {
  observedAt: Date;
  eventId: string;
  cameraId: string;
  siteId: string;
  objectClass: string;
  confidence: number;
  box: { left: number; top: number; right: number; bottom: number } | undefined;
  trackId: string | null;
  attributes: Record<string, string> | null;
  plate: { text: string; region: string; confidence: number } | undefined;
  rule: { type: string; name: string; count: number; dwellSeconds: number } | undefined;
  /** Detection.snapshot_uri, when the camera's recorder keeps a still of it (only the gateway fetches it). */
  snapshotUri?: string | null;
  lat: number;
  lon: number;
  h3Cell: string;
  ingestedAt: Date;
}

export interface SensorReadingRow {
  observedAt: Date;
  eventId: string;
  sensorId: string;
  datastreamId: string;
  kind: string;
  value: number;
  unit: string;
  siteId: string;
  lat: number;
  lon: number;
  h3Cell: string;
  ingestedAt: Date;
}

export interface CameraStatusRow {
  observedAt: Date;
  eventId: string;
  cameraId: string;
  state: string;
  degradationReason: string | null;
  detail: string | null;
  signalLoss: boolean;
  sceneChange: boolean;
  siteId: string;
  lat: number;
  lon: number;
  h3Cell: string;
  ingestedAt: Date;
}

export type EventRow =
  | { kind: "detection"; row: DetectionRow }
  | { kind: "sensor_reading"; row: SensorReadingRow }
  | { kind: "camera_status"; row: CameraStatusRow };

/**
 * What identifies an event: the site that sent it and its event id (devices choose event ids, so an id alone is not
 * unique across sites; see migration 0009). Length-prefixed so that no two (site, id) pairs give the same key.
 */
export function eventKey(row: { siteId: string; eventId: string }): string {
  return `${row.siteId.length}:${row.siteId}:${row.eventId}`;
}

/** The camera or sensor that produced the event. */
export function sourceOf(event: EventRow): string {
  return event.kind === "sensor_reading" ? event.row.sensorId : event.row.cameraId;
}

export class DecodeFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "DecodeFailure";
  }
}

/** "OBJECT_CLASS_FIRE" → "fire". */
function validDate(value: Date | undefined, field: string): Date {
  if (!value || !Number.isFinite(value.getTime())) throw new DecodeFailure(`${field} is missing or invalid`);
  return value;
}

function place(context: IngestContext | undefined) {
  if (!context) throw new DecodeFailure("context is missing");
  const position = context.position;
  if (!position || !Number.isFinite(position.lat) || !Number.isFinite(position.lon)) {
    throw new DecodeFailure("context.position is missing or invalid");
  }
  if (!context.h3Cell) throw new DecodeFailure("context.h3_cell is missing");
  // Rules search neighbouring cells; an invalid cell would fail the whole batch again and again (a poison pill).
  if (!isValidCell(context.h3Cell) || getResolution(context.h3Cell) !== H3_INDEX_RESOLUTION) {
    throw new DecodeFailure(
      `context.h3_cell "${context.h3Cell.slice(0, 20)}" is not an H3 resolution-${H3_INDEX_RESOLUTION} cell`,
    );
  }
  return {
    siteId: context.siteId,
    lat: position.lat,
    lon: position.lon,
    h3Cell: context.h3Cell,
    ingestedAt: validDate(context.ingestedAt, "context.ingested_at"),
  };
}

function decodeDetection(value: Buffer): EventRow {
  const record = DetectionRecord.decode(value);
  const detection = record.detection;
  if (!detection?.eventId) throw new DecodeFailure("detection.event_id is missing");
  if (!detection.cameraId) throw new DecodeFailure("detection.camera_id is missing");
  const attributes = Object.keys(detection.attributes).length > 0 ? detection.attributes : null;
  return {
    kind: "detection",
    row: {
      observedAt: validDate(detection.observedAt, "detection.observed_at"),
      eventId: detection.eventId,
      cameraId: detection.cameraId,
      objectClass: enumLabel(objectClassToJSON(detection.objectClass), "OBJECT_CLASS_"),
      confidence: detection.confidence,
      box: detection.box,
      trackId: detection.trackId || null,
      attributes,
      plate: detection.plate,
      snapshotUri: detection.snapshotUri || null,
      rule: detection.rule
        ? {
            type: enumLabel(ruleEventTypeToJSON(detection.rule.type), "RULE_EVENT_TYPE_"),
            name: detection.rule.ruleName,
            count: detection.rule.count,
            dwellSeconds: detection.rule.dwellSeconds,
          }
        : undefined,
      ...place(record.context),
    },
  };
}

function decodeReading(value: Buffer): EventRow {
  const record = SensorReadingRecord.decode(value);
  const reading = record.reading;
  if (!reading?.eventId) throw new DecodeFailure("reading.event_id is missing");
  if (!Number.isFinite(reading.value)) throw new DecodeFailure("reading.value is not finite");
  return {
    kind: "sensor_reading",
    row: {
      observedAt: validDate(reading.observedAt, "reading.observed_at"),
      eventId: reading.eventId,
      sensorId: reading.sensorId,
      datastreamId: reading.datastreamId,
      kind: enumLabel(sensorKindToJSON(reading.kind), "SENSOR_KIND_"),
      value: reading.value,
      unit: reading.unit,
      ...place(record.context),
    },
  };
}

function decodeStatus(value: Buffer): EventRow {
  const record = CameraStatusRecord.decode(value);
  const status = record.status;
  if (!status?.eventId) throw new DecodeFailure("status.event_id is missing");
  return {
    kind: "camera_status",
    row: {
      observedAt: validDate(status.observedAt, "status.observed_at"),
      eventId: status.eventId,
      cameraId: status.cameraId,
      state: enumLabel(cameraStateToJSON(status.state), "CAMERA_STATE_"),
      degradationReason: status.degradationReason
        ? enumLabel(degradationReasonToJSON(status.degradationReason), "DEGRADATION_REASON_")
        : null,
      detail: status.detail || null,
      signalLoss: status.signalLoss,
      sceneChange: status.sceneChange,
      ...place(record.context),
    },
  };
}

const decoders: Record<string, (value: Buffer) => EventRow> = {
  [topics.detections.name]: decodeDetection,
  [topics.sensorReadings.name]: decodeReading,
  [topics.cameraStatus.name]: decodeStatus,
};

/** The topics the correlator stores. */
export const eventTopics: string[] = Object.keys(decoders);

/** Decodes one Kafka record of `topic`; throws DecodeFailure with the reason. */
export function decodeRecord(topic: string, value: Buffer | null): EventRow {
  const decode = decoders[topic];
  if (!decode) throw new DecodeFailure(`no decoder for topic ${topic}`);
  if (!value || value.length === 0) throw new DecodeFailure("empty value");
  try {
    return decode(value);
  } catch (error) {
    if (error instanceof DecodeFailure) throw error;
    throw new DecodeFailure(`undecodable protobuf: ${error instanceof Error ? error.message : String(error)}`);
  }
}
