import { HubError, macaoLandPath, Region } from "@hub/common";
import { CameraState, DegradationReason, ObjectClass, RuleEventType, SensorKind } from "@hub/proto";
import { describe, expect, it } from "vitest";
import { newCamera, newDetection, newReading, newSensor, newStatus } from "../../../../test/support/factories.js";
import {
  type ValidationLimits,
  validateCamera,
  validateCameraStatus,
  validateDetection,
  validateReading,
  validateSensor,
} from "./validation.js";

const limits: ValidationLimits = {
  region: Region.fromFile(macaoLandPath),
  regionMarginM: 300,
  maxFutureSkewMs: 30_000,
  maxEventAgeMs: 7 * 24 * 3600 * 1000,
};
const NOW = Date.now();

function failure(run: () => unknown): { code: string; fieldPath: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof HubError) return { code: error.code, fieldPath: error.fieldPath, message: error.message };
    throw error;
  }
  throw new Error("expected a validation failure");
}

describe("validateDetection", () => {
  it("accepts a well-formed detection", () => {
    const detection = newDetection("CAM-1");
    expect(validateDetection(detection, NOW, limits)).toBe(detection);
  });

  it("accepts a scene-wide fire detection without a box", () => {
    expect(() =>
      validateDetection(
        newDetection("CAM-1", {
          objectClass: ObjectClass.OBJECT_CLASS_FIRE,
          box: undefined,
          plate: undefined,
          rule: undefined,
        }),
        NOW,
        limits,
      ),
    ).not.toThrow();
  });

  const cases: [string, Parameters<typeof newDetection>[1], string, string][] = [
    ["missing event id", { eventId: "" }, "event_id", "INVALID_ARGUMENT"],
    ["short event id", { eventId: "abc" }, "event_id", "INVALID_ARGUMENT"],
    ["event id with spaces", { eventId: "event id with spaces" }, "event_id", "INVALID_ARGUMENT"],
    ["oversized event id", { eventId: "e".repeat(129) }, "event_id", "RESOURCE_EXHAUSTED"],
    ["missing camera id", { cameraId: "" }, "camera_id", "INVALID_ARGUMENT"],
    ["camera id with slash", { cameraId: "cam/../1" }, "camera_id", "INVALID_ARGUMENT"],
    ["missing time", { observedAt: undefined }, "observed_at", "INVALID_ARGUMENT"],
    ["snapshot by file://", { snapshotUri: "file:///etc/passwd" }, "snapshot_uri", "INVALID_ARGUMENT"],
    ["snapshot not a URI", { snapshotUri: "snapshot.jpg" }, "snapshot_uri", "INVALID_ARGUMENT"],
    ["snapshot with credentials", { snapshotUri: "http://u:p@rec/a.jpg" }, "snapshot_uri", "INVALID_ARGUMENT"],
    ["oversized snapshot", { snapshotUri: `https://rec/${"a".repeat(1020)}` }, "snapshot_uri", "INVALID_ARGUMENT"],
    ["invalid time", { observedAt: new Date(Number.NaN) }, "observed_at", "INVALID_ARGUMENT"],
    ["time in the future", { observedAt: new Date(NOW + 60_000) }, "observed_at", "INVALID_ARGUMENT"],
    ["time too old", { observedAt: new Date(NOW - 8 * 24 * 3600 * 1000) }, "observed_at", "INVALID_ARGUMENT"],
    ["unspecified class", { objectClass: ObjectClass.OBJECT_CLASS_UNSPECIFIED }, "object_class", "INVALID_ARGUMENT"],
    ["unknown class", { objectClass: 99 as ObjectClass }, "object_class", "INVALID_ARGUMENT"],
    ["UNRECOGNIZED class", { objectClass: ObjectClass.UNRECOGNIZED }, "object_class", "INVALID_ARGUMENT"],
    ["confidence above 1", { confidence: 1.2 }, "confidence", "INVALID_ARGUMENT"],
    ["negative confidence", { confidence: -0.1 }, "confidence", "INVALID_ARGUMENT"],
    ["NaN confidence", { confidence: Number.NaN }, "confidence", "INVALID_ARGUMENT"],
    ["box left outside", { box: { left: -0.1, top: 0, right: 0.5, bottom: 0.5 } }, "box.left", "INVALID_ARGUMENT"],
    ["box bottom outside", { box: { left: 0, top: 0, right: 0.5, bottom: 1.5 } }, "box.bottom", "INVALID_ARGUMENT"],
    ["inverted box", { box: { left: 0.6, top: 0, right: 0.5, bottom: 0.5 } }, "box.right", "INVALID_ARGUMENT"],
    ["empty box height", { box: { left: 0.1, top: 0.5, right: 0.5, bottom: 0.5 } }, "box.bottom", "INVALID_ARGUMENT"],
    [
      "infinite box",
      { box: { left: 0, top: 0, right: Number.POSITIVE_INFINITY, bottom: 0.5 } },
      "box.right",
      "INVALID_ARGUMENT",
    ],
    ["person without box", { objectClass: ObjectClass.OBJECT_CLASS_PERSON, box: undefined }, "box", "INVALID_ARGUMENT"],
    ["oversized track id", { trackId: "t".repeat(65) }, "track_id", "RESOURCE_EXHAUSTED"],
    [
      "too many attributes",
      { attributes: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) },
      "attributes",
      "RESOURCE_EXHAUSTED",
    ],
    [
      "bad attribute key",
      { attributes: { "Vehicle Colour": "red" } },
      "attributes[Vehicle Colour]",
      "INVALID_ARGUMENT",
    ],
    [
      "oversized attribute value",
      { attributes: { colour: "r".repeat(65) } },
      "attributes[colour]",
      "RESOURCE_EXHAUSTED",
    ],
    [
      "control character in attribute",
      { attributes: { colour: "red\u0000" } },
      "attributes[colour]",
      "INVALID_ARGUMENT",
    ],
    [
      "lower-case plate",
      { plate: { text: "mx-12-34", region: "MO", confidence: 0.9 } },
      "plate.text",
      "INVALID_ARGUMENT",
    ],
    ["empty plate", { plate: { text: "", region: "MO", confidence: 0.9 } }, "plate.text", "INVALID_ARGUMENT"],
    [
      "oversized plate",
      { plate: { text: "M".repeat(17), region: "MO", confidence: 0.9 } },
      "plate.text",
      "RESOURCE_EXHAUSTED",
    ],
    [
      "bad plate region",
      { plate: { text: "MX-12-34", region: "macau", confidence: 0.9 } },
      "plate.region",
      "INVALID_ARGUMENT",
    ],
    [
      "plate confidence above 1",
      { plate: { text: "MX-12-34", region: "MO", confidence: 2 } },
      "plate.confidence",
      "INVALID_ARGUMENT",
    ],
    [
      "plate class without plate",
      { objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE, plate: undefined },
      "plate",
      "INVALID_ARGUMENT",
    ],
    [
      "rule without type",
      {
        rule: {
          type: RuleEventType.RULE_EVENT_TYPE_UNSPECIFIED,
          ruleName: "x",
          count: 0,
          dwellSeconds: 0,
          direction: 0,
        },
      },
      "rule.type",
      "INVALID_ARGUMENT",
    ],
    [
      "rule without name",
      {
        rule: {
          type: RuleEventType.RULE_EVENT_TYPE_LOITERING,
          ruleName: " ",
          count: 0,
          dwellSeconds: 30,
          direction: 0,
        },
      },
      "rule.rule_name",
      "INVALID_ARGUMENT",
    ],
    [
      "line crossing without direction",
      {
        rule: {
          type: RuleEventType.RULE_EVENT_TYPE_LINE_CROSSED,
          ruleName: "x",
          count: 0,
          dwellSeconds: 0,
          direction: 0,
        },
      },
      "rule.direction",
      "INVALID_ARGUMENT",
    ],
    [
      "direction on loitering",
      {
        rule: {
          type: RuleEventType.RULE_EVENT_TYPE_LOITERING,
          ruleName: "x",
          count: 0,
          dwellSeconds: 10,
          direction: 1,
        },
      },
      "rule.direction",
      "INVALID_ARGUMENT",
    ],
    [
      "absurd crowd count",
      {
        rule: {
          type: RuleEventType.RULE_EVENT_TYPE_CROWD_COUNT,
          ruleName: "x",
          count: 200_000,
          dwellSeconds: 0,
          direction: 0,
        },
      },
      "rule.count",
      "INVALID_ARGUMENT",
    ],
    [
      "dwell over a day",
      {
        rule: {
          type: RuleEventType.RULE_EVENT_TYPE_LOITERING,
          ruleName: "x",
          count: 0,
          dwellSeconds: 90_000,
          direction: 0,
        },
      },
      "rule.dwell_seconds",
      "INVALID_ARGUMENT",
    ],
  ];

  it.each(cases)("rejects %s", (_name, overrides, fieldPath, code) => {
    const error = failure(() => validateDetection(newDetection("CAM-1", overrides), NOW, limits));
    expect(error).toMatchObject({ fieldPath, code });
  });

  it("accepts a mainland cross-boundary plate with Han characters", () => {
    const detection = newDetection("CAM-1", { plate: { text: "粤Z·A123澳", region: "CN-GD", confidence: 0.8 } });
    expect(() => validateDetection(detection, NOW, limits)).not.toThrow();
  });
});

