import { execFile } from "node:child_process";
import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { canonicalJson, h3Cell, type Pool } from "@hub/common";
import type { CaseSearchRequest, CaseSearchResult, ExportJob, Problem } from "@hub/contracts";
import { strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertCameraStatus, insertCameras, login, startTestStack, type TestStack } from "../support/gateway.js";
import { migratedPool } from "../support/hub.js";

/**
 * Security of case exports and lookups (issue 12, findings 7 and 11-12), tried as an attacker would against the real
 * gateway, correlator and database: more exports than allowed (per investigator, and in all, counting the running
 * exports of other gateway instances from the shared job table) are refused with 429 and Retry-After, storing
 * nothing; another investigator can neither see nor fetch someone's export (404, and the attempt is audited); a
 * 100,000-row export is streamed to the export folder with bounded memory and verifies; export:verify trusts no key
 * in the zip; expired exports are swept away; and a lookup id used by another investigator is audited under that
 * investigator's own case reference and purpose.
 */
const ROWS = 100_000;
const MAX_PER_USER = 1;
const MAX_RUNNING = 3;
const tag = randomUUID().slice(0, 6);
const origin = { lat: 23.1 + Math.random() * 0.3, lon: 115.1 + Math.random() * 0.3 };
const windowStart = new Date(Date.now() - 4 * 3600_000);
const windowEnd = new Date(windowStart.getTime() + 2 * 3600_000);
const cameraIds = [`exp-${tag}-a`, `exp-${tag}-b`];
setFlagsFromString("--expose_gc");
const collectGarbage = runInNewContext("gc") as () => void;
const exportCli = fileURLToPath(new URL("../../services/gateway/dist/src/cli/export-verify.js", import.meta.url));

let pool: Pool;
let stack: TestStack;
let work: string;
let alice: string;
let bob: string;
const bobName = `inv-bob-${tag}`;

function searchRequest(overrides: Partial<CaseSearchRequest> = {}): CaseSearchRequest {
  return {
    caseReference: `PJ-EXP-${tag}`,
    purpose: "Hit-and-run on the bridge approach, tracing the vehicle",
    window: { from: windowStart.toISOString(), to: windowEnd.toISOString() },
    area: { circle: { ...origin, radiusM: 60 } },
    ...overrides,
  };
}

