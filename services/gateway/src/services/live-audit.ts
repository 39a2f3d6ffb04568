import type { AuditEntry } from "../repositories/audit.repository.js";
import type { DetectionWatch, DetectionWatchLog } from "./live.service.js";

/**
 * Detection watches in the audit trail: who, from where, which cameras, for which case and purpose (when plates and
 * attributes are streamed), when it began, and when it ended with its duration.
 */
export class AuditedWatchLog implements DetectionWatchLog {
  constructor(private readonly audit: { record(entry: AuditEntry): Promise<void> }) {}

  async started(watch: DetectionWatch): Promise<void> {
    await this.audit.record({
      ...common(watch),
      action: "live.detections.subscribe",
      detail: { socket: watch.socketId, since: watch.since.toISOString() },
    });
  }

  async ended(watch: DetectionWatch, until: Date, reason: string): Promise<void> {
    await this.audit.record({
      ...common(watch),
      action: "live.detections.unsubscribe",
      detail: {
        socket: watch.socketId,
        since: watch.since.toISOString(),
        until: until.toISOString(),
        durationS: Math.max(0, Math.round((until.getTime() - watch.since.getTime()) / 100) / 10),
        reason,
      },
    });
  }
}

function common(watch: DetectionWatch): Omit<AuditEntry, "action"> {
  return {
    actor: watch.user.username,
    subject: watch.cameras === "*" ? "*" : watch.cameras.join(","),
    personalData: watch.personalData !== undefined,
    caseReference: watch.personalData?.caseReference ?? null,
    purpose: watch.personalData?.purpose ?? null,
    criteria: { area: watch.area, cameras: watch.cameras },
    sourceIp: watch.sourceIp,
  };
}
