import { CORRELATOR_MAX_MESSAGE_BYTES } from "@hub/common";
import { CreateCaseAssistRecordResponse } from "@hub/proto";
import { describe, expect, it } from "vitest";
import {
  type CaseAssistRecord,
  type CaseAssistResult,
  DEFAULT_CASE_ASSIST_LIMITS as limits,
} from "../services/case-assist.service.js";
import { toMessage } from "./case-assist.controller.js";

/**
 * The largest record the correlator can send: every list at its limit, every string at the longest the ingest
 * validation lets through, free text in characters that cost the most bytes (3 in UTF-8, not escaped in JSON;
 * control characters are refused at ingest and protobuf strings cannot carry lone surrogates).
 */
const text = (length: number) => "澳".repeat(length);
const id = (length: number, n: number) => `${n}`.padStart(length, "x");
const time = "2026-12-06T07:00:00.000Z";
/** A number printed with the most digits JSON gives a double (17 significant). */
const long = (whole: number) => whole - 1 / 3;

function maximalResult(): CaseAssistResult {
  const cameraIds = Array.from({ length: limits.maxCameras }, (_, n) => id(64, n));
  return {
    cameras: cameraIds.map((cameraId) => ({
      id: cameraId,
      name: text(200),
      siteId: id(64, 1),
      district: text(64),
      position: { lat: long(-22), lon: long(-113) },
      bearingDeg: long(359),
      angleDeg: long(179),
      rangeM: long(1999),
      distanceM: long(6999),
      coveredFraction: long(0),
      onlineShare: long(0),
    })),
    camerasTruncated: true,
    detections: Array.from({ length: limits.maxDetections }, (_, n) => ({
      eventId: id(128, n),
      cameraId: id(64, n),
      observedAt: time,
      objectClass: "OBJECT_CLASS_MOTORCYCLE",
      confidence: long(0),
      trackId: text(64),
      plateText: text(16),
      plateRegion: "CN-GD1",
      plateConfidence: long(0),
      ruleType: "RULE_EVENT_TYPE_LINE_CROSSED",
      ruleName: text(128),
    })),
    detectionsTruncated: true,
    plates: Array.from({ length: limits.maxPlates }, () => ({
      plateText: text(16),
      firstSeen: time,
      lastSeen: time,
      count: 1_000_000_000,
      cameraIds: cameraIds.slice(0, limits.maxCamerasPerPlate),
      cameraCount: limits.maxCameras,
    })),
    platesTruncated: true,
    clips: Array.from({ length: limits.maxClips }, (_, n) => ({ cameraId: id(64, n), from: time, to: time })),
    clipsTruncated: true,
    incidents: Array.from({ length: limits.maxIncidents }, (_, n) => ({
      id: "6f1c2a52-0000-4000-8000-000000000000",
      ruleId: id(40, n),
      kind: text(64),
      severity: "SEVERITY_CRITICAL",
      status: "INCIDENT_STATUS_ACKNOWLEDGED",
      title: `${text(200)}: ${id(64, n)}`,
      position: { lat: long(-22), lon: long(-113) },
      firstEventAt: time,
      lastEventAt: time,
    })),
    incidentsTruncated: true,
  };
}

function encodedSize(result: CaseAssistResult): number {
  const record: CaseAssistRecord = {
    id: "6f1c2a52-0000-4000-8000-000000000000",
    incidentId: "6f1c2a52-0000-4000-8000-000000000001",
    caseReference: text(64),
    requestedBy: text(64),
    window: { from: new Date(time), to: new Date(time) },
    area: {
      kind: "polygon",
      ring: Array.from({ length: limits.maxPolygonPoints }, () => ({ lat: -22.123456789, lon: -113.123456789 })),
    },
    inputs: {
      window: { from: time, to: time },
      area: { kind: "circle", center: { lat: 0, lon: 0 }, radiusM: 1 },
      requestedBy: text(64),
    },
    result,
    createdAt: new Date(time),
  };
  return CreateCaseAssistRecordResponse.encode({ record: toMessage(record) }).finish().length;
}

describe("case-assist record size", () => {
  it("fits the gateway-correlator message limit at every list's limit with the longest strings", () => {
    const size = encodedSize(maximalResult());
    expect(size).toBeLessThan(CORRELATOR_MAX_MESSAGE_BYTES);
    // The limit is not set absurdly high either: a maximal record uses most of it.
    expect(size).toBeGreaterThan(CORRELATOR_MAX_MESSAGE_BYTES / 4);
  });
});