async function search(token: string, request: CaseSearchRequest) {
  const response = await api<CaseSearchResult>(stack.url, token, "/api/v1/cases/search", {
    method: "POST",
    body: JSON.stringify(request),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

async function startExport(token: string, recordId: string, body: Record<string, unknown>) {
  const response = await fetch(`${stack.url}/api/v1/cases/records/${recordId}/exports`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as ExportJob & Problem,
  };
}

async function finished(token: string, id: string): Promise<ExportJob> {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    const job = await api<ExportJob>(stack.url, token, `/api/v1/exports/${id}`);
    expect(job.status).toBe(200);
    if (job.body.state !== "running") return job.body;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`export ${id} still running`);
}

const download = (token: string, id: string) =>
  fetch(`${stack.url}/api/v1/exports/${id}/download`, { headers: { authorization: `Bearer ${token}` } });

const runVerify = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("HUB_EXPORT_")),
    ) as Record<string, string>;
    execFile(process.execPath, [exportCli, ...args], { env: { ...clean, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/** A running export as another gateway instance would have it in the shared job table. */
async function runningElsewhere(owner: string): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO export_jobs (id, owner, record_id, case_reference, purpose, state, total_rows, file_name,
       instance_id, heartbeat_at, expires_at)
     VALUES ($1, $2, $3, 'PJ-ELSEWHERE', 'running on another gateway', 'running', 10, $4, 'other-gateway',
       now(), now() + interval '1 hour')`,
    [id, owner, randomUUID(), `${id}.zip`],
  );
  return id;
}

/** How many chunks of an export are stored, their total size and the largest one. */
async function storedChunks(jobId: string): Promise<{ chunks: number; bytes: number; largest: number }> {
  const { rows } = await pool.query<{ chunks: number; bytes: string | null; largest: number | null }>(
    `SELECT count(*)::int AS chunks, sum(length(data)) AS bytes, max(length(data)) AS largest
       FROM export_chunks WHERE job_id = $1`,
    [jobId],
  );
  const row = rows[0] as { chunks: number; bytes: string | null; largest: number | null };
  return { chunks: row.chunks, bytes: Number(row.bytes ?? 0), largest: row.largest ?? 0 };
}

const auditRows = async (actor: string, action: string) =>
  (
    await pool.query(
      "SELECT actor, action, subject, case_reference, purpose, criteria, detail FROM audit_log WHERE actor = $1 AND action = $2 ORDER BY id",
      [actor, action],
    )
  ).rows;

beforeAll(async () => {
  pool = await migratedPool();
  await insertCameras(
    pool,
    cameraIds.map((id) => ({ id, district: `Exp-${tag}`, ...origin, fovAngleDeg: 360, rangeM: 100 })),
  );
  for (const id of cameraIds)
    await insertCameraStatus(pool, { id, ...origin }, "online", new Date(windowStart.getTime() - 3600_000));
  // 100,000 detections over 83 minutes of the window, one plate read in ten.
  await pool.query(
    `INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, plate_text,
       plate_region, lat, lon, h3_cell, ingested_at)
     SELECT $1::timestamptz + g * interval '50 milliseconds', 'exp-' || $2 || '-' || g,
            CASE WHEN g % 2 = 0 THEN $3 ELSE $4 END, 'site-test',
            CASE WHEN g % 10 = 0 THEN 'license_plate' ELSE 'vehicle' END, 0.9,
            CASE WHEN g % 10 = 0 THEN 'MX-' || lpad((g % 97)::text, 2, '0') || '-' || lpad((g % 89)::text, 2, '0') END,
            CASE WHEN g % 10 = 0 THEN 'MO' END, $5, $6, $7, now()
       FROM generate_series(1, $8::int) AS g`,
    [
      new Date(windowStart.getTime() + 60_000),
      tag,
      cameraIds[0],
      cameraIds[1],
      origin.lat,
      origin.lon,
      h3Cell(origin.lat, origin.lon),
      ROWS,
    ],
  );
  work = await mkdtemp(join(tmpdir(), "exports-work-"));
  stack = await startTestStack({
    GATEWAY_EXPORT_MAX_PER_USER: String(MAX_PER_USER),
    GATEWAY_EXPORT_MAX_RUNNING: String(MAX_RUNNING),
    GATEWAY_EXPORT_SWEEP_S: "1",
  });
  // A second investigator: the seeded one's credentials (seeded by the gateway) under another name.
  await pool.query(
    `INSERT INTO users (username, display_name, password_hash, roles)
     SELECT $1, 'Second investigator', password_hash, roles FROM users WHERE username = 'investigator'`,
    [bobName],
  );
  alice = (await login(stack.url, "investigator")).token;
  bob = (await login(stack.url, bobName)).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.query("DELETE FROM export_jobs WHERE instance_id = 'other-gateway'").catch(() => undefined);
  await pool?.end();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("a large export", () => {
  let zip: Uint8Array;
  let job: ExportJob;
  let recordId: string;

  it("is streamed into the database in chunks with bounded memory, and only its owner sees or fetches it", async () => {
    const result = await search(alice, searchRequest());
    recordId = result.recordId;
    expect(result.detections.total).toBe(ROWS);
    // Live heap (after a full collection), sampled while the export runs: what the gateway holds, not its garbage.
    const liveHeap = () => {
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const heapBefore = liveHeap();
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, liveHeap());
    }, 1000);
    try {
      const started = await startExport(alice, recordId, { purpose: "Evidence bundle for the prosecutor" });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      job = await finished(alice, started.body.id);
    } finally {
      clearInterval(sampler);
    }
    expect(job).toMatchObject({ state: "ready", progress: 1 });
    const growthMb = (heapPeak - heapBefore) / 2 ** 20;
    // The old builder held every row as an object (20 MB of live heap for these 100,000), then as JSON and CSV text
    // and bytes, then the zip. Streaming holds one batch.
    expect(growthMb, `live heap grew by ${growthMb.toFixed(1)} MB`).toBeLessThan(12);
    console.log(`live heap growth during the export: ${growthMb.toFixed(1)} MB`);
    // The zip is in the database in ~1 MiB chunks (not in the gateway's memory, not on its disk), complete.
    expect(await storedChunks(job.id)).toMatchObject({ bytes: job.bytes, largest: expect.any(Number) });
    expect((await storedChunks(job.id)).largest).toBeLessThanOrEqual(2 * 1024 * 1024);
    const stored = (await pool.query("SELECT * FROM export_jobs WHERE id = $1", [job.id])).rows[0];
    expect(stored).toMatchObject({ owner: "investigator", state: "ready", case_reference: `PJ-EXP-${tag}` });
    expect(Number(stored.progress_rows)).toBe(ROWS);
    expect(Number(stored.bytes)).toBe(job.bytes);

    // Another investigator: told there is no such export, and the attempt is on record.
    for (const path of [`/api/v1/exports/${job.id}`, `/api/v1/exports/${job.id}/download`]) {
      const refused = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${bob}` } });
      expect(refused.status, path).toBe(404);
      const text = await refused.text();
      expect(text).not.toContain("MX-");
      expect(text).not.toContain(`PJ-EXP-${tag}`);
    }
    const refusals = await auditRows(bobName, "case.export.refused");
    expect(refusals.map((row) => row.criteria.attempt)).toEqual(["status", "download"]);
    expect(refusals[1]).toMatchObject({ subject: recordId, detail: { owner: "investigator" } });
    // Other roles are refused outright.
    const operator = (await login(stack.url, "operator")).token;
    expect((await download(operator, job.id)).status).toBe(403);
    expect(await auditRows(bobName, "case.export.download")).toEqual([]);

    // The owner fetches it (a streamed file of the announced size), and that is audited as a personal-data access.
    const response = await download(alice, job.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    zip = new Uint8Array(await response.arrayBuffer());
    expect(zip.length).toBe(job.bytes);
    expect(createHash("sha256").update(zip).digest("hex")).toBe(job.sha256);
    const files = unzipSync(zip);
    const lines = Buffer.from(files["detections.csv"] as Uint8Array)
      .toString("utf8")
      .trimEnd()
      .split("\r\n");
    expect(lines.length - 1).toBe(ROWS);
    expect(lines[1]?.startsWith(`exp-${tag}-1,`)).toBe(true);
    const downloads = (await auditRows("investigator", "case.export.download")).filter(
      (row) => row.criteria.exportId === job.id,
    );
    expect(downloads).toEqual([
      expect.objectContaining({
        subject: recordId,
        case_reference: `PJ-EXP-${tag}`,
        purpose: "Evidence bundle for the prosecutor",
      }),
    ]);
  }, 300_000);

  it("export:verify refuses without a trusted key, and rejects an export re-signed with another key", async () => {
    expect(zip).toBeDefined();
    const hubKey = join(work, "hub.pem");
    await writeFile(hubKey, await (await fetch(`${stack.url}/api/v1/exports/public-key`)).text());
    const genuine = join(work, "genuine.zip");
    await writeFile(genuine, zip);
    const files = unzipSync(zip);
    const manifest = JSON.parse(Buffer.from(files["manifest.json"] as Uint8Array).toString("utf8"));
    const fingerprint = manifest.signature.keyFingerprint as string;

    // No key given: refused with a clear message, whatever the zip holds.
    const keyless = await runVerify([genuine]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain("refusing to verify without a trusted key");
    expect(keyless.stdout).not.toContain("verified");

    // The right key, as a file or as a fingerprint (argument or environment): verified.
    for (const [args, env] of [
      [[genuine, "--key", hubKey], {}],
      [[genuine, "--fingerprint", fingerprint], {}],
      [[genuine], { HUB_EXPORT_PUBLIC_KEY_FILE: hubKey }],
      [[genuine], { HUB_EXPORT_KEY_FINGERPRINT: fingerprint }],
    ] as [string[], Record<string, string>][]) {
      const good = await runVerify(args, env);
      expect(good.code, `${args.join(" ")} ${JSON.stringify(env)}: ${good.stdout}${good.stderr}`).toBe(0);
      expect(good.stdout).toContain(`export verified: case PJ-EXP-${tag}, ${ROWS} detections`);
    }

    // The attack: drop a detection, fix up the manifest, re-sign it with an attacker's key and put that key in the
    // zip in place of the hub's. Consistent in itself; not signed by the hub.
    const attacker = generateKeyPairSync("ed25519");
    const csv = Buffer.from(files["detections.csv"] as Uint8Array)
      .toString("utf8")
      .split("\r\n");
    const forgedCsv = strToU8([...csv.slice(0, 2), ...csv.slice(3)].join("\r\n"));
    const forgedManifest = {
      ...manifest,
      detections: ROWS - 1,
      files: manifest.files.map((entry: { name: string; bytes: number; sha256: string }) =>
        entry.name === "detections.csv"
          ? { ...entry, bytes: forgedCsv.length, sha256: createHash("sha256").update(forgedCsv).digest("hex") }
          : entry,
      ),
    };
    const forgedManifestBytes = strToU8(`${canonicalJson(forgedManifest)}\n`);
    const forged = join(work, "forged.zip");
    await writeFile(
      forged,
      zipSync({
        ...files,
        "detections.csv": forgedCsv,
        "manifest.json": forgedManifestBytes,
        "manifest.sig": strToU8(`${sign(null, forgedManifestBytes, attacker.privateKey).toString("base64")}\n`),
        "hub-public-key.pem": strToU8(attacker.publicKey.export({ type: "spki", format: "pem" }).toString()),
      }),
    );
    for (const args of [
      ["--key", hubKey],
      ["--fingerprint", fingerprint],
    ]) {
      const bad = await runVerify([forged, ...args]);
      expect(bad.code, `${args[0]}: ${bad.stdout}${bad.stderr}`).toBe(1);
      expect(bad.stdout).toContain("manifest.sig does not verify with the trusted key");
      expect(bad.stdout).not.toContain("export verified");
    }
    expect((await runVerify([forged])).code).toBe(2);
  }, 180_000);

  it("is deleted by the sweep once it expires", async () => {
    expect(job).toBeDefined();
    expect((await storedChunks(job.id)).chunks).toBeGreaterThan(0);
    await pool.query("UPDATE export_jobs SET expires_at = now() - interval '1 second' WHERE id = $1", [job.id]);
    for (let attempt = 0; attempt < 600 && (await storedChunks(job.id)).chunks > 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // The job and its chunks go together.
    expect((await storedChunks(job.id)).chunks).toBe(0);
    expect((await pool.query("SELECT 1 FROM export_jobs WHERE id = $1", [job.id])).rowCount).toBe(0);
    expect((await download(alice, job.id)).status).toBe(404);
  });
});

