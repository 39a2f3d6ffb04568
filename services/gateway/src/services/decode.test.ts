import { detectionBriefSchema } from "@hub/contracts";
import {
  AlertSeverity,
  AlertState,
  CameraState,
  CameraStatusRecord,
  DegradationReason,
  DetectionRecord,
  IncidentRecord,
  IncidentSeverity,
  IncidentStatus,
  ObjectClass,
  PublicAlertRecord,
} from "@hub/proto";
import { describe, expect, it } from "vitest";
import { alertOf, briefOf, cameraStatusOf, detectionOf, incidentOf, UndecodableRecord } from "./decode.js";

const encode = (bytes: Uint8Array) => Buffer.from(bytes);
const at = new Date("2026-11-24T06:00:00.123Z");

describe("Kafka records as the map shows them", () => {
  it("keeps a detection's plate, attributes and track id for an audited watch, and none of them in its brief", () => {
    const value = encode(
      DetectionRecord.encode({
        detection: {
          eventId: "d1",
          cameraId: "cam-1",
          observedAt: at,
          objectClass: ObjectClass.OBJECT_CLASS_FACE,
          confidence: 0.8,
          trackId: "t-9",
          attributes: { eye_color: "hazel", glasses: "yes" },
          plate: { text: "MX-12-34", region: "MO", confidence: 0.9 },
          box: undefined,
          rule: undefined,
          snapshotUri: "http://recorder.site/api/events/d1/snapshot.jpg",
        },
        context: {
          ingestedAt: at,
          siteId: "s",
          district: "Sé",
          h3Cell: "89411c0a2a3ffff",
          position: { lat: 22.19, lon: 113.54 },
        },
      }).finish(),
    );
    const { district, data } = detectionOf(value);
    expect(district).toBe("Sé");
    expect(data).toMatchObject({
      objectClass: "face",
      trackId: "t-9",
      attributes: { eye_color: "hazel", glasses: "yes" },
      plate: { text: "MX-12-34", region: "MO" },
    });
    const brief = briefOf(data);
    expect(detectionBriefSchema.strict().parse(brief)).toEqual(brief);
    expect(JSON.stringify(brief)).not.toMatch(/MX-12-34|hazel|t-9|glasses/);
    // The recorder's address never reaches a browser, not even an investigator's: snapshots come through the gateway.
    expect(JSON.stringify(data)).not.toContain("recorder.site");
  });

  it("turns a camera status into a versioned change, with the degradation reason", () => {
    const value = encode(
      CameraStatusRecord.encode({
        status: {
          eventId: "e1",
          cameraId: "cam-1",
          observedAt: at,
          state: CameraState.CAMERA_STATE_DEGRADED,
          degradationReason: DegradationReason.DEGRADATION_REASON_OBSTRUCTED,
          detail: "",
          signalLoss: true,
          sceneChange: false,
        },
        context: { ingestedAt: at, siteId: "s", position: { lat: 22.19, lon: 113.54 }, district: "Sé", h3Cell: "" },
      }).finish(),
    );
    expect(cameraStatusOf(value)).toEqual({
      district: "Sé",
      data: {
        cameraId: "cam-1",
        state: "degraded",
        reason: "obstructed",
        observedAt: at.toISOString(),
        version: at.getTime(),
      },
    });
  });

  it("refuses records it cannot show, naming why", () => {
    expect(() => cameraStatusOf(null)).toThrow(UndecodableRecord);
    expect(() => cameraStatusOf(Buffer.from([0xff, 0xff, 0xff]))).toThrow(/not a protobuf record/);
    expect(() =>
      cameraStatusOf(encode(CameraStatusRecord.encode({ status: undefined, context: undefined }).finish())),
    ).toThrow(/camera_id is missing/);
    const unspecified = encode(
      IncidentRecord.encode({
        incident: {
          id: "i1",
          ruleId: "fire",
          ruleVersion: 1,
          ruleDefinitionVersion: 0,
          kind: "fire",
          severity: IncidentSeverity.INCIDENT_SEVERITY_UNSPECIFIED,
          status: IncidentStatus.INCIDENT_STATUS_OPEN,
          title: "t",
          titles: {},
          position: { lat: 22.19, lon: 113.54 },
          h3Cell: "",
          firstEventAt: at,
          lastEventAt: at,
          openedAt: at,
          updatedAt: at,
          evidenceEventIds: [],
          version: 1,
        },
      }).finish(),
    );
    expect(() => incidentOf(unspecified)).toThrow(/severity or status is unspecified/);
  });

  it("gives an incident its title in each language, and its one title in every language from an older correlator", () => {
    const incident = (titles: Record<string, string>) =>
      encode(
        IncidentRecord.encode({
          incident: {
            id: "i2",
            ruleId: "fire",
            ruleVersion: 1,
            ruleDefinitionVersion: 0,
            kind: "fire",
            severity: IncidentSeverity.INCIDENT_SEVERITY_SEVERE,
            status: IncidentStatus.INCIDENT_STATUS_OPEN,
            title: "Fire",
            titles,
            position: { lat: 22.19, lon: 113.54 },
            h3Cell: "",
            firstEventAt: at,
            lastEventAt: at,
            openedAt: at,
            updatedAt: at,
            evidenceEventIds: [],
            version: 1,
          },
        }).finish(),
      );
    expect(incidentOf(incident({ "zh-Hant": "火警", pt: "Incêndio", en: "Fire" })).titles).toEqual({
      "zh-Hant": "火警",
      pt: "Incêndio",
      en: "Fire",
    });
    expect(incidentOf(incident({})).titles).toEqual({ "zh-Hant": "Fire", pt: "Fire", en: "Fire" });
  });

  it("fills missing languages of an alert from English and closes its rings", () => {
    const alert = alertOf(
      encode(
        PublicAlertRecord.encode({
          alert: {
            id: "a1",
            version: 3,
            state: AlertState.ALERT_STATE_ACTIVE,
            event: { en: "Typhoon Signal No. 8", "zh-Hant": "八號風球" },
            headline: { en: "Signal 8 is hoisted" },
            description: { en: "Stay indoors." },
            instruction: {},
            msgType: "Alert",
            identifier: "MO-CPC-test-3",
            capUrl: "",
            category: "Met",
            severity: AlertSeverity.ALERT_SEVERITY_SEVERE,
            urgency: "Immediate",
            certainty: "Observed",
            sent: at,
            expires: undefined,
            areas: [
              {
                description: {},
                polygons: [
                  {
                    ring: [
                      { lat: 1, lon: 2 },
                      { lat: 3, lon: 4 },
                      { lat: 5, lon: 6 },
                      { lat: 1, lon: 2 },
                    ],
                  },
                ],
              },
            ],
          },
        }).finish(),
      ),
    );
    expect(alert.event).toEqual({ en: "Typhoon Signal No. 8", pt: "Typhoon Signal No. 8", "zh-Hant": "八號風球" });
    expect(alert.headline["zh-Hant"]).toBe("Signal 8 is hoisted");
    expect(alert.expires).toBeNull();
    expect(alert).not.toHaveProperty("description");
    // Already closed: not closed twice.
    expect(alert.areas[0]?.polygons[0]).toHaveLength(4);
  });
});
