import { useId } from "react";
import { bucketBounds, type Timeline } from "../cases/timeline";
import { useI18n } from "../i18n/I18nProvider";

interface CaseTimelineProps {
  timeline: Timeline;
  nameOf(cameraId: string): string;
  /** Detections loaded so far, of `total` matching: the timeline shows the loaded ones. */
  loaded: number;
  total: number;
}

/**
 * A row per camera: a bar per time bucket, as high as its share of the busiest bucket. Each row's picture has a
 * one-line text alternative; the same numbers are in a table below for screen readers and for reading off.
 */
export function CaseTimeline({ timeline, nameOf, loaded, total }: CaseTimelineProps) {
  const { t, format } = useI18n();
  const noteId = useId();
  const { buckets, max } = timeline;
  const range = (index: number) => {
    const { from, to } = bucketBounds(timeline, index);
    return `${format.time(new Date(from).toISOString())}–${format.time(new Date(to).toISOString())}`;
  };
  if (timeline.rows.length === 0) return <p className="muted">{t("caseNoCameras")}</p>;
  const busy = timeline.rows.flatMap((row) =>
    row.counts.flatMap((count, index) => (count > 0 ? [{ cameraId: row.cameraId, index, count }] : [])),
  );

  return (
    <div className="case-timeline">
      <p id={noteId} className="muted">
        {t("caseTimelineNote", {
          loaded,
          total,
          minutes: Math.round(timeline.bucketMs / 60_000),
        })}
      </p>
      <ol className="timeline-rows" aria-describedby={noteId}>
        {timeline.rows.map((row) => {
          const label =
            row.peak >= 0
              ? t("caseTimelineRow", {
                  camera: nameOf(row.cameraId),
                  count: row.total,
                  peak: range(row.peak),
                  peakCount: row.counts[row.peak] ?? 0,
                })
              : t("caseTimelineRowEmpty", { camera: nameOf(row.cameraId) });
          return (
            <li key={row.cameraId} className="timeline-row" data-testid="timeline-row" data-camera-id={row.cameraId}>
              <span className="timeline-label" aria-hidden="true">
                {nameOf(row.cameraId)} <span className="muted">({row.total})</span>
              </span>
              <svg
                className="timeline-bars"
                viewBox={`0 0 ${buckets} 10`}
                preserveAspectRatio="none"
                role="img"
                aria-label={label}
              >
                <rect x={0} y={9.6} width={buckets} height={0.4} className="timeline-axis" />
                {row.counts.map((count, index) =>
                  count > 0 && max > 0 ? (
                    <rect
                      // biome-ignore lint/suspicious/noArrayIndexKey: a bucket is its index
                      key={index}
                      x={index + 0.1}
                      width={0.8}
                      y={10 - Math.max(1, (count / max) * 10)}
                      height={Math.max(1, (count / max) * 10)}
                      className="timeline-bar"
                    />
                  ) : null,
                )}
              </svg>
            </li>
          );
        })}
      </ol>
      <div className="timeline-row" aria-hidden="true">
        <span />
        <span className="timeline-axis-labels muted">
          <span>{format.dateTime(new Date(timeline.startMs).toISOString())}</span>
          <span>{format.dateTime(new Date(timeline.endMs).toISOString())}</span>
        </span>
      </div>
      {busy.length > 0 && (
        <details className="timeline-table">
          <summary>{t("caseTimelineTable")}</summary>
          <table className="case-table">
            <caption className="visually-hidden">{t("caseTimelineTable")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("caseCamera")}</th>
                <th scope="col">{t("caseTime")}</th>
                <th scope="col">{t("count")}</th>
              </tr>
            </thead>
            <tbody>
              {busy.map(({ cameraId, index, count }) => (
                <tr key={`${cameraId}-${index}`}>
                  <td>{nameOf(cameraId)}</td>
                  <td>{range(index)}</td>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
