import { randomUUID } from "node:crypto";
import { fillRecorderTemplate, NotFoundError, parseInput, recorderOrigins, ValidationError } from "@hub/common";
import {
  API,
  detectionSnapshotQuerySchema,
  VIDEO_ROLES,
  type VideoClip,
  videoClipRequestSchema,
  videoStillQuerySchema,
} from "@hub/contracts";
import type { RecorderGateway, RecorderImage } from "../gateways/recorder.gateway.js";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { CameraVideoSource, VideoRepository } from "../repositories/video.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/** Why video is looked at, as the audit trail records it. */
interface ViewContext {
  incidentId?: string | undefined;
  caseReference?: string | undefined;
  purpose?: string | undefined;
}

/** A clip as an export lists it: its window, where it is played back from, the recorder's hash if stated. */
export interface ExportedClip {
  cameraId: string;
  from: string;
  to: string;
  /** The recorder's kind (frigate, milestone, zoneminder, generic), "onvif", or "none" (no recorded video known). */
  source: string;
  sha256: string | null;
}

export interface VideoSettings {
  clipBeforeS: number;
  clipAfterS: number;
  clipFrames: number;
}

/** `count` times from `from` to `to`, both included (one: the middle). */
export function frameTimes(from: Date, to: Date, count: number): Date[] {
  if (count === 1) return [new Date((from.getTime() + to.getTime()) / 2)];
  const step = (to.getTime() - from.getTime()) / (count - 1);
  return Array.from({ length: count }, (_, index) => new Date(from.getTime() + Math.round(step * index)));
}

/**
 * Video evidence: a clip around an evidence time, the stills of a clip, a detection's snapshot. VIDEO_ROLES only;
 * each access is written to the audit trail as a look at personal data, before anything is shown (the image is
 * fetched first, then audited, then sent: a failed audit shows nothing). A look names its reason: an incident, or a
 * case reference with a purpose.
 */
export class VideoService {
  constructor(
    private readonly deps: {
      video: VideoRepository;
      recorders: RecorderGateway;
      audit: AuditRepository;
      settings: VideoSettings;
    },
  ) {}

  private async context(given: ViewContext, prefix: string): Promise<ViewContext> {
    if (given.caseReference && !given.purpose)
      throw new ValidationError(`${prefix}.purpose`, "is required with a case reference (10..500 characters)");
    if (given.purpose && !given.caseReference)
      throw new ValidationError(`${prefix}.caseReference`, "is required with a purpose");
    if (!given.incidentId && !given.caseReference)
      throw new ValidationError(
        `${prefix}.incidentId`,
        "name why the video is looked at: an incident id, or a case reference and a purpose",
      );
    if (given.incidentId && !(await this.deps.video.incidentExists(given.incidentId)))
      throw new NotFoundError(`${prefix}.incidentId`, `no incident ${given.incidentId}`);
    return given;
  }

  private async source(cameraId: string, field: string): Promise<CameraVideoSource> {
    const source = await this.deps.video.cameraSource(cameraId);
    if (!source) throw new NotFoundError(field, `no camera ${cameraId}`);
    return source;
  }

  private async record(
    user: Principal,
    action: string,
    subject: string,
    context: ViewContext,
    detail: Record<string, unknown>,
    sourceIp: string | undefined,
  ): Promise<void> {
    await this.deps.audit.record({
      actor: user.username,
      action,
      subject,
      personalData: true,
      caseReference: context.caseReference ?? null,
      purpose: context.purpose ?? null,
      detail: { ...detail, ...(context.incidentId ? { incidentId: context.incidentId } : {}) },
      sourceIp,
    });
  }

  /**
   * The clips of an export, each with where it is played back from and the recorder's SHA-256 of it when the
   * recorder states one (a few at a time; a recorder that does not answer leaves the hash null). Not audited here:
   * the export that lists them is.
   */
  async describeClips(clips: readonly { cameraId: string; from: string; to: string }[]): Promise<ExportedClip[]> {
    const described: ExportedClip[] = [];
    for (let start = 0; start < clips.length; start += 8) {
      const batch = clips.slice(start, start + 8).map(async (clip): Promise<ExportedClip> => {
        const source = await this.deps.video.cameraSource(clip.cameraId);
        if (source?.recorderCamera && source.recorder) {
          const url = fillRecorderTemplate(
            source.recorder.clipUrlTemplate,
            { camera: source.recorderCamera, from: new Date(clip.from), to: new Date(clip.to) },
            source.recorder.timeFormat,
          );
          return { ...clip, source: source.recorder.kind, sha256: await this.deps.recorders.clipSha256(url) };
        }
        return { ...clip, source: source?.onvifDeviceUri ? "onvif" : "none", sha256: null };
      });
      described.push(...(await Promise.all(batch)));
    }
    return described;
  }

