import { createHash, type KeyObject, randomUUID, sign } from "node:crypto";
import { canonicalJson, type Logger, NotFoundError, parseInput } from "@hub/common";
import { type CaseDetection, type ExportJob, exportRequestSchema } from "@hub/contracts";
import { strToU8, zipSync } from "fflate";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { CasesRepository, DetectionFilter, StoredLookup } from "../repositories/cases.repository.js";
import { AuthService, type Principal } from "./auth.service.js";
import type { CaseService } from "./case.service.js";
import { recordView } from "./case.service.js";

const PAGE = 5000;
/** Ready exports are kept this long in memory, then dropped (export again if needed). */
const KEEP_MS = 60 * 60 * 1000;
/** Largest number of detections in one export. */
const MAX_DETECTIONS = 1_000_000;

interface Job extends ExportJob {
  owner: string;
  zip?: Uint8Array;
}

function csv(rows: (string | number | null)[][]): string {
  const cell = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${rows.map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Evidence export of a case lookup, in the spirit of ONVIF's export file format and video systems' evidence lock:
 * a zip with the record (JSON), the detections, plates and clip references (CSV), and manifest.json listing every
 * file's SHA-256, signed with the hub's Ed25519 key (manifest.sig). `npm run export:verify` checks one. Exports run
 * in the background with progress; the zip is kept in memory for an hour.
 */
export class ExportService {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly deps: {
      cases: CaseService;
      repository: CasesRepository;
      audit: AuditRepository;
      signingKey: KeyObject;
      publicKeyPem: string;
      logger: Logger;
    },
  ) {}

  publicKey(): string {
    return this.deps.publicKeyPem;
  }

  async start(user: Principal, recordId: string, body: unknown, sourceIp?: string): Promise<ExportJob> {
    AuthService.require(user, "investigator");
    const { purpose } = parseInput(exportRequestSchema, body ?? {}, "body");
    const { lookup, filter } = await this.deps.cases.lookup(recordId);
    const total = filter.cameraIds.length > 0 ? await this.deps.repository.count(filter) : 0;
    const job: Job = {
      id: randomUUID(),
      recordId,
      state: "running",
      progress: 0,
      bytes: null,
      sha256: null,
      error: null,
      createdAt: new Date().toISOString(),
      owner: user.username,
    };
    this.jobs.set(job.id, job);
    // Logged when asked for, whatever comes of it.
    await this.deps.audit.record({
      actor: user.username,
      action: "case.export",
      subject: recordId,
      personalData: true,
      caseReference: lookup.caseReference,
      purpose,
      criteria: { exportId: job.id },
      resultCount: total,
      sourceIp,
    });
    this.build(job, user, purpose, { lookup, filter, total }).catch((error: unknown) => {
      job.state = "failed";
      job.error = error instanceof Error ? error.message : String(error);
      this.deps.logger.error({ err: error, export: job.id }, "export failed");
    });
    return view(job);
  }

  status(user: Principal, id: string): ExportJob {
    return view(this.job(user, id));
  }

  download(user: Principal, id: string): { zip: Uint8Array; name: string } {
    const job = this.job(user, id);
    if (job.state !== "ready" || !job.zip) throw new NotFoundError("params.id", `export ${id} is not ready`);
    return { zip: job.zip, name: `case-${job.recordId}.zip` };
  }

  private job(user: Principal, id: string): Job {
    AuthService.require(user, "investigator");
    const job = this.jobs.get(id);
    // Only the investigator who asked for it may fetch it.
    if (!job || job.owner !== user.username) throw new NotFoundError("params.id", `no export ${id}`);
    return job;
  }

  private async build(
    job: Job,
    user: Principal,
    purpose: string,
    found: { lookup: StoredLookup; filter: DetectionFilter; total: number },
  ): Promise<void> {
    const { lookup, filter, total } = found;
    const wanted = Math.min(total, MAX_DETECTIONS);
    const detections: CaseDetection[] = [];
    let after: { observedAt: string; eventId: string } | undefined;
    while (filter.cameraIds.length > 0 && detections.length < wanted) {
      const page = await this.deps.repository.detections(filter, Math.min(PAGE, wanted - detections.length), after);
      if (page.length === 0) break;
      detections.push(...page);
      const last = page.at(-1) as CaseDetection;
      after = { observedAt: last.observedAt, eventId: last.eventId };
      job.progress = Math.min(0.9, (detections.length / Math.max(wanted, 1)) * 0.9);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const plates = filter.cameraIds.length > 0 ? await this.deps.repository.plates(filter) : [];
    const record = { ...recordView(lookup, filter), detections, plates };
    const files: Record<string, Uint8Array> = {
      "record.json": strToU8(JSON.stringify(record, null, 2)),
      "detections.csv": strToU8(
        csv([
          ["event_id", "camera_id", "observed_at", "object_class", "confidence", "plate_text", "rule_type", "track_id"],
          ...detections.map((d) => [
            d.eventId,
            d.cameraId,
            d.observedAt,
            d.objectClass,
            d.confidence,
            d.plateText,
            d.ruleType,
            d.trackId,
          ]),
        ]),
      ),
      "plates.csv": strToU8(
        csv([
          ["plate_text", "count", "first_seen", "last_seen", "camera_ids"],
          ...plates.map((p) => [p.plateText, p.count, p.firstSeen, p.lastSeen, p.cameraIds.join(" ")]),
        ]),
      ),
      "clips.csv": strToU8(
        csv([["camera_id", "from", "to"], ...record.clips.map((clip) => [clip.cameraId, clip.from, clip.to])]),
      ),
    };
    const manifest = {
      format: "macao-event-hub/case-export/v1",
      exportId: job.id,
      recordId: lookup.id,
      caseReference: lookup.caseReference,
      exportedBy: user.username,
      purpose,
      exportedAt: new Date().toISOString(),
      detections: detections.length,
      truncated: detections.length < total,
      signature: { algorithm: "Ed25519", file: "manifest.sig", over: "manifest.json (its exact bytes)" },
      files: Object.entries(files).map(([name, bytes]) => ({ name, bytes: bytes.length, sha256: sha256(bytes) })),
    };
    const manifestBytes = strToU8(`${canonicalJson(manifest)}\n`);
    files["manifest.json"] = manifestBytes;
    files["manifest.sig"] = strToU8(`${sign(null, manifestBytes, this.deps.signingKey).toString("base64")}\n`);
    files["hub-public-key.pem"] = strToU8(this.deps.publicKeyPem);
    job.zip = zipSync(files, { level: 6, mtime: new Date() });
    job.bytes = job.zip.length;
    job.sha256 = sha256(job.zip);
    job.progress = 1;
    job.state = "ready";
    setTimeout(() => this.jobs.delete(job.id), KEEP_MS).unref();
  }
}

function view(job: Job): ExportJob {
  return {
    id: job.id,
    recordId: job.recordId,
    state: job.state,
    progress: Math.round(job.progress * 1000) / 1000,
    bytes: job.bytes,
    sha256: job.sha256,
    error: job.error,
    createdAt: job.createdAt,
  };
}
