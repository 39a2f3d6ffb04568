import { type KeyObject, randomUUID } from "node:crypto";
import { HubError, isUuid, type Logger, NotFoundError, parseInput, ValidationError } from "@hub/common";
import { type CaseDetection, type ExportJob, exportRequestSchema } from "@hub/contracts";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { CasesRepository, DetectionFilter, StoredLookup } from "../repositories/cases.repository.js";
import type { ExportChunksRepository, ExportSink } from "../repositories/export-chunks.repository.js";
import type { ExportJobsRepository, StoredExportJob } from "../repositories/export-jobs.repository.js";
import { AuthService, type Principal } from "./auth.service.js";
import { type CaseService, caseReferenceFor, lookupLink, recordView } from "./case.service.js";
import { csvLine, ExportArchive } from "./export-archive.js";
import type { VideoService } from "./video.service.js";

/** Rows per cursor batch: about 200 kB of CSV, deflated and written before the next batch is fetched. */
const BATCH = 2000;
/** How often a running export writes its progress (and heartbeat) to its job row, also while the cursor opens. */
const PROGRESS_MS = 2000;
/** A running job whose heartbeat is older than this is taken for dead (its gateway stopped). */
export const EXPORT_STALE_S = 120;
/** The Retry-After given with a refusal for too many running exports. */
const RETRY_AFTER_S = 30;

export interface ExportLimits {
  /** Running exports one investigator may have, on all gateway instances together. */
  perUser: number;
  /** Running exports on all gateway instances together. */
  total: number;
  /** Largest number of detections in one export. */
  maxRows: number;
  /** How long a finished (or failed) export is kept before the sweep removes it. */
  keepS: number;
}

/** Too many exports are running; try again after `retryAfterS` seconds (HTTP 429 with Retry-After). */
export class ExportsBusyError extends HubError {
  constructor(message: string, retryAfterS: number) {
    super("RESOURCE_EXHAUSTED", message, { retriable: true, retryAfterMs: retryAfterS * 1000 });
  }
}

const DETECTION_HEADER = [
  "event_id",
  "camera_id",
  "observed_at",
  "object_class",
  "confidence",
  "plate_text",
  "rule_type",
  "track_id",
] as const;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Evidence export of a case lookup, in the spirit of ONVIF's export file format and video systems' evidence lock:
 * a zip with the record (JSON), the detections, plates and clip references (CSV), and manifest.json listing every
 * file's SHA-256, signed with the hub's Ed25519 key (manifest.sig). `npm run export:verify` checks one against a
 * key the verifier trusts.
 *
 * Exports are streamed, never held whole: detections come from a server-side cursor in batches, each batch is
 * turned into CSV, deflated and stored (in ~1 MiB chunks, export_chunks) before the next is fetched, with a turn of
 * the event loop between batches so live updates, Socket.IO heartbeats and the Kafka consumer's heartbeats keep
 * flowing. Job state and file both live in the database (export_jobs, export_chunks): the limits count the running
 * exports of every gateway instance, and any instance answers for any job and serves its file, with no shared
 * volume. Only the investigator who asked may see or fetch an export; another one is told it does not exist, and
 * the attempt is audited. Expired exports (row and chunks) are swept away by whichever instance comes first.
 */