  async openClip(user: Principal, body: unknown, sourceIp?: string): Promise<VideoClip> {
    AuthService.require(user, ...VIDEO_ROLES);
    const request = parseInput(videoClipRequestSchema, body ?? {}, "body");
    const context = await this.context(request, "body");
    const source = await this.source(request.cameraId, "body.cameraId");
    const at = new Date(request.at);
    const { clipBeforeS, clipAfterS, clipFrames } = this.deps.settings;
    const from = new Date(at.getTime() - clipBeforeS * 1000);
    const to = new Date(at.getTime() + clipAfterS * 1000);
    const clipId = randomUUID();
    let clip: VideoClip;
    if (source.recorderCamera && source.recorder) {
      const recorder = source.recorder;
      const url = fillRecorderTemplate(
        recorder.clipUrlTemplate,
        { camera: source.recorderCamera, from, to },
        recorder.timeFormat,
      );
      const contextQuery = new URLSearchParams({
        ...(context.incidentId ? { incidentId: context.incidentId } : {}),
        ...(context.caseReference ? { caseReference: context.caseReference } : {}),
        ...(context.purpose ? { purpose: context.purpose } : {}),
      });
      const frames = recorder.stillUrlTemplate
        ? frameTimes(from, to, clipFrames).map((time) => ({
            at: time.toISOString(),
            href: `${API.videoStill}?${new URLSearchParams({
              cameraId: source.cameraId,
              at: time.toISOString(),
              clipId,
            })}&${contextQuery}`,
          }))
        : [];
      clip = {
        clipId,
        cameraId: source.cameraId,
        from: from.toISOString(),
        to: to.toISOString(),
        source: "recorder",
        recorderKind: recorder.kind,
        frames,
        sha256: await this.deps.recorders.clipSha256(url),
      };
    } else if (source.onvifDeviceUri) {
      clip = {
        clipId,
        cameraId: source.cameraId,
        from: from.toISOString(),
        to: to.toISOString(),
        source: "onvif",
        recorderKind: null,
        frames: [],
        sha256: null,
      };
    } else {
      throw new NotFoundError(
        "body.cameraId",
        source.recorderCamera
          ? `camera ${source.cameraId}'s site ${source.siteId} has no recorder configured`
          : `camera ${source.cameraId} has no recorded video`,
      );
    }
    await this.record(
      user,
      "video.clip",
      source.cameraId,
      context,
      { clipId, from: clip.from, to: clip.to, source: clip.source, sha256: clip.sha256 },
      sourceIp,
    );
    return clip;
  }

  async still(user: Principal, query: unknown, sourceIp?: string): Promise<RecorderImage> {
    AuthService.require(user, ...VIDEO_ROLES);
    const request = parseInput(videoStillQuerySchema, query ?? {}, "query");
    const context = await this.context(request, "query");
    const source = await this.source(request.cameraId, "query.cameraId");
    const recorder = source.recorder;
    if (!source.recorderCamera || !recorder?.stillUrlTemplate)
      throw new NotFoundError("query.cameraId", `no still frames of camera ${source.cameraId}`);
    const at = new Date(request.at);
    const image = await this.deps.recorders.image(
      fillRecorderTemplate(recorder.stillUrlTemplate, { camera: source.recorderCamera, at }, recorder.timeFormat),
    );
    await this.record(
      user,
      "video.still",
      source.cameraId,
      context,
      { at: at.toISOString(), ...(request.clipId ? { clipId: request.clipId } : {}) },
      sourceIp,
    );
    return image;
  }

  async snapshot(
    user: Principal,
    cameraId: string,
    eventId: string,
    query: unknown,
    sourceIp?: string,
  ): Promise<RecorderImage> {
    AuthService.require(user, ...VIDEO_ROLES);
    const context = await this.context(parseInput(detectionSnapshotQuerySchema, query ?? {}, "query"), "query");
    const source = await this.source(cameraId, "params.id");
    const uri = await this.deps.video.snapshotUri(cameraId, eventId);
    if (uri === undefined) throw new NotFoundError("params.eventId", `no detection ${eventId} of camera ${cameraId}`);
    if (uri === null) throw new NotFoundError("params.eventId", `detection ${eventId} has no snapshot`);
    // Only on the site's recorder: a device cannot make the gateway fetch from anywhere else (ingest checked the
    // scheme; the origin is checked here, against the templates in force now).
    let origin: string;
    try {
      origin = new URL(uri).origin;
    } catch {
      throw new NotFoundError("params.eventId", `detection ${eventId}'s snapshot reference is not a URL`);
    }
    if (!source.recorder || !recorderOrigins(source.recorder).has(origin))
      throw new NotFoundError("params.eventId", `detection ${eventId}'s snapshot is not on its site's recorder`);
    const image = await this.deps.recorders.image(uri);
    await this.record(user, "video.snapshot", `${cameraId}/${eventId}`, context, { eventId }, sourceIp);
    return image;
  }
}
