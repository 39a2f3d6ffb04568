import { enumLabel } from "@hub/common";
import {
  type AlertView,
  CAP_MESSAGE_TYPES,
  type CameraStatusChange,
  type DetectionBrief,
  type IncidentView,
  LANGUAGES,
  type LocalizedText,
  MAP_SENSOR_KINDS,
  type MapSensorKind,
  type PersonalDetection,
  type PublicAlertView,
  type SensorReadingView,
  type Severity,
} from "@hub/contracts";
import {
  AlertSeverity,
  AlertState,
  CameraHealthRecord,
  CameraStatusRecord,
  cameraStateToJSON,
  DetectionRecord,
  degradationReasonToJSON,
  IncidentRecord,
  IncidentSeverity,
  incidentStatusName,
  objectClassToJSON,
  PublicAlertRecord,
  ruleEventTypeToJSON,
  SensorReadingRecord,
  sensorKindToJSON,
} from "@hub/proto";
import { cameraState } from "./camera-state.js";

/** Thrown for a record the gateway cannot show; the correlator dead-letters the same record, so it is only counted. */
export class UndecodableRecord extends Error {}

function iso(value: Date | undefined, field: string): string {
  if (!value || !Number.isFinite(value.getTime())) throw new UndecodableRecord(`${field} is missing`);
  return value.toISOString();
}

function decodeWith<T>(decode: (bytes: Uint8Array) => T, value: Buffer | null): T {
  if (!value) throw new UndecodableRecord("empty value");
  try {
    return decode(value);
  } catch (error) {
    throw new UndecodableRecord(`not a protobuf record: ${(error as Error).message}`);
  }
}

export interface Placed<T> {
  district: string;
  data: T;
}

/**
 * A detection with its personal data (plate, attributes, track id): the live hub sends it whole only to an audited
 * investigator's subscription, and `briefOf` it to everyone else.
 */
export function detectionOf(value: Buffer | null): Placed<PersonalDetection> {
  const record = decodeWith((bytes) => DetectionRecord.decode(bytes), value);
  const detection = record.detection;
  if (!detection?.eventId || !detection.cameraId) throw new UndecodableRecord("detection.event_id is missing");
  return {
    district: record.context?.district ?? "",
    data: {
      eventId: detection.eventId,
      cameraId: detection.cameraId,
      objectClass: enumLabel(objectClassToJSON(detection.objectClass), "OBJECT_CLASS_"),
      ruleType: detection.rule ? enumLabel(ruleEventTypeToJSON(detection.rule.type), "RULE_EVENT_TYPE_") : null,
      confidence: detection.confidence,
      observedAt: iso(detection.observedAt, "detection.observed_at"),
      ingestedAt: iso(record.context?.ingestedAt, "context.ingested_at"),
      trackId: detection.trackId || null,
      attributes: { ...detection.attributes },
      plate: detection.plate?.text
        ? { text: detection.plate.text, region: detection.plate.region, confidence: detection.plate.confidence }
        : null,
    },
  };
}

/** What the live map shows of a detection: no plate, no attributes (face or clothing), no track id. */
export function briefOf(detection: PersonalDetection): DetectionBrief {
  return {
    eventId: detection.eventId,
    cameraId: detection.cameraId,
    objectClass: detection.objectClass,
    ruleType: detection.ruleType,
    confidence: detection.confidence,
    observedAt: detection.observedAt,
    ingestedAt: detection.ingestedAt,
  };
}

export function cameraStatusOf(value: Buffer | null): Placed<CameraStatusChange> {
  const record = decodeWith((bytes) => CameraStatusRecord.decode(bytes), value);
  const status = record.status;
  if (!status?.cameraId) throw new UndecodableRecord("status.camera_id is missing");
  const observedAt = iso(status.observedAt, "status.observed_at");
  return {
    district: record.context?.district ?? "",
    data: {
      cameraId: status.cameraId,
      state: cameraState(enumLabel(cameraStateToJSON(status.state), "CAMERA_STATE_")),
      reason: status.degradationReason
        ? enumLabel(degradationReasonToJSON(status.degradationReason), "DEGRADATION_REASON_")
        : null,
      observedAt,
      version: Date.parse(observedAt),
    },
  };
}

/** The hub's verdict on a camera (silent, heard again): shown as a status change, ordered by when it was made. */
export function cameraHealthOf(value: Buffer | null): Placed<CameraStatusChange> {
  const record = decodeWith((bytes) => CameraHealthRecord.decode(bytes), value);
  if (!record.cameraId) throw new UndecodableRecord("camera_id is missing");
  const changedAt = iso(record.changedAt, "changed_at");
  return {
    district: record.district,
    data: {
      cameraId: record.cameraId,
      state: cameraState(enumLabel(cameraStateToJSON(record.state), "CAMERA_STATE_")),
      reason: null,
      observedAt: changedAt,
      version: Date.parse(changedAt),
      byHub: true,
    },
  };
}

/** Water level and rainfall readings (the kinds the map shows); undefined for other kinds. */
export function sensorReadingOf(
  value: Buffer | null,
  names: ReadonlyMap<string, { name: string }>,
): Placed<SensorReadingView> | undefined {
  const record = decodeWith((bytes) => SensorReadingRecord.decode(bytes), value);
  const reading = record.reading;
  if (!reading?.sensorId) throw new UndecodableRecord("reading.sensor_id is missing");
  const kind = enumLabel(sensorKindToJSON(reading.kind), "SENSOR_KIND_");
  if (!(MAP_SENSOR_KINDS as readonly string[]).includes(kind)) return undefined;
  const position = reading.position ?? record.context?.position;
  if (!position) throw new UndecodableRecord("reading.position is missing");
  const observedAt = iso(reading.observedAt, "reading.observed_at");
  return {
    district: record.context?.district ?? "",
    data: {
      sensorId: reading.sensorId,
      name: names.get(reading.sensorId)?.name ?? reading.sensorId,
      lat: position.lat,
      lon: position.lon,
      kind: kind as MapSensorKind,
      value: reading.value,
      unit: reading.unit,
      observedAt,
      version: Date.parse(observedAt),
    },
  };
}