describe("export limits", () => {
  it("refuse more running exports than allowed per investigator and in all, with 429 and Retry-After", async () => {
    const lookup = await search(bob, searchRequest({ caseReference: `PJ-LIM-${tag}`, limit: 1 }));
    const auditedBefore = (await auditRows(bobName, "case.export")).length;

    // Bob already has an export running, on another gateway instance: his next one is refused here.
    const elsewhere = await runningElsewhere(bobName);
    const perUser = await startExport(bob, lookup.recordId, { purpose: "Second copy for the defence lawyer" });
    expect(perUser.status, JSON.stringify(perUser.body)).toBe(429);
    expect(perUser.type).toContain("application/problem+json");
    expect(Number(perUser.retryAfter)).toBeGreaterThan(0);
    expect(perUser.body.detail).toContain(`at most ${MAX_PER_USER}`);

    // Everyone's limit: other investigators fill it (on other instances), so Bob is refused though he has none.
    await pool.query("DELETE FROM export_jobs WHERE id = $1", [elsewhere]);
    const others = [];
    for (let index = 0; index < MAX_RUNNING; index += 1) others.push(await runningElsewhere(`someone-${tag}-${index}`));
    const total = await startExport(bob, lookup.recordId, { purpose: "Second copy for the defence lawyer" });
    expect(total.status, JSON.stringify(total.body)).toBe(429);
    expect(Number(total.retryAfter)).toBeGreaterThan(0);
    expect(total.body.detail).toContain(`at most ${MAX_RUNNING} at once`);

    // Nothing was started, stored (an export's chunks cannot exist without its job) or audited for the refusals.
    const bobs = await pool.query("SELECT id FROM export_jobs WHERE owner = $1", [bobName]);
    expect(bobs.rowCount).toBe(0);
    expect((await auditRows(bobName, "case.export")).length).toBe(auditedBefore);

    // Exports whose gateway stopped beating no longer count (and the sweep fails them): Bob may export again.
    await pool.query("UPDATE export_jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])", [
      others,
    ]);
    const accepted = await startExport(bob, lookup.recordId, { purpose: "Second copy for the defence lawyer" });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect((await finished(bob, accepted.body.id)).state).toBe("ready");
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const states = await pool.query("SELECT state FROM export_jobs WHERE id = ANY($1::uuid[])", [others]);
      if (states.rows.every((row) => row.state === "failed")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const failed = await pool.query("SELECT state, error FROM export_jobs WHERE id = ANY($1::uuid[])", [others]);
    expect(failed.rows.map((row) => row.state)).toEqual(others.map(() => "failed"));
  });
});

describe("a lookup id used by another investigator", () => {
  it("is audited under that investigator's own case reference and purpose", async () => {
    const own = await search(alice, searchRequest({ caseReference: `PJ-A-${tag}`, limit: 5 }));
    const purposeB = "Linked burglary series, checking the getaway car";
    // Bob reuses Alice's lookup id without naming his case: refused, nothing shown, nothing audited under his name.
    const anonymous = await api<Problem & CaseSearchResult>(
      stack.url,
      bob,
      `/api/v1/cases/records/${own.recordId}?purpose=${encodeURIComponent(purposeB)}`,
    );
    expect(anonymous).toMatchObject({ status: 400, body: { field: "query.caseReference" } });
    expect(anonymous.body.detections).toBeUndefined();
    const exportAnonymous = await startExport(bob, own.recordId, { purpose: purposeB });
    expect(exportAnonymous).toMatchObject({ status: 400, body: { field: "body.caseReference" } });
    expect((await auditRows(bobName, "case.view")).filter((row) => row.subject === own.recordId)).toEqual([]);

    // With his own case reference: shown, and recorded under his case and purpose, linked to Alice's lookup.
    const viewed = await api<CaseSearchResult>(
      stack.url,
      bob,
      `/api/v1/cases/records/${own.recordId}?purpose=${encodeURIComponent(purposeB)}&caseReference=PJ-B-${tag}&limit=5`,
    );
    expect(viewed.status).toBe(200);
    const views = (await auditRows(bobName, "case.view")).filter((row) => row.subject === own.recordId);
    expect(views).toEqual([
      expect.objectContaining({
        case_reference: `PJ-B-${tag}`,
        purpose: purposeB,
        detail: { lookupCaseReference: `PJ-A-${tag}`, lookupBy: "investigator" },
      }),
    ]);
    // His export of it: under his case too, in the audit trail, the job and the signed manifest.
    const started = await startExport(bob, own.recordId, { purpose: purposeB, caseReference: `PJ-B-${tag}` });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const exported = (await auditRows(bobName, "case.export")).filter((row) => row.subject === own.recordId);
    expect(exported).toEqual([expect.objectContaining({ case_reference: `PJ-B-${tag}`, purpose: purposeB })]);
    expect((await finished(bob, started.body.id)).state).toBe("ready");
    const manifest = JSON.parse(
      Buffer.from(
        unzipSync(new Uint8Array(await (await download(bob, started.body.id)).arrayBuffer()))[
          "manifest.json"
        ] as Uint8Array,
      ).toString("utf8"),
    );
    expect(manifest).toMatchObject({
      caseReference: `PJ-B-${tag}`,
      lookupCaseReference: `PJ-A-${tag}`,
      exportedBy: bobName,
      purpose: purposeB,
    });
    // Alice, who made the lookup, still needs no case reference for it: hers is meant.
    const mine = await api<CaseSearchResult>(
      stack.url,
      alice,
      `/api/v1/cases/records/${own.recordId}?purpose=${encodeURIComponent("Back to my own timeline")}&limit=5`,
    );
    expect(mine.status).toBe(200);
    const aliceViews = (await auditRows("investigator", "case.view")).filter((row) => row.subject === own.recordId);
    expect(aliceViews.at(-1)).toMatchObject({ case_reference: `PJ-A-${tag}`, purpose: "Back to my own timeline" });
  });
});
