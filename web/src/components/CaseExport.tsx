import type { ExportJob } from "@hub/contracts";
import { useEffect, useId, useRef, useState } from "react";
import { describeError } from "../api";
import { type ExportWatch, watchExport } from "../cases/export";
import { exportFileName } from "../cases/results";
import { useI18n } from "../i18n/I18nProvider";
import { browserScheduler } from "../live/batcher";
import { useLive } from "./LiveContext";

type ExportState =
  | { state: "idle" }
  | { state: "starting" }
  | { state: "running" | "ready" | "failed"; job: ExportJob | null; error: string | null };

interface CaseExportProps {
  recordId: string;
  caseReference: string;
  purpose: string;
}

/**
 * The evidence package: start an export of the record, follow its progress, then download the zip. The download
 * is fetched with the bearer token (a plain link could not send it) and saved through a blob URL.
 */
export function CaseExport({ recordId, caseReference, purpose }: CaseExportProps) {
  const { t, format } = useI18n();
  const { api, announce } = useLive();
  const labelId = useId();
  const [status, setStatus] = useState<ExportState>({ state: "idle" });
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const watch = useRef<ExportWatch | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      watch.current?.cancel();
    };
  }, []);

  const start = () => {
    watch.current?.cancel();
    setStatus({ state: "starting" });
    setDownloadError(null);
    api
      .startExport(recordId, { purpose })
      .then((job) => {
        if (!mounted.current) return;
        announce(t("caseExportStarted"));
        watch.current = watchExport(job, {
          fetchJob: (id) => api.exportJob(id),
          scheduler: browserScheduler,
          onUpdate: (current) => {
            setStatus({ state: current.state, job: current, error: current.error });
            if (current.state === "ready") announce(t("caseExportReady"));
            if (current.state === "failed") announce(t("caseExportFailed", { detail: current.error ?? "" }));
          },
          onError: (error) => {
            setStatus((previous) => ({
              state: "failed",
              job: "job" in previous ? previous.job : null,
              error: describeError(error).detail,
            }));
          },
        });
      })
      .catch((error: unknown) => {
        if (!mounted.current) return;
        const { title, detail } = describeError(error);
        setStatus({ state: "failed", job: null, error: detail || title });
      });
  };

  const download = () => {
    if (!("job" in status) || !status.job || status.state !== "ready") return;
    const job = status.job;
    setDownloading(true);
    setDownloadError(null);
    api
      .downloadExport(job.id)
      .then(({ blob, fileName }) => {
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = fileName ?? exportFileName(caseReference, recordId);
        link.hidden = true;
        document.body.append(link);
        link.click();
        link.remove();
        // The browser has taken the file by now; the URL is only needed for the click.
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      })
      .catch((error: unknown) => {
        const { title, detail } = describeError(error);
        if (mounted.current) setDownloadError(detail || title);
      })
      .finally(() => {
        if (mounted.current) setDownloading(false);
      });
  };

  const busy = status.state === "starting" || status.state === "running";
  const job = "job" in status ? status.job : null;
  const progress = status.state === "ready" ? 1 : (job?.progress ?? 0);

  return (
    <section className="case-export" aria-labelledby={`${labelId}-heading`}>
      <h3 id={`${labelId}-heading`}>{t("caseExport")}</h3>
      <p className="hint">{t("caseExportHint")}</p>
      <div className="actions">
        <button type="button" className="button primary" data-testid="export-button" disabled={busy} onClick={start}>
          {status.state === "idle" ? t("caseExportStart") : t("caseExportAgain")}
        </button>
        {status.state === "ready" && (
          <button
            type="button"
            className="button primary"
            data-testid="export-download"
            disabled={downloading}
            onClick={download}
          >
            {downloading ? t("loading") : t("caseExportDownload")}
          </button>
        )}
      </div>
      {status.state !== "idle" && (
        <div className="export-status">
          <label id={labelId} htmlFor={`${labelId}-progress`}>
            {status.state === "ready"
              ? t("caseExportReadyLabel")
              : status.state === "failed"
                ? t("caseExportFailedLabel")
                : t("caseExportProgress", { percent: format.percent(progress) })}
          </label>
          <progress
            id={`${labelId}-progress`}
            data-testid="export-progress"
            data-state={status.state === "starting" ? "running" : status.state}
            max={1}
            value={progress}
          />
        </div>
      )}
      {status.state === "ready" && job && (
        <p className="muted export-facts">
          {job.bytes !== null && t("caseExportSize", { size: format.number(Math.ceil(job.bytes / 1024)) })}{" "}
          {job.sha256 && (
            <>
              · SHA-256 <code className="hash">{job.sha256}</code>
            </>
          )}
        </p>
      )}
      {status.state === "failed" && (
        <p className="error" role="alert" data-testid="export-error">
          {t("caseExportFailed", { detail: status.error ?? "" })}
        </p>
      )}
      {downloadError && (
        <p className="error" role="alert">
          {t("caseExportDownloadFailed", { detail: downloadError })}
        </p>
      )}
    </section>
  );
}
