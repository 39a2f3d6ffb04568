import { HubError, macaoLandPath, Region } from "@hub/common";
import { type DetectionRecord, PublishOutcome } from "@hub/proto";
import { describe, expect, it } from "vitest";
import { newDetection, newReading } from "../../../../test/support/factories.js";
import type { CameraEntry, SensorEntry } from "../repositories/registry.repository.js";
import { IngestService, type IngestServiceDeps } from "./ingest.service.js";
import { RecentEvents } from "./recent-events.js";

/** The service with in-memory stand-ins for its repositories: what it decides, not how it talks to Kafka. */
function setup() {
  const camera: CameraEntry = {
    siteId: "site-a",
    lat: 22.1935,
    lon: 113.5405,
    district: "Sé",
    h3Cell: "89411c0a2a3ffff",
    partitionKey: "88411c0a2bfffff",
    camera: {} as CameraEntry["camera"],
  };
  const sensor: SensorEntry = {
    siteId: "site-a",
    lat: 22.1975,
    lon: 113.5356,
    district: "Santo António",
    h3Cell: "89411c0a26bffff",
    partitionKey: "88411c0a27fffff",
    sensor: {} as SensorEntry["sensor"],
    datastreams: new Map([["level", { kind: 1, unit: "m" }]]),
  };
  const published: { record: DetectionRecord; key: string }[] = [];
  const rejected: string[] = [];
  const deps: IngestServiceDeps = {
    registry: {
      findCamera: async (id) =>
        id === "CAM-1"
          ? camera
          : id === "CAM-B"
            ? { ...camera, siteId: "site-b", partitionKey: "key-b" }
            : id === "CAM-OLD"
              ? { ...camera, decommissionedAt: new Date("2026-11-01T00:00:00Z") }
              : undefined,
      findSensor: async (id) => (id === "S-1" ? sensor : undefined),
      findPrincipal: async (token) =>
        token === "a-valid-token-of-site-a" ? { credentialId: "c1", siteId: "site-a" } : undefined,
      upsertCamera: async () => {
        throw new Error("unused");
      },
      upsertSensor: async () => {
        throw new Error("unused");
      },
    },
    eventBus: {
      publishDetection: async (record, key) => {
        published.push({ record, key });
      },
      publishCameraStatus: async () => undefined,
      publishSensorReading: async () => undefined,
      publishCamera: async () => undefined,
      publishSensor: async () => undefined,
    },
    recent: new RecentEvents(60_000, 1000),
    limits: {
      region: Region.fromFile(macaoLandPath),
      regionMarginM: 300,
      maxFutureSkewMs: 30_000,
      maxEventAgeMs: 86_400_000,
    },
    observer: {
      accepted: () => undefined,
      rejected: (_kind, error) => rejected.push(`${error.code}:${error.fieldPath}`),
    },
    now: () => Date.parse("2026-11-24T03:00:00Z"),
  };
  return { service: new IngestService(deps), published, rejected };
}

const at = new Date("2026-11-24T02:59:59Z");
const principal = { credentialId: "c1", siteId: "site-a" };

describe("IngestService", () => {
  it("authenticates only a well-formed, known bearer token", async () => {
    const { service } = setup();
    await expect(service.authenticate("Bearer a-valid-token-of-site-a")).resolves.toEqual(principal);
    for (const header of [
      undefined,
      "",
      "a-valid-token-of-site-a",
      "Basic a-valid-token-of-site-a",
      "Bearer short",
      "Bearer unknown-token-0000000000",
    ]) {
      await expect(service.authenticate(header)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });

  it("deduplicates per site: another site's event with the same id is published, a repeat is not", async () => {
    const { service, published } = setup();
    const mine = newDetection("CAM-1", { observedAt: at });
    const theirs = newDetection("CAM-B", { observedAt: at, eventId: mine.eventId });
    const siteB = { credentialId: "c2", siteId: "site-b" };
    expect(await service.publishDetection(siteB, theirs)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    expect(await service.publishDetection(principal, mine)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    expect(await service.publishDetection(principal, mine)).toBe(PublishOutcome.PUBLISH_OUTCOME_DUPLICATE);
    expect(published.map((entry) => entry.key)).toEqual(["key-b", "88411c0a2bfffff"]);
  });

  it("refuses a decommissioned camera's events with FAILED_PRECONDITION on camera_id, and publishes nothing", async () => {
    const { service, published, rejected } = setup();
    await expect(
      service.publishDetection(principal, newDetection("CAM-OLD", { observedAt: at })),
    ).rejects.toMatchObject({ code: "FAILED_PRECONDITION", fieldPath: "camera_id" });
    expect(published).toEqual([]);
    expect(rejected).toEqual(["FAILED_PRECONDITION:camera_id"]);
  });

  it("publishes with the camera's place as context and key, once per event id", async () => {
    const { service, published } = setup();
    const detection = newDetection("CAM-1", { observedAt: at });
    expect(await service.publishDetection(principal, detection)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    expect(await service.publishDetection(principal, detection)).toBe(PublishOutcome.PUBLISH_OUTCOME_DUPLICATE);
    expect(published).toHaveLength(1);
    expect(published[0]?.key).toBe("88411c0a2bfffff");
    expect(published[0]?.record.context).toMatchObject({
      siteId: "site-a",
      district: "Sé",
      h3Cell: "89411c0a2a3ffff",
      position: { lat: 22.1935, lon: 113.5405 },
    });
    expect(published[0]?.record.context?.ingestedAt?.toISOString()).toBe("2026-11-24T03:00:00.000Z");
  });

  it("refuses another site's camera and an unknown one, and reports each rejection", async () => {
    const { service, rejected } = setup();
    await expect(
      service.publishDetection({ credentialId: "c2", siteId: "site-b" }, newDetection("CAM-1", { observedAt: at })),
    ).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      fieldPath: "camera_id",
    });
    await expect(service.publishDetection(principal, newDetection("CAM-2", { observedAt: at }))).rejects.toBeInstanceOf(
      HubError,
    );
    expect(rejected).toEqual(["PERMISSION_DENIED:camera_id", "NOT_FOUND:camera_id"]);
  });

  it("checks a reading against its sensor's datastream", async () => {
    const { service } = setup();
    await expect(service.publishReading(principal, newReading("S-1", { observedAt: at }))).resolves.toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );
    await expect(
      service.publishReading(principal, newReading("S-1", { observedAt: at, datastreamId: "rain" })),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      fieldPath: "datastream_id",
    });
    await expect(
      service.publishReading(principal, newReading("S-1", { observedAt: at, value: 99 })),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      fieldPath: "value",
    });
  });
});