const severities: Record<number, Severity> = {
  [IncidentSeverity.INCIDENT_SEVERITY_MINOR]: "minor",
  [IncidentSeverity.INCIDENT_SEVERITY_MODERATE]: "moderate",
  [IncidentSeverity.INCIDENT_SEVERITY_SEVERE]: "severe",
  [IncidentSeverity.INCIDENT_SEVERITY_EXTREME]: "extreme",
};

export function incidentOf(value: Buffer | null): IncidentView {
  const record = decodeWith((bytes) => IncidentRecord.decode(bytes), value);
  const incident = record.incident;
  if (!incident?.id || !incident.position) throw new UndecodableRecord("incident.id is missing");
  const severity = severities[incident.severity];
  const status = incidentStatusName(incident.status);
  if (!severity || !status) throw new UndecodableRecord("incident.severity or status is unspecified");
  return {
    id: incident.id,
    ruleId: incident.ruleId,
    kind: incident.kind,
    severity,
    status,
    title: incident.title,
    titles: localized({ en: incident.title, ...incident.titles }),
    lat: incident.position.lat,
    lon: incident.position.lon,
    firstEventAt: iso(incident.firstEventAt, "incident.first_event_at"),
    lastEventAt: iso(incident.lastEventAt, "incident.last_event_at"),
    openedAt: iso(incident.openedAt, "incident.opened_at"),
    updatedAt: iso(incident.updatedAt, "incident.updated_at"),
    evidenceCount: incident.evidenceEventIds.length,
    version: incident.version,
  };
}

const alertStates: Record<number, AlertView["state"]> = {
  [AlertState.ALERT_STATE_ACTIVE]: "active",
  [AlertState.ALERT_STATE_CANCELLED]: "cancelled",
  [AlertState.ALERT_STATE_EXPIRED]: "expired",
};

function localized(map: Record<string, string>): LocalizedText {
  const fallback = map.en ?? map["zh-Hant"] ?? Object.values(map)[0] ?? "";
  return Object.fromEntries(LANGUAGES.map((language) => [language, map[language] ?? fallback])) as LocalizedText;
}

const capSeverities: Record<number, PublicAlertView["severity"]> = {
  [AlertSeverity.ALERT_SEVERITY_MINOR]: "Minor",
  [AlertSeverity.ALERT_SEVERITY_MODERATE]: "Moderate",
  [AlertSeverity.ALERT_SEVERITY_SEVERE]: "Severe",
  [AlertSeverity.ALERT_SEVERITY_EXTREME]: "Extreme",
};
const msgTypes = new Set<string>(CAP_MESSAGE_TYPES);

/** A PublicAlertRecord (hub.alerts.v1) as the public page shows it. */
export function publicAlertOf(value: Buffer | null): PublicAlertView {
  const record = decodeWith((bytes) => PublicAlertRecord.decode(bytes), value);
  const alert = record.alert;
  if (!alert?.id) throw new UndecodableRecord("alert.id is missing");
  const state = alertStates[alert.state];
  if (!state) throw new UndecodableRecord("alert.state is unspecified");
  return {
    id: alert.id,
    version: alert.version,
    state,
    msgType: (msgTypes.has(alert.msgType) ? alert.msgType : "Alert") as PublicAlertView["msgType"],
    identifier: alert.identifier,
    event: localized(alert.event),
    headline: localized(alert.headline),
    description: localized(alert.description),
    instruction: localized(alert.instruction),
    category: alert.category,
    severity: capSeverities[alert.severity] ?? "Unknown",
    urgency: (alert.urgency || "Unknown") as PublicAlertView["urgency"],
    certainty: (alert.certainty || "Unknown") as PublicAlertView["certainty"],
    sent: iso(alert.sent, "alert.sent"),
    expires: alert.expires ? alert.expires.toISOString() : null,
    areas: alert.areas.map((area) => ({
      description: localized(area.description),
      polygons: area.polygons.map((polygon) => {
        const ring = polygon.ring.map((point): [number, number] => [point.lon, point.lat]);
        const first = ring[0];
        const last = ring.at(-1);
        if (first && last && (first[0] !== last[0] || first[1] !== last[1])) ring.push(first);
        return ring;
      }),
    })),
    capUrl: alert.capUrl,
  };
}

const dashboardSeverities: Record<PublicAlertView["severity"], Severity> = {
  Extreme: "extreme",
  Severe: "severe",
  Moderate: "moderate",
  Minor: "minor",
  Unknown: "minor",
};

/** The command-centre map's view of the same alert. */
export function alertViewOf(alert: PublicAlertView): AlertView {
  return {
    id: alert.id,
    event: alert.event,
    headline: alert.headline,
    category: alert.category,
    severity: dashboardSeverities[alert.severity],
    urgency: alert.urgency,
    certainty: alert.certainty,
    sent: alert.sent,
    expires: alert.expires,
    state: alert.state,
    areas: alert.areas,
    version: alert.version,
  };
}

export function alertOf(value: Buffer | null): AlertView {
  return alertViewOf(publicAlertOf(value));
}
