import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { H3_PARTITION_RESOLUTION, headers, type Pool, topics } from "@hub/common";
import { FIELD_PATH_METADATA } from "@hub/ingest";
import {
  CameraStatusRecord,
  Detection,
  DetectionRecord,
  PublishOutcome,
  SensorReadingRecord,
  StreamDetectionsRequest,
  StreamDetectionsResponse,
} from "@hub/proto";
import { cellToParent, latLngToCell } from "h3-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection, newReading, newSensor, newStatus, SENADO } from "../support/factories.js";
import { createDevice, migratedPool, readTopic, startTestIngest, type TestIngest } from "../support/hub.js";

let pool: Pool;
let ingest: TestIngest;
let device: { siteId: string; token: string };
let otherSite: { siteId: string; token: string };

beforeAll(async () => {
  pool = await migratedPool();
  ingest = await startTestIngest({ INGEST_MAX_MESSAGE_BYTES: String(256 * 1024), INGEST_MAX_BATCH: "50" });
  device = await createDevice(pool);
  otherSite = await createDevice(pool);
});

afterAll(async () => {
  await ingest?.stop();
  await pool?.end();
});

function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: ServiceError) => error,
  );
}

const detectionsWith = (ids: Set<string>) => (record: DetectionRecord) => ids.has(record.detection?.eventId ?? "");

