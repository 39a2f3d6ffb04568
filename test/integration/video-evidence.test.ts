import { randomUUID } from "node:crypto";
import type { ServiceError } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import type { Pool } from "@hub/common";
import {
  API,
  type CaseSearchResult,
  type ExportJob,
  type IncidentDetail,
  type Problem,
  type VideoClip,
} from "@hub/contracts";
import { type DevRecorder, startDevRecorder } from "@hub/infra";
import { FIELD_PATH_METADATA, SiteRecordersRepository } from "@hub/ingest";
import { ObjectClass, PublishOutcome } from "@hub/proto";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection, SENADO } from "../support/factories.js";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { createDevice, eventually, migratedPool, startTestIngest, type TestIngest } from "../support/hub.js";
import { watchPlate } from "../support/watch-list.js";

/**
 * Video evidence (issue 14, part 3) through the real ingest, correlator and gateway, with the stand-in recorder of
 * `npm start` as the site's recorder: the registry takes a camera's video source and refuses bad URIs with field
 * paths; a detection's snapshot reference is stored and served only through the gateway; every clip, still and
 * snapshot is audited; roles that must not see video are refused; a snapshot reference off the site's recorder is
 * never fetched; an export lists each clip with its window and the recorder's hash in the signed manifest.
 */
let pool: Pool;
let stack: TestStack;
let ingest: TestIngest;
let recorder: DevRecorder;
/** Another host, standing for anything a device might point the gateway at. */
let elsewhere: DevRecorder;
let device: { siteId: string; token: string };
const tag = randomUUID().slice(0, 8);
const camera = newCamera({
  position: { lat: SENADO.lat + Math.random() * 0.001, lon: SENADO.lon },
  video: { liveUri: "rtsps://nvr.example/live/1", recording: { $case: "recorderCamera", value: `rec-${tag}` } },
});
const digits = () => String(Math.floor(Math.random() * 90 + 10));
const plate = `VE-${digits()}-${digits()}`;
const caseReference = `PJ-VID-${tag}`;
const purpose = "Review the footage of the wanted vehicle sighting";

function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: ServiceError) => error,
  );
}

async function auditRows(actor: string, action: string, subject: string) {
  const result = await pool.query(
    "SELECT actor, action, subject, personal_data, case_reference, purpose, detail FROM audit_log WHERE actor = $1 AND action = $2 AND subject = $3 ORDER BY id",
    [actor, action, subject],
  );
  return result.rows;
}

const image = (token: string, path: string) =>
  fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  pool = await migratedPool();
  recorder = await startDevRecorder({ port: 0 });
  elsewhere = await startDevRecorder({ port: 0 });
  stack = await startTestStack();
  ingest = await startTestIngest();
  device = await createDevice(pool);
  await new SiteRecordersRepository(pool).upsert(
    device.siteId,
    {
      kind: "generic",
      clipUrlTemplate: recorder.templates.clipUrlTemplate,
      stillUrlTemplate: recorder.templates.stillUrlTemplate,
      timeFormat: "iso8601",
    },
    "test",
  );
  await ingest.gateway.registerCamera(device.token, camera);
  await watchPlate(pool, plate, { caseReference });
}, 120_000);

afterAll(async () => {
  await ingest?.stop();
  await stack?.stop();
  await recorder?.close();
  await elsewhere?.close();
  await pool?.end();
});

