import type { CaseCamera, CaseSearchResult } from "@hub/contracts";
import { memo, useId, useMemo, useRef, useState } from "react";
import { describeError } from "../api";
import { appendPage, summarize } from "../cases/results";
import { buildTimeline } from "../cases/timeline";
import { useI18n } from "../i18n/I18nProvider";
import { CaseExport } from "./CaseExport";
import { CaseTimeline } from "./CaseTimeline";
import { useLive } from "./LiveContext";
import { EvidenceVideo } from "./VideoEvidence";

interface CaseResultsProps {
  /** The search's first page; later pages are added here. Keyed by record: a new search starts afresh. */
  initial: CaseSearchResult;
  /** The purpose the search was made with: every page and the export name it again. */
  purpose: string;
  selectedCameraId: string | null;
  onSelectCamera(id: string): void;
  onShowOnMap(lon: number, lat: number): void;
}

export const CaseResults = memo(function CaseResults({
  initial,
  purpose,
  selectedCameraId,
  onSelectCamera,
  onShowOnMap,
}: CaseResultsProps) {
  const { t, tOr, format } = useI18n();
  const { api, announce } = useLive();
  const headingId = useId();
  const [result, setResult] = useState(initial);
  const [loading, setLoading] = useState(false);
  const [pageError, setPageError] = useState<string | null>(null);
  const detectionsHeading = useRef<HTMLHeadingElement>(null);

  const summary = summarize(result);
  const cameraNames = useMemo(
    () => new Map(result.cameras.map((camera) => [camera.id, camera.name])),
    [result.cameras],
  );
  const nameOf = (cameraId: string) => cameraNames.get(cameraId) ?? cameraId;
  const timeline = useMemo(
    () =>
      buildTimeline(
        result.criteria.window,
        result.cameras.map((camera) => camera.id),
        result.detections.items,
      ),
    [result],
  );

  const loadMore = () => {
    const cursor = result.detections.nextCursor;
    if (!cursor || loading) return;
    setLoading(true);
    setPageError(null);
    api
      .caseRecord(result.recordId, { purpose, cursor })
      .then((page) => {
        const merged = appendPage(result, page);
        setResult(merged);
        // The last page: the button goes, and focus with it; keep it in the table's section instead.
        if (!merged.detections.nextCursor) requestAnimationFrame(() => detectionsHeading.current?.focus());
        announce(t("caseLoadedMore", { loaded: merged.detections.items.length, total: merged.detections.total }));
      })
      .catch((error: unknown) => {
        const { title, detail } = describeError(error);
        setPageError(t("loadFailed", { detail: detail || title }));
      })
      .finally(() => setLoading(false));
  };

  return (
    <section
      className="panel case-results"
      data-testid="case-results"
      data-record-id={result.recordId}
      data-cameras={summary.cameras}
      data-total={summary.detections}
      aria-labelledby={headingId}
    >
      <h2 id={headingId}>{t("caseResultsFor", { reference: result.caseReference })}</h2>
      <p className="muted">
        {t("caseWindowShown", {
          from: format.dateTime(result.criteria.window.from),
          to: format.dateTime(result.criteria.window.to),
        })}{" "}
        · {t("caseRecordedBy", { user: result.createdBy, time: format.dateTime(result.createdAt) })}
      </p>
      <dl className="case-summary">
        <div>
          <dt>{t("caseSummaryCameras")}</dt>
          <dd data-testid="case-summary-cameras">{format.number(summary.cameras)}</dd>
        </div>
        <div>
          <dt>{t("caseSummaryDetections")}</dt>
          <dd data-testid="case-summary-detections">{format.number(summary.detections)}</dd>
        </div>
        <div>
          <dt>{t("caseSummaryPlates")}</dt>
          <dd data-testid="case-summary-plates">{format.number(summary.plates)}</dd>
        </div>
        <div>
          <dt>{t("caseSummaryIncidents")}</dt>
          <dd>{format.number(summary.incidents)}</dd>
        </div>
      </dl>

      <CaseExport recordId={result.recordId} caseReference={result.caseReference} purpose={purpose} />

      <h3>{t("caseCameras")}</h3>
      {result.cameras.length === 0 ? (
        <p className="muted">{t("caseNoCameras")}</p>
      ) : (
        <ul className="case-cameras">
          {result.cameras.map((camera: CaseCamera) => (
            <li
              key={camera.id}
              data-testid="case-camera"
              data-camera-id={camera.id}
              aria-current={camera.id === selectedCameraId ? "true" : undefined}
            >
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  onSelectCamera(camera.id);
                  onShowOnMap(camera.lon, camera.lat);
                }}
              >
                {camera.name}
              </button>{" "}
              <span className="muted">
                {camera.id} · {camera.district}
              </span>
              <span className="case-camera-shares">
                {t("caseCovered", { percent: format.percent(camera.coveredFraction) })} ·{" "}
                {t("onlineShare", { percent: format.percent(camera.onlineShare) })}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3>{t("caseTimeline")}</h3>
      <CaseTimeline timeline={timeline} nameOf={nameOf} loaded={summary.loaded} total={summary.detections} />

      <h3 ref={detectionsHeading} tabIndex={-1}>
        {t("caseDetections")}
      </h3>
      <p className="muted">{t("caseShowing", { loaded: summary.loaded, total: summary.detections })}</p>
      {result.detections.items.length > 0 && (
        <div className="table-scroll">
          <table className="case-table" data-testid="detection-table">
            <caption className="visually-hidden">{t("caseDetections")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("caseTime")}</th>
                <th scope="col">{t("caseCamera")}</th>
                <th scope="col">{t("objectClass")}</th>
                <th scope="col">{t("caseConfidence")}</th>
                <th scope="col">{t("casePlateColumn")}</th>
                <th scope="col">{t("caseRule")}</th>
                <th scope="col">{t("videoColumn")}</th>
              </tr>
            </thead>
            <tbody>
              {result.detections.items.map((detection) => (
                <tr key={detection.eventId} data-testid="detection-row" data-event-id={detection.eventId}>
                  <td>
                    <time dateTime={detection.observedAt}>{format.dateTime(detection.observedAt)}</time>
                  </td>
                  <td>{nameOf(detection.cameraId)}</td>
                  <td>{tOr(`class_${detection.objectClass}`, detection.objectClass)}</td>
                  <td>{t("confidence", { percent: format.percent(detection.confidence) })}</td>
                  <td className="plate">{detection.plateText ?? "–"}</td>
                  <td>{detection.ruleType ? tOr(`rule_${detection.ruleType}`, detection.ruleType) : "–"}</td>
                  <td>
                    <EvidenceVideo
                      cameraId={detection.cameraId}
                      eventId={detection.eventId}
                      at={detection.observedAt}
                      snapshot={detection.snapshot}
                      context={{ caseReference: result.caseReference, purpose }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.detections.nextCursor && (
        <div className="actions">
          <button type="button" className="button" data-testid="load-more" disabled={loading} onClick={loadMore}>
            {loading ? t("loading") : t("caseLoadMore")}
          </button>
        </div>
      )}
      {pageError && (
        <p className="error" role="alert" data-testid="load-more-error">
          {pageError}
        </p>
      )}

      <h3>{t("casePlates")}</h3>
      {result.plates.length === 0 ? (
        <p className="muted">{t("caseNoPlates")}</p>
      ) : (
        <ul className="case-plates">
          {result.plates.map((plate) => (
            <li key={plate.plateText} data-testid="plate-item" data-plate={plate.plateText}>
              <span className="plate">{plate.plateText}</span>{" "}
              <span>{t("casePlateCount", { count: plate.count })}</span>{" "}
              <span className="muted">
                {t("casePlateSeen", { first: format.dateTime(plate.firstSeen), last: format.dateTime(plate.lastSeen) })}{" "}
                · {plate.cameraIds.map(nameOf).join(", ")}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3>{t("caseIncidents")}</h3>
      {result.incidents.length === 0 ? (
        <p className="muted">{t("caseNoIncidents")}</p>
      ) : (
        <ul className="case-incidents">
          {result.incidents.map((incident) => (
            <li key={incident.id} data-testid="case-incident" data-incident-id={incident.id}>
              <span className="incident-title">{incident.title}</span>{" "}
              {incident.plates.length > 0 && (
                <>
                  <span data-testid="case-incident-plates">
                    {t("casePlateColumn")}: <span className="plate">{incident.plates.join(", ")}</span>
                  </span>{" "}
                </>
              )}
              <span className="muted">
                {tOr(`kind_${incident.kind}`, incident.kind)} ·{" "}
                {tOr(`severity_${incident.severity}`, incident.severity)} ·{" "}
                {tOr(`status_${incident.status}`, incident.status)} · {format.dateTime(incident.firstEventAt)} –{" "}
                {format.dateTime(incident.lastEventAt)}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3>{t("caseClips")}</h3>
      {result.clips.length === 0 ? (
        <p className="muted">{t("caseNoClips")}</p>
      ) : (
        <div className="table-scroll">
          <table className="case-table" data-testid="clip-table">
            <caption className="visually-hidden">{t("caseClips")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("caseCamera")}</th>
                <th scope="col">{t("caseFrom")}</th>
                <th scope="col">{t("caseTo")}</th>
              </tr>
            </thead>
            <tbody>
              {result.clips.map((clip) => (
                <tr key={`${clip.cameraId}-${clip.from}`} data-testid="clip-row">
                  <td>{nameOf(clip.cameraId)}</td>
                  <td>
                    <time dateTime={clip.from}>{format.dateTime(clip.from)}</time>
                  </td>
                  <td>
                    <time dateTime={clip.to}>{format.dateTime(clip.to)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});
