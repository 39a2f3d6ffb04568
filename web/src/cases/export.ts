import type { ExportJob } from "@hub/contracts";
import type { Scheduler } from "../live/batcher";

export const EXPORT_POLL_MS = 500;
/** Failed polls in a row before giving up (a restart of the gateway, a dropped connection). */
export const EXPORT_MAX_FAILURES = 3;

export interface ExportWatchOptions {
  fetchJob(id: string): Promise<ExportJob>;
  /** Every state of the job seen, the first one at once. */
  onUpdate(job: ExportJob): void;
  /** Polling gave up: `error` is the last failure. */
  onError(error: unknown): void;
  scheduler: Pick<Scheduler, "setTimeout" | "clearTimeout">;
  intervalMs?: number;
  maxFailures?: number;
}

export interface ExportWatch {
  cancel(): void;
}

/**
 * Follows an export job until it is "ready" or "failed": asks for it every `intervalMs` (one request at a time, the
 * next scheduled only when the last has answered), tolerating a few failed requests in a row.
 */
export function watchExport(job: ExportJob, options: ExportWatchOptions): ExportWatch {
  const interval = options.intervalMs ?? EXPORT_POLL_MS;
  const maxFailures = options.maxFailures ?? EXPORT_MAX_FAILURES;
  let cancelled = false;
  let timer: unknown = null;
  let failures = 0;

  const next = () => {
    timer = options.scheduler.setTimeout(poll, interval);
  };
  const poll = () => {
    timer = null;
    options
      .fetchJob(job.id)
      .then((current) => {
        if (cancelled) return;
        failures = 0;
        options.onUpdate(current);
        if (current.state === "running") next();
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        failures += 1;
        if (failures >= maxFailures) options.onError(error);
        else next();
      });
  };

  options.onUpdate(job);
  if (job.state === "running") next();
  return {
    cancel() {
      cancelled = true;
      if (timer !== null) options.scheduler.clearTimeout(timer);
      timer = null;
    },
  };
}