describe("the camera registry's video sources", () => {
  it("stores a camera's live stream and recorder name, and hands them back", async () => {
    const { camera: stored } = await ingest.gateway.registerCamera(device.token, camera);
    expect(stored?.video).toEqual(camera.video);
    const row = (
      await pool.query("SELECT live_uri, recorder_camera, onvif_device_uri FROM cameras WHERE id = $1", [camera.id])
    ).rows[0];
    expect(row).toEqual({
      live_uri: "rtsps://nvr.example/live/1",
      recorder_camera: `rec-${tag}`,
      onvif_device_uri: null,
    });
  });

  it.each([
    ["a live stream over http", { liveUri: "http://nvr/live", recording: undefined }, "camera.video.live_uri"],
    [
      "credentials in the live URI",
      { liveUri: "rtsp://admin:admin@10.0.0.9/ch1", recording: undefined },
      "camera.video.live_uri",
    ],
    [
      "an ONVIF device over ftp",
      { liveUri: "", recording: { $case: "onvifDeviceUri" as const, value: "ftp://10.0.0.9/onvif" } },
      "camera.video.onvif_device_uri",
    ],
    [
      "a recorder name that is a path",
      { liveUri: "", recording: { $case: "recorderCamera" as const, value: "../../etc" } },
      "camera.video.recorder_camera",
    ],
  ])("refuses %s with INVALID_ARGUMENT at its field path, storing nothing", async (_name, video, field) => {
    const refused = newCamera({ video });
    const error = await grpcError(ingest.gateway.registerCamera(device.token, refused));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get(FIELD_PATH_METADATA)).toEqual([field]);
    expect((await pool.query("SELECT 1 FROM cameras WHERE id = $1", [refused.id])).rowCount).toBe(0);
  });

  it("refuses a detection whose snapshot reference is not an http(s) URI, at detection.snapshot_uri", async () => {
    const error = await grpcError(
      ingest.gateway.publishDetection(device.token, newDetection(camera.id, { snapshotUri: "file:///etc/shadow" })),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get(FIELD_PATH_METADATA)).toEqual(["detection.snapshot_uri"]);
  });
});