describe("camera ingest", () => {
  it("registers a camera and publishes a detection that lands in Kafka with the hub's context, keyed by place", async () => {
    const camera = newCamera();
    const registered = await ingest.gateway.registerCamera(device.token, camera);
    expect(registered.created).toBe(true);
    expect(registered.camera?.siteId).toBe(device.siteId);
    expect((await ingest.gateway.registerCamera(device.token, { ...camera, name: "renamed" })).created).toBe(false);

    const detection = newDetection(camera.id);
    expect(await ingest.gateway.publishDetection(device.token, detection)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );

    const [record, ...rest] = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: detectionsWith(new Set([detection.eventId])),
      until: (records) => records.length >= 1,
      settleMs: 500,
    });
    expect(rest).toHaveLength(0);
    // Exactly what the device put on the wire (confidence and box are float32 there).
    expect(record?.value.detection).toEqual(Detection.decode(Detection.encode(detection).finish()));
    expect(record?.value.context).toMatchObject({
      siteId: device.siteId,
      position: SENADO,
      district: "Sé",
      h3Cell: latLngToCell(SENADO.lat, SENADO.lon, 9),
    });
    expect(record?.key).toBe(cellToParent(latLngToCell(SENADO.lat, SENADO.lon, 9), H3_PARTITION_RESOLUTION));
    expect(record?.headers[headers.type]).toBe("hub.v1.DetectionRecord");
    expect(record?.headers[headers.eventId]).toBe(detection.eventId);
  });

  it("publishes the same event id once, answering the repeat as a duplicate", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const detection = newDetection(camera.id);
    expect(await ingest.gateway.publishDetection(device.token, detection)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );
    expect(await ingest.gateway.publishDetection(device.token, detection)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_DUPLICATE,
    );
    const summary = await ingest.gateway.streamDetections(device.token, [[detection]]);
    expect(summary.duplicates).toBe(1);
    const records = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: detectionsWith(new Set([detection.eventId])),
      until: (found) => found.length >= 1,
      settleMs: 1000,
    });
    expect(records).toHaveLength(1);
  });

  it("keeps a stream going past bad detections and reports each event's outcome by event id", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const good = [newDetection(camera.id), newDetection(camera.id), newDetection(camera.id)];
    const [g0, g1, g2] = good as [
      ReturnType<typeof newDetection>,
      ReturnType<typeof newDetection>,
      ReturnType<typeof newDetection>,
    ];
    const badConfidence = newDetection(camera.id, { confidence: 1.5 });
    const unknownCamera = newDetection("CAM-DOES-NOT-EXIST");
    const badBox = newDetection(camera.id, { box: { left: 0.5, top: 0.1, right: 0.4, bottom: 0.2 } });
    const summary = await ingest.gateway.streamDetections(device.token, [
      [g0, badConfidence],
      [unknownCamera, g1],
      [badBox, g2],
    ]);

    expect(summary).toMatchObject({ accepted: 3, rejected: 3, duplicates: 0 });
    expect(
      summary.results.map((result) => [
        result.index,
        result.eventId,
        result.outcome,
        result.error?.code,
        result.error?.fieldPath,
      ]),
    ).toEqual([
      [0, g0.eventId, PublishOutcome.PUBLISH_OUTCOME_ACCEPTED, undefined, undefined],
      [1, badConfidence.eventId, PublishOutcome.PUBLISH_OUTCOME_REJECTED, "INVALID_ARGUMENT", "confidence"],
      [2, unknownCamera.eventId, PublishOutcome.PUBLISH_OUTCOME_REJECTED, "NOT_FOUND", "camera_id"],
      [3, g1.eventId, PublishOutcome.PUBLISH_OUTCOME_ACCEPTED, undefined, undefined],
      [4, badBox.eventId, PublishOutcome.PUBLISH_OUTCOME_REJECTED, "INVALID_ARGUMENT", "box.right"],
      [5, g2.eventId, PublishOutcome.PUBLISH_OUTCOME_ACCEPTED, undefined, undefined],
    ]);

    const ids = new Set([...good, badConfidence, unknownCamera, badBox].map((d) => d.eventId));
    const records = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: detectionsWith(ids),
      until: (found) => found.length >= 3,
      settleMs: 1000,
    });
    expect(records.map((r) => r.value.detection?.eventId).sort()).toEqual(good.map((d) => d.eventId).sort());
  });

  it("keeps a camera's detections in order within one partition", async () => {
    const camera = newCamera({ position: { lat: 22.1557, lon: 113.556 }, district: "Taipa" });
    await ingest.gateway.registerCamera(device.token, camera);
    const sent = Array.from({ length: 40 }, () => newDetection(camera.id));
    const summary = await ingest.gateway.streamDetections(device.token, [sent.slice(0, 20), sent.slice(20)]);
    expect(summary.accepted).toBe(40);
    const records = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: detectionsWith(new Set(sent.map((d) => d.eventId))),
      until: (found) => found.length >= 40,
    });
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    expect(records.map((r) => r.value.detection?.eventId)).toEqual(sent.map((d) => d.eventId));
  });

  it("names the offending field in unary errors", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const invalid = await grpcError(
      ingest.gateway.publishDetection(device.token, newDetection(camera.id, { confidence: -1 })),
    );
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.details).toMatch(/^detection\.confidence: /);
    expect(invalid.metadata.get(FIELD_PATH_METADATA)).toEqual(["detection.confidence"]);

    const unknown = await grpcError(ingest.gateway.publishDetection(device.token, newDetection("CAM-NOPE-0001")));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.details).toContain("CAM-NOPE-0001");
    expect(unknown.metadata.get(FIELD_PATH_METADATA)).toEqual(["detection.camera_id"]);

    const outside = await grpcError(
      ingest.gateway.registerCamera(device.token, newCamera({ position: { lat: 22.2855, lon: 114.1577 } })),
    );
    expect(outside.code).toBe(status.INVALID_ARGUMENT);
    expect(outside.metadata.get(FIELD_PATH_METADATA)).toEqual(["camera.position"]);

    const future = await grpcError(
      ingest.gateway.reportCameraStatus(
        device.token,
        newStatus(camera.id, { observedAt: new Date(Date.now() + 3_600_000) }),
      ),
    );
    expect(future.code).toBe(status.INVALID_ARGUMENT);
    expect(future.metadata.get(FIELD_PATH_METADATA)).toEqual(["status.observed_at"]);
  });

  it("rejects a batch larger than the limit whole, and an oversized message with RESOURCE_EXHAUSTED", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const big = Array.from({ length: 51 }, () => newDetection(camera.id));
    const summary = await ingest.gateway.streamDetections(device.token, [big]);
    expect(summary.rejected).toBe(51);
    expect(new Set(summary.results.map((r) => r.error?.code))).toEqual(new Set(["RESOURCE_EXHAUSTED"]));

    const huge = newDetection(camera.id, { trackId: "x".repeat(300 * 1024) });
    const error = await grpcError(ingest.gateway.publishDetection(device.token, huge));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it("answers undecodable bytes with INVALID_ARGUMENT, and rejects them alone inside a stream", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const raw = rawClient(ingest.address);
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${device.token}`);
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const unaryError = await new Promise<ServiceError>((resolve) => {
      raw.publishRaw(garbage, metadata, (error: ServiceError | null) => resolve(error as ServiceError));
    });
    expect(unaryError.code).toBe(status.INVALID_ARGUMENT);
    expect(unaryError.details).toMatch(/^request: malformed protobuf/);

    const before = newDetection(camera.id);
    const after = newDetection(camera.id);
    const summary = await new Promise<{
      accepted: number;
      rejected: number;
      results: { eventId: string; error?: { code: string } }[];
    }>((resolve, reject) => {
      const call = raw.streamRaw(metadata, (error: ServiceError | null, response: Buffer) => {
        if (error) reject(error);
        else resolve(decodeSummary(response));
      });
      call.write(Buffer.from(StreamDetectionsRequest.encode({ detections: [before] }).finish()));
      call.write(garbage);
      call.write(Buffer.from(StreamDetectionsRequest.encode({ detections: [after] }).finish()));
      call.end();
    });
    expect(summary.accepted).toBe(2);
    expect(summary.rejected).toBe(1);
    expect(summary.results[1]?.error?.code).toBe("INVALID_ARGUMENT");
    raw.close();
  });

  it("refuses unauthenticated calls and another site's cameras", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    expect((await grpcError(ingest.gateway.publishDetection("", newDetection(camera.id)))).code).toBe(
      status.UNAUTHENTICATED,
    );
    expect(
      (await grpcError(ingest.gateway.publishDetection("not-a-real-token-at-all-000", newDetection(camera.id)))).code,
    ).toBe(status.UNAUTHENTICATED);
    const foreign = await grpcError(ingest.gateway.publishDetection(otherSite.token, newDetection(camera.id)));
    expect(foreign.code).toBe(status.PERMISSION_DENIED);
    expect(foreign.metadata.get(FIELD_PATH_METADATA)).toEqual(["detection.camera_id"]);
    const takeover = await grpcError(ingest.gateway.registerCamera(otherSite.token, { ...camera, name: "hijacked" }));
    expect(takeover.code).toBe(status.PERMISSION_DENIED);
    const stored = await pool.query<{ name: string; site_id: string }>(
      "SELECT name, site_id FROM cameras WHERE id = $1",
      [camera.id],
    );
    expect(stored.rows[0]).toEqual({ name: camera.name, site_id: device.siteId });
    expect((await grpcError(ingest.gateway.streamDetections("", [[newDetection(camera.id)]]))).code).toBe(
      status.UNAUTHENTICATED,
    );
  });

  it("publishes camera status reports", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const report = newStatus(camera.id);
    expect(await ingest.gateway.reportCameraStatus(device.token, report)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    const [record] = await readTopic({
      topic: topics.cameraStatus.name,
      decode: CameraStatusRecord.decode,
      keep: (r) => r.status?.eventId === report.eventId,
      until: (found) => found.length >= 1,
    });
    expect(record?.value.status).toEqual(report);
  });
});

describe("sensor ingest", () => {
  it("registers a sensor and streams readings, rejecting those that do not match a datastream", async () => {
    const sensor = newSensor();
    const registered = await ingest.gateway.registerSensor(device.token, sensor);
    expect(registered.sensor?.datastreams.map((d) => d.id)).toEqual(["level", "rain"]);
    const level = newReading(sensor.id);
    const wrongStream = newReading(sensor.id, { datastreamId: "wind" });
    const wrongUnit = newReading(sensor.id, { unit: "cm" });
    const summary = await ingest.gateway.streamReadings(device.token, [[level, wrongStream, wrongUnit]]);
    expect(summary.results.map((r) => [r.outcome, r.error?.code, r.error?.fieldPath])).toEqual([
      [PublishOutcome.PUBLISH_OUTCOME_ACCEPTED, undefined, undefined],
      [PublishOutcome.PUBLISH_OUTCOME_REJECTED, "NOT_FOUND", "datastream_id"],
      [PublishOutcome.PUBLISH_OUTCOME_REJECTED, "INVALID_ARGUMENT", "unit"],
    ]);
    const [record] = await readTopic({
      topic: topics.sensorReadings.name,
      decode: SensorReadingRecord.decode,
      keep: (r) => r.reading?.sensorId === sensor.id,
      until: (found) => found.length >= 1,
      settleMs: 500,
    });
    expect(record?.value.reading).toEqual(level);
    expect(record?.value.context?.siteId).toBe(device.siteId);
    const unknown = await grpcError(ingest.gateway.publishReading(device.token, newReading("NO-SUCH-SENSOR")));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.metadata.get(FIELD_PATH_METADATA)).toEqual(["reading.sensor_id"]);
  });
});

describe("operations", () => {
  it("serves the gRPC health service, server reflection, metrics and readiness", async () => {
    const raw = rawClient(ingest.address);
    // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message; SERVING is status 1 (field 1, varint).
    const health = await new Promise<Buffer>((resolve, reject) => {
      raw.healthCheck(Buffer.alloc(0), (error: ServiceError | null, response: Buffer) =>
        error ? reject(error) : resolve(response),
      );
    });
    expect([...health]).toEqual([0x08, 0x01]);
    // grpc.reflection.v1alpha ServerReflectionRequest{list_services: ""} is field 7, an empty string.
    const listed = await new Promise<Buffer>((resolve, reject) => {
      const call = raw.reflect();
      call.on("data", (response: Buffer) => resolve(response));
      call.on("error", reject);
      call.write(Buffer.from([0x3a, 0x00]));
      call.end();
    });
    expect(listed.toString("latin1")).toContain("hub.v1.CameraIngestService");
    expect(listed.toString("latin1")).toContain("hub.v1.SensorIngestService");
    raw.close();
    const metrics = await fetch(`http://127.0.0.1:${ingest.app.opsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /hub_ingest_events_accepted_total\{[^}]*kind="detection"[^}]*outcome="accepted"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/hub_ingest_events_rejected_total\{[^}]*code="INVALID_ARGUMENT"/);
    const ready = await fetch(`http://127.0.0.1:${ingest.app.opsPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { database: "ok", kafka: "ok" } });
  });
});

/** A client that sends raw bytes, to reach the server with what no generated client would produce. */
function rawClient(address: string) {
  const identity = (value: Buffer) => value;
  const Raw = makeGenericClientConstructor(
    {
      publishRaw: {
        path: "/hub.v1.CameraIngestService/PublishDetection",
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
      healthCheck: {
        path: "/grpc.health.v1.Health/Check",
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
      reflect: {
        path: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        requestStream: true,
        responseStream: true,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
      streamRaw: {
        path: "/hub.v1.CameraIngestService/StreamDetections",
        requestStream: true,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    "Raw",
  );
  // biome-ignore lint/suspicious/noExplicitAny: a raw-bytes client has no generated types
  return new Raw(address, credentials.createInsecure()) as Client & Record<string, any>;
}

function decodeSummary(bytes: Buffer) {
  const summary = StreamDetectionsResponse.decode(bytes).summary;
  return {
    accepted: summary?.accepted ?? 0,
    rejected: summary?.rejected ?? 0,
    results: (summary?.results ?? []).map((r) => ({
      eventId: r.eventId,
      ...(r.error ? { error: { code: r.error.code } } : {}),
    })),
  };
}