describe("validateCamera", () => {
  it("accepts a camera with a live stream and a recording source", () => {
    const video = {
      liveUri: "rtsps://nvr.example/live/1",
      recording: { $case: "recorderCamera" as const, value: "largo_n" },
    };
    expect(() => validateCamera(newCamera({ video }), limits)).not.toThrow();
    const onvif = {
      liveUri: "",
      recording: { $case: "onvifDeviceUri" as const, value: "http://10.0.0.5/onvif/device_service" },
    };
    expect(() => validateCamera(newCamera({ video: onvif }), limits)).not.toThrow();
  });

  it("accepts a camera on land and one on the waterfront just off the outline", () => {
    expect(() => validateCamera(newCamera(), limits)).not.toThrow();
    expect(() => validateCamera(newCamera({ position: { lat: 22.1958, lon: 113.5325 } }), limits)).not.toThrow();
  });

  const cases: [string, Parameters<typeof newCamera>[0], string][] = [
    ["a camera in Hong Kong", { position: { lat: 22.2855, lon: 114.1577 } }, "camera.position"],
    ["a camera in the sea south of Coloane", { position: { lat: 22.08, lon: 113.56 } }, "camera.position"],
    ["latitude out of range", { position: { lat: 91, lon: 113.54 } }, "camera.position.lat"],
    ["NaN longitude", { position: { lat: 22.19, lon: Number.NaN } }, "camera.position.lon"],
    ["no position", { position: undefined }, "camera.position"],
    ["phase 0", { phase: 0 }, "camera.phase"],
    ["phase 6", { phase: 6 }, "camera.phase"],
    ["no name", { name: "" }, "camera.name"],
    ["no district", { district: "" }, "camera.district"],
    ["no field of view", { fieldOfView: undefined }, "camera.field_of_view"],
    ["bearing 360", { fieldOfView: { bearingDeg: 360, angleDeg: 90, rangeM: 50 } }, "camera.field_of_view.bearing_deg"],
    ["zero angle", { fieldOfView: { bearingDeg: 10, angleDeg: 0, rangeM: 50 } }, "camera.field_of_view.angle_deg"],
    ["range of 5 km", { fieldOfView: { bearingDeg: 10, angleDeg: 90, rangeM: 5000 } }, "camera.field_of_view.range_m"],
    ["bad id", { id: "x" }, "camera.id"],
    ["a live stream over ftp", { video: { liveUri: "ftp://nvr/x", recording: undefined } }, "camera.video.live_uri"],
    [
      "a live stream with a password",
      { video: { liveUri: "rtsp://admin:secret@10.0.0.5/stream1", recording: undefined } },
      "camera.video.live_uri",
    ],
    [
      "an oversized live URI",
      { video: { liveUri: `rtsp://nvr/${"a".repeat(1020)}`, recording: undefined } },
      "camera.video.live_uri",
    ],
    [
      "an ONVIF device over rtsp",
      { video: { liveUri: "", recording: { $case: "onvifDeviceUri", value: "rtsp://10.0.0.5/onvif" } } },
      "camera.video.onvif_device_uri",
    ],
    [
      "a recorder camera name with a slash",
      { video: { liveUri: "", recording: { $case: "recorderCamera", value: "../admin" } } },
      "camera.video.recorder_camera",
    ],
  ];
  it.each(cases)("rejects %s", (_name, overrides, fieldPath) => {
    expect(failure(() => validateCamera(newCamera(overrides), limits)).fieldPath).toBe(fieldPath);
  });

  it("rejects a missing camera", () => {
    expect(failure(() => validateCamera(undefined, limits)).fieldPath).toBe("camera");
  });

  it("rejects an oversized name with RESOURCE_EXHAUSTED", () => {
    expect(failure(() => validateCamera(newCamera({ name: "n".repeat(201) }), limits))).toMatchObject({
      code: "RESOURCE_EXHAUSTED",
      fieldPath: "camera.name",
    });
  });
});