describe("video through the gateway, audited", () => {
  let incidentId = "";
  let eventId = "";

  beforeAll(async () => {
    const at = new Date();
    const detection = newDetection(camera.id, {
      objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
      plate: { text: plate, region: "MO", confidence: 0.95 },
      rule: undefined,
      observedAt: at,
      snapshotUri: `${recorder.url}/snapshots/rec-${tag}/evt.svg?at=${encodeURIComponent(at.toISOString())}`,
    });
    eventId = detection.eventId;
    expect(await ingest.gateway.publishDetection(device.token, detection)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );
    const found = await eventually(async () => {
      const result = await pool.query(
        `SELECT i.id FROM incidents i JOIN incident_evidence e ON e.incident_id = i.id
          WHERE i.rule_id = 'watch-list' AND e.event_id = $1`,
        [eventId],
      );
      incidentId = result.rows[0]?.id ?? "";
      return incidentId !== "";
    }, 60_000);
    expect(found).toBe(true);
  }, 90_000);

  it("stores the snapshot reference with the detection and marks the evidence row as having one", async () => {
    const stored = await pool.query("SELECT snapshot_uri FROM detections WHERE event_id = $1", [eventId]);
    expect(stored.rows[0].snapshot_uri).toContain(`${recorder.url}/snapshots/rec-${tag}/`);
    const { token: accessToken } = await login(stack.url, "operator");
    const detail = await api<IncidentDetail>(stack.url, accessToken, API.incident(incidentId));
    expect(detail.status).toBe(200);
    const row = detail.body.evidence.find((evidence) => evidence.eventId === eventId);
    expect(row?.snapshot).toBe(true);
    // The recorder's address is in no payload the browser gets.
    expect(JSON.stringify(detail.body)).not.toContain(recorder.url);
  });

  it("proxies the snapshot to an operator for the incident and audits it, with the recorder never exposed", async () => {
    const { token: accessToken } = await login(stack.url, "operator");
    const before = recorder.requests().length;
    const response = await image(accessToken, `${API.detectionSnapshot(camera.id, eventId)}?incidentId=${incidentId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml");
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toContain(`rec-${tag}`);
    expect(recorder.requests().length).toBe(before + 1);
    expect(await auditRows("operator", "video.snapshot", `${camera.id}/${eventId}`)).toEqual([
      expect.objectContaining({ personal_data: true, detail: { eventId, incidentId } }),
    ]);
  });

  it("opens a clip around the evidence time: window, frames through the gateway, the recorder's hash; audited", async () => {
    const { token: accessToken } = await login(stack.url, "investigator");
    const at = new Date(Date.now() - 60_000);
    const opened = await api<VideoClip>(stack.url, accessToken, API.videoClips, {
      method: "POST",
      body: JSON.stringify({ cameraId: camera.id, at: at.toISOString(), caseReference, purpose }),
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const clip = opened.body;
    expect(clip).toMatchObject({
      cameraId: camera.id,
      from: new Date(at.getTime() - 30_000).toISOString(),
      to: new Date(at.getTime() + 60_000).toISOString(),
      source: "recorder",
      recorderKind: "generic",
    });
    expect(clip.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The hash is the recorder's manifest's.
    const manifest = await fetch(`${recorder.url}/clips/rec-${tag}/${clip.from}/${clip.to}.json`);
    const { createHash } = await import("node:crypto");
    expect(
      createHash("sha256")
        .update(await manifest.text())
        .digest("hex"),
    ).toBe(clip.sha256);
    expect(clip.frames).toHaveLength(6);
    expect(JSON.stringify(clip)).not.toContain(recorder.url);
    const clipAudit = await auditRows("investigator", "video.clip", camera.id);
    expect(clipAudit.filter((row) => row.detail.clipId === clip.clipId)).toEqual([
      expect.objectContaining({ personal_data: true, case_reference: caseReference, purpose }),
    ]);

    const frame = clip.frames[2];
    const still = await image(accessToken, frame?.href ?? "");
    expect(still.status).toBe(200);
    expect(await still.text()).toContain(frame?.at);
    const stills = await auditRows("investigator", "video.still", camera.id);
    expect(stills.filter((row) => row.detail.clipId === clip.clipId)).toEqual([
      expect.objectContaining({
        case_reference: caseReference,
        purpose,
        detail: { clipId: clip.clipId, at: frame?.at },
      }),
    ]);
  });

  it("refuses the roles that must not see video, and audits nothing for them", async () => {
    for (const username of ["supervisor", "drafter", "approver"]) {
      const { token: accessToken } = await login(stack.url, username);
      const clip = await api<Problem>(stack.url, accessToken, API.videoClips, {
        method: "POST",
        body: JSON.stringify({ cameraId: camera.id, at: new Date().toISOString(), incidentId }),
      });
      expect(clip.status, username).toBe(403);
      const snapshot = await image(
        accessToken,
        `${API.detectionSnapshot(camera.id, eventId)}?incidentId=${incidentId}`,
      );
      expect(snapshot.status, username).toBe(403);
      expect((await snapshot.text()).includes("<svg")).toBe(false);
      const still = await image(
        accessToken,
        `${API.videoStill}?cameraId=${camera.id}&at=${new Date().toISOString()}&incidentId=${incidentId}`,
      );
      expect(still.status, username).toBe(403);
      expect(await auditRows(username, "video.snapshot", `${camera.id}/${eventId}`)).toEqual([]);
    }
    const anonymous = await fetch(`${stack.url}${API.detectionSnapshot(camera.id, eventId)}?incidentId=${incidentId}`);
    expect(anonymous.status).toBe(401);
  });

  it("answers unknown cameras and events with 404 problems and a look without a reason with 400", async () => {
    const { token: accessToken } = await login(stack.url, "operator");
    const unknownCamera = await api<Problem>(stack.url, accessToken, API.videoClips, {
      method: "POST",
      body: JSON.stringify({ cameraId: `NOPE-${tag}`, at: new Date().toISOString(), incidentId }),
    });
    expect(unknownCamera).toMatchObject({ status: 404, body: { field: "body.cameraId" } });
    const unknownEvent = await api<Problem>(
      stack.url,
      accessToken,
      `${API.detectionSnapshot(camera.id, `evt-${tag}-none`)}?incidentId=${incidentId}`,
    );
    expect(unknownEvent).toMatchObject({ status: 404, body: { field: "params.eventId" } });
    const noReason = await api<Problem>(stack.url, accessToken, API.videoClips, {
      method: "POST",
      body: JSON.stringify({ cameraId: camera.id, at: new Date().toISOString() }),
    });
    expect(noReason).toMatchObject({ status: 400, body: { field: "body.incidentId" } });
  });

  it("never fetches a snapshot reference that is not on the site's recorder (no request leaves the gateway)", async () => {
    const at = new Date();
    const planted = newDetection(camera.id, {
      observedAt: at,
      snapshotUri: `${elsewhere.url}/snapshots/x/y.svg`,
    });
    expect(await ingest.gateway.publishDetection(device.token, planted)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    const stored = await eventually(
      async () => (await pool.query("SELECT 1 FROM detections WHERE event_id = $1", [planted.eventId])).rowCount === 1,
      60_000,
    );
    expect(stored).toBe(true);
    const { token: accessToken } = await login(stack.url, "operator");
    const refused = await api<Problem>(
      stack.url,
      accessToken,
      `${API.detectionSnapshot(camera.id, planted.eventId)}?incidentId=${incidentId}`,
    );
    expect(refused).toMatchObject({ status: 404, body: { field: "params.eventId" } });
    expect(elsewhere.requests()).toEqual([]);
  });
});

describe("exports list the clips", () => {
  it("puts each clip with its window and the recorder's hash in clips.csv and the signed manifest", async () => {
    const { token: accessToken } = await login(stack.url, "investigator");
    await pool.query(
      `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat, lon,
         h3_cell, ingested_at)
       SELECT now() - interval '2 hours', 'st-' || $1, id, 'online', false, false, site_id, lat, lon, h3_cell, now()
         FROM cameras WHERE id = $1`,
      [camera.id],
    );
    const from = new Date(Date.now() - 3600_000);
    const searched = await api<CaseSearchResult>(stack.url, accessToken, API.caseSearch, {
      method: "POST",
      body: JSON.stringify({
        caseReference,
        purpose,
        window: { from: from.toISOString(), to: new Date().toISOString() },
        area: { circle: { lat: camera.position?.lat, lon: camera.position?.lon, radiusM: 30 } },
        cameraIds: [camera.id],
      }),
    });
    expect(searched.status, JSON.stringify(searched.body)).toBe(200);
    const clip = searched.body.clips.find((candidate) => candidate.cameraId === camera.id);
    expect(clip).toBeDefined();
    const started = await api<ExportJob>(stack.url, accessToken, API.caseExports(searched.body.recordId), {
      method: "POST",
      body: JSON.stringify({ purpose }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    let job = started.body;
    for (let attempt = 0; attempt < 600 && job.state === "running"; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await api<ExportJob>(stack.url, accessToken, API.exportJob(job.id))).body;
    }
    expect(job.state).toBe("ready");
    const zip = await image(accessToken, API.exportDownload(job.id));
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const manifest = JSON.parse(Buffer.from(files["manifest.json"] as Uint8Array).toString("utf8"));
    const listed = manifest.clips.find((entry: { cameraId: string }) => entry.cameraId === camera.id);
    const expected = await fetch(`${recorder.url}/clips/rec-${tag}/${clip?.from}/${clip?.to}.json`, { method: "HEAD" });
    const digest = /sha-256=:(.+):/.exec(expected.headers.get("repr-digest") ?? "")?.[1] ?? "";
    expect(listed).toEqual({
      cameraId: camera.id,
      from: clip?.from,
      to: clip?.to,
      source: "generic",
      sha256: Buffer.from(digest, "base64").toString("hex"),
    });
    const csv = Buffer.from(files["clips.csv"] as Uint8Array).toString("utf8");
    expect(csv.split(/\r?\n/)[0]).toBe("camera_id,from,to,source,sha256");
    expect(csv).toContain(`${camera.id},${clip?.from},${clip?.to},generic,${listed.sha256}`);
  });
});