export class ExportService {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      cases: CaseService;
      /** Describes the clips (source, recorder's hash) for clips.csv and the manifest. */
      video: Pick<VideoService, "describeClips">;
      repository: CasesRepository;
      jobs: ExportJobsRepository;
      files: ExportChunksRepository;
      audit: AuditRepository;
      signingKey: KeyObject;
      publicKeyPem: string;
      instanceId: string;
      limits: ExportLimits;
      logger: Logger;
    },
  ) {}

  publicKey(): string {
    return this.deps.publicKeyPem;
  }

  async start(user: Principal, recordId: string, body: unknown, sourceIp?: string): Promise<ExportJob> {
    AuthService.require(user, "investigator");
    const request = parseInput(exportRequestSchema, body ?? {}, "body");
    const { lookup, filter } = await this.deps.cases.lookup(recordId);
    const caseReference = caseReferenceFor(user, lookup, request.caseReference, "body.caseReference");
    const { limits } = this.deps;
    const total = filter.cameraIds.length > 0 ? await this.deps.repository.count(filter) : 0;
    const id = randomUUID();
    const claim = await this.deps.jobs.claim(
      {
        id,
        owner: user.username,
        recordId,
        caseReference,
        purpose: request.purpose,
        totalRows: Math.min(total, limits.maxRows),
        fileName: `${id}.zip`,
        instanceId: this.deps.instanceId,
      },
      { perUser: limits.perUser, total: limits.total, keepS: limits.keepS },
    );
    if (!claim.started) {
      this.deps.logger.warn({ user: user.username, limit: claim.limit, running: claim.running }, "export refused");
      throw new ExportsBusyError(
        claim.limit === "user"
          ? `you already have ${claim.running} export(s) running (at most ${limits.perUser}): wait for them to finish`
          : `${claim.running} exports are running (at most ${limits.total} at once): try again shortly`,
        RETRY_AFTER_S,
      );
    }
    try {
      // Logged when started, whatever comes of it.
      await this.deps.audit.record({
        actor: user.username,
        action: "case.export",
        subject: recordId,
        personalData: true,
        caseReference,
        purpose: request.purpose,
        criteria: { exportId: id },
        resultCount: total,
        ...lookupLink(user, lookup, caseReference),
        sourceIp,
      });
    } catch (error) {
      await this.deps.jobs.fail(id, "could not be audited", limits.keepS);
      throw error;
    }
    const job = (await this.deps.jobs.find(id)) as StoredExportJob;
    const build = this.build(job, user, { lookup, filter, total })
      .catch((error: unknown) => this.deps.logger.error({ err: error, export: id }, "export failed"))
      .finally(() => this.running.delete(id));
    this.running.set(id, build);
    return view(job);
  }

  async status(user: Principal, id: string, sourceIp?: string): Promise<ExportJob> {
    return view(await this.job(user, id, "status", sourceIp));
  }

  /** The finished export's file, for the investigator who asked for it (audited: the file holds personal data). */
  async download(
    user: Principal,
    id: string,
    sourceIp?: string,
  ): Promise<{ stream: NodeJS.ReadableStream; bytes: number; name: string }> {
    const job = await this.job(user, id, "download", sourceIp);
    if (job.state !== "ready") throw new NotFoundError("params.id", `export ${id} is not ready`);
    const bytes = job.bytes ?? 0;
    await this.deps.audit.record({
      actor: user.username,
      action: "case.export.download",
      subject: job.recordId,
      personalData: true,
      caseReference: job.caseReference,
      purpose: job.purpose,
      criteria: { exportId: id },
      resultCount: job.progressRows,
      detail: { bytes, sha256: job.sha256 },
      sourceIp,
    });
    return { stream: this.deps.files.open(job.id), bytes, name: `case-${job.recordId}.zip` };
  }

  /**
   * Fails exports whose gateway died and removes expired exports (their chunks go with them). Every instance sweeps;
   * the statements are safe to run concurrently (see ExportJobsRepository).
   */
  async sweep(): Promise<{ removed: number; failed: number }> {
    const { jobs, limits } = this.deps;
    const failed = await jobs.failStale(limits.keepS);
    let removed = 0;
    for (;;) {
      const taken = await jobs.takeExpired(100);
      removed += taken;
      if (taken < 100) break;
    }
    if (removed + failed > 0) this.deps.logger.info({ removed, failed }, "exports swept");
    return { removed, failed };
  }

  /** Sweeps now and then every `intervalMs`. */
  startSweeping(intervalMs: number): void {
    const run = () => {
      this.sweep().catch((err: unknown) => this.deps.logger.warn({ err }, "export sweep failed"));
    };
    run();
    this.sweepTimer = setInterval(run, intervalMs);
    this.sweepTimer.unref();
  }

  /** Stops sweeping and ends the running exports (each marked failed, its partial chunks removed). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  /** The job, if it exists and belongs to `user`; any other investigator's attempt is audited and told "no such". */
  private async job(user: Principal, id: string, attempt: string, sourceIp?: string): Promise<StoredExportJob> {
    AuthService.require(user, "investigator");
    if (!isUuid(id)) throw new ValidationError("params.id", "must be an export id (UUID)");
    const job = await this.deps.jobs.find(id);
    if (job && job.owner !== user.username) {
      await this.deps.audit.record({
        actor: user.username,
        action: "case.export.refused",
        subject: job.recordId,
        personalData: false,
        caseReference: job.caseReference,
        criteria: { exportId: id, attempt },
        detail: { reason: "not the investigator who asked for the export", owner: job.owner },
        sourceIp,
      });
    }
    if (!job || job.owner !== user.username) throw new NotFoundError("params.id", `no export ${id}`);
    return job;
  }

  private async build(
    job: StoredExportJob,
    user: Principal,
    found: { lookup: StoredLookup; filter: DetectionFilter; total: number },
  ): Promise<void> {
    const { jobs, files, repository, limits } = this.deps;
    const { lookup, filter, total } = found;
    let rows = 0;
    let sink: ExportSink | undefined;
    // The heartbeat runs on a timer, not per batch: opening the cursor on a million rows takes a while, and a job
    // that stops beating is failed by the sweep of any instance. If that happened anyway, this build stops.
    let lost = false;
    const heartbeat = setInterval(() => {
      jobs
        .progress(job.id, rows)
        .then((running) => {
          if (!running) lost = true;
        })
        .catch((err: unknown) => this.deps.logger.warn({ err, export: job.id }, "export heartbeat failed"));
    }, PROGRESS_MS);
    try {
      sink = files.create(job.id);
      const archive = new ExportArchive(sink);
      const any = filter.cameraIds.length > 0;
      const plates = any ? await repository.plates(filter) : [];
      const record = { ...recordView(lookup, filter), plates, detections: { file: "detections.csv" } };
      await archive.addFile("record.json", JSON.stringify(record, null, 2));

      archive.beginFile("detections.csv");
      await archive.write(csvLine(DETECTION_HEADER));
      const batches = any ? repository.detectionBatches(filter, job.totalRows, BATCH) : emptyBatches();
      for await (const batch of batches) {
        if (this.stopping) throw new Error("the gateway stopped while exporting");
        if (lost) throw new Error("the export's job was ended elsewhere (no heartbeat for too long)");
        await archive.write(detectionsCsv(batch));
        rows += batch.length;
        await yieldToEventLoop();
      }
      await archive.endFile();

      let platesCsv = csvLine(["plate_text", "count", "first_seen", "last_seen", "camera_ids"]);
      for (const p of plates)
        platesCsv += csvLine([p.plateText, p.count, p.firstSeen, p.lastSeen, p.cameraIds.join(" ")]);
      await archive.addFile("plates.csv", platesCsv);
      // Each clip with its window and, where the recorder states one, its hash: in clips.csv and in the signed
      // manifest, so a clip fetched from the recorder later can be checked against what the export saw.
      const clips = await this.deps.video.describeClips(record.clips);
      let clipsCsv = csvLine(["camera_id", "from", "to", "source", "sha256"]);
      for (const clip of clips) clipsCsv += csvLine([clip.cameraId, clip.from, clip.to, clip.source, clip.sha256]);
      await archive.addFile("clips.csv", clipsCsv);

      const zip = await archive.finish(
        {
          exportId: job.id,
          recordId: lookup.id,
          caseReference: job.caseReference,
          ...(job.caseReference !== lookup.caseReference ? { lookupCaseReference: lookup.caseReference } : {}),
          exportedBy: user.username,
          purpose: job.purpose,
          exportedAt: new Date().toISOString(),
          detections: rows,
          truncated: rows < total,
          clips,
        },
        this.deps.signingKey,
        this.deps.publicKeyPem,
      );
      await sink.commit();
      await jobs.ready(job.id, { rows, bytes: zip.bytes, sha256: zip.sha256, keepS: limits.keepS });
    } catch (error) {
      await sink?.abort().catch(() => undefined);
      await jobs.fail(job.id, error instanceof Error ? error.message : String(error), limits.keepS);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }
}

async function* emptyBatches(): AsyncGenerator<CaseDetection[]> {}

function detectionsCsv(batch: CaseDetection[]): string {
  let text = "";
  for (const d of batch)
    text += csvLine([
      d.eventId,
      d.cameraId,
      d.observedAt,
      d.objectClass,
      d.confidence,
      d.plateText,
      d.ruleType,
      d.trackId,
    ]);
  return text;
}

function view(job: StoredExportJob): ExportJob {
  const progress = job.state === "ready" ? 1 : job.totalRows > 0 ? Math.min(0.99, job.progressRows / job.totalRows) : 0;
  return {
    id: job.id,
    recordId: job.recordId,
    state: job.state,
    progress: Math.round(progress * 1000) / 1000,
    bytes: job.bytes,
    sha256: job.sha256,
    error: job.error,
    createdAt: job.createdAt,
  };
}