describe("validateCameraStatus", () => {
  it("accepts degraded with a reason and online without one", () => {
    expect(() => validateCameraStatus(newStatus("CAM-1"), NOW, limits)).not.toThrow();
    const online = newStatus("CAM-1", {
      state: CameraState.CAMERA_STATE_ONLINE,
      degradationReason: DegradationReason.DEGRADATION_REASON_UNSPECIFIED,
    });
    expect(() => validateCameraStatus(online, NOW, limits)).not.toThrow();
  });

  it.each([
    ["no state", { state: CameraState.CAMERA_STATE_UNSPECIFIED }, "state"],
    ["unknown state", { state: 17 as CameraState }, "state"],
    [
      "degraded without reason",
      { degradationReason: DegradationReason.DEGRADATION_REASON_UNSPECIFIED },
      "degradation_reason",
    ],
    ["reason while online", { state: CameraState.CAMERA_STATE_ONLINE }, "degradation_reason"],
    ["oversized detail", { detail: "d".repeat(501) }, "detail"],
  ] as const)("rejects %s", (_name, overrides, fieldPath) => {
    expect(failure(() => validateCameraStatus(newStatus("CAM-1", overrides), NOW, limits)).fieldPath).toBe(fieldPath);
  });
});

describe("validateSensor and validateReading", () => {
  const level = { kind: SensorKind.SENSOR_KIND_WATER_LEVEL, unit: "m" };

  it("accepts a well-formed sensor and reading", () => {
    expect(() => validateSensor(newSensor(), limits)).not.toThrow();
    expect(() => validateReading(newReading("S-1"), level, NOW, limits)).not.toThrow();
  });

  it.each([
    ["no datastreams", { datastreams: [] }, "sensor.datastreams"],
    [
      "duplicate datastream ids",
      { datastreams: [level, level].map((stream) => ({ id: "a", ...stream })) },
      "sensor.datastreams[1].id",
    ],
    [
      "wrong unit for the kind",
      { datastreams: [{ id: "a", kind: SensorKind.SENSOR_KIND_RAINFALL, unit: "mm" }] },
      "sensor.datastreams[0].unit",
    ],
    [
      "unspecified kind",
      { datastreams: [{ id: "a", kind: SensorKind.SENSOR_KIND_UNSPECIFIED, unit: "m" }] },
      "sensor.datastreams[0].kind",
    ],
    ["position off the map", { position: { lat: 0, lon: 0 } }, "sensor.position"],
  ] as const)("rejects a sensor with %s", (_name, overrides, fieldPath) => {
    expect(failure(() => validateSensor(newSensor(overrides as never), limits)).fieldPath).toBe(fieldPath);
  });

  it.each([
    ["kind not matching the datastream", { kind: SensorKind.SENSOR_KIND_RAINFALL }, "kind"],
    ["unit not matching the datastream", { unit: "cm" }, "unit"],
    ["implausible water level", { value: 55 }, "value"],
    ["infinite value", { value: Number.POSITIVE_INFINITY }, "value"],
    ["position outside the region", { position: { lat: 40, lon: 116 } }, "position"],
    ["no datastream id", { datastreamId: "" }, "datastream_id"],
  ] as const)("rejects a reading with %s", (_name, overrides, fieldPath) => {
    expect(failure(() => validateReading(newReading("S-1", overrides), level, NOW, limits)).fieldPath).toBe(fieldPath);
  });
});
