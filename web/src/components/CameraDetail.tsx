import type { CameraDetail as CameraDetailData, DetectionBrief } from "@hub/contracts";
import { useEffect, useMemo, useRef, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { createThrottle } from "../live/batcher";
import { CameraStateBadge } from "./Badges";
import { DetailPanel } from "./DetailPanel";
import type { Loadable } from "./hooks";
import { useLive } from "./LiveContext";

const RECENT_DETECTIONS = 15;
const REFETCH_MS = 5_000;

interface CameraDetailProps {
  id: string;
  canStreamDetections: boolean;
  onClose(): void;
  onShowOnMap(lon: number, lat: number): void;
}

export function CameraDetail({ id, canStreamDetections, onClose, onShowOnMap }: CameraDetailProps) {
  const { t, tOr, format } = useI18n();
  const { api, store } = useLive();
  const [detail, setDetail] = useState<Loadable<CameraDetailData>>({ state: "loading" });
  const liveCamera = store.camera(id);
  const liveVersion = liveCamera?.version ?? 0;

  const lastFetch = useRef(Number.NEGATIVE_INFINITY);

  // Fetched again when the camera's status moves on, so the history shows the change; a flapping camera is
  // fetched at most every REFETCH_MS.
  useEffect(() => {
    void liveVersion;
    let cancelled = false;
    const load = () => {
      lastFetch.current = Date.now();
      api
        .camera(id)
        .then((value) => {
          if (!cancelled) setDetail({ state: "loaded", value });
        })
        .catch((error: unknown) => {
          if (!cancelled)
            setDetail((previous) => (previous.state === "loaded" ? previous : { state: "failed", error }));
        });
    };
    const wait = lastFetch.current + REFETCH_MS - Date.now();
    const timer = wait > 0 ? setTimeout(load, wait) : null;
    if (!timer) load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, id, liveVersion]);

  const loaded = detail.state === "loaded" ? detail.value : null;
  const camera = liveCamera && (!loaded || liveCamera.version >= loaded.camera.version) ? liveCamera : loaded?.camera;

  const perClass = useMemo(() => {
    const totals = new Map<string, number>();
    for (const row of loaded?.detectionCounts ?? [])
      totals.set(row.objectClass, (totals.get(row.objectClass) ?? 0) + row.count);
    return [...totals].sort((a, b) => b[1] - a[1]);
  }, [loaded]);
  const maxCount = Math.max(1, ...perClass.map(([, count]) => count));

  const headingId = `camera-${id}-heading`;
  return (
    <DetailPanel
      testId="camera-detail"
      headingId={headingId}
      heading={camera ? camera.name : t("cameraDetail")}
      onClose={onClose}
    >
      {!camera ? (
        detail.state === "failed" ? (
          <p role="alert" className="error">
            {t("loadFailed", { detail: describeError(detail.error).detail })}
          </p>
        ) : (
          <p aria-busy="true">{t("loading")}</p>
        )
      ) : (
        <div className="detail-body" data-camera-id={camera.id} data-state={camera.state}>
          <p className="badges">
            <CameraStateBadge state={camera.state} /> <span className="muted">{camera.id}</span>
          </p>
          <dl className="facts">
            <div>
              <dt>{t("district")}</dt>
              <dd>{camera.district}</dd>
            </div>
            <div>
              <dt>{t("lastStatus")}</dt>
              <dd>{camera.lastStatusAt ? format.dateTime(camera.lastStatusAt) : t("never")}</dd>
            </div>
          </dl>
          <p className="muted">
            {t("fieldOfView", { bearing: camera.bearingDeg, fov: camera.fovAngleDeg, range: camera.rangeM })}
          </p>
          <div className="actions">
            <button type="button" className="button" onClick={() => onShowOnMap(camera.lon, camera.lat)}>
              {t("showOnMap")}
            </button>
          </div>

          <h3>{t("liveDetections")}</h3>
          {canStreamDetections ? (
            <LiveDetections cameraId={camera.id} />
          ) : (
            <p className="muted">{t("detectionsUnavailable")}</p>
          )}

          <h3 id={`${headingId}-counts`}>{t("detectionsLastHour")}</h3>
          {loaded && perClass.length === 0 && <p className="muted">{t("noDetections")}</p>}
          {perClass.length > 0 && (
            <table className="counts" aria-labelledby={`${headingId}-counts`}>
              <thead>
                <tr>
                  <th scope="col">{t("objectClass")}</th>
                  <th scope="col">{t("count")}</th>
                </tr>
              </thead>
              <tbody>
                {perClass.map(([objectClass, count]) => (
                  <tr key={objectClass}>
                    <th scope="row">{tOr(`class_${objectClass}`, objectClass)}</th>
                    <td>
                      <span className="bar" aria-hidden="true" style={{ width: `${(count / maxCount) * 100}%` }} />
                      <span className="bar-value">{format.number(count)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h3>{t("statusHistory")}</h3>
          {loaded && loaded.statusHistory.length === 0 && <p className="muted">{t("noStatusHistory")}</p>}
          {loaded && loaded.statusHistory.length > 0 && (
            <ol className="timeline">
              {loaded.statusHistory.map((change) => (
                <li key={`${change.version}-${change.state}`}>
                  <time dateTime={change.observedAt}>{format.dateTime(change.observedAt)}</time>{" "}
                  <CameraStateBadge state={change.state} />{" "}
                  <span className="muted">
                    {change.reason ? tOr(`reason_${change.reason}`, change.reason) : t("reasonUnknown")}
                  </span>
                </li>
              ))}
            </ol>
          )}
          {detail.state === "failed" && (
            <p role="alert" className="error">
              {t("loadFailed", { detail: describeError(detail.error).detail })}
            </p>
          )}
        </div>
      )}
    </DetailPanel>
  );
}

/** The camera's detections as they stream in (detections:batch), newest first, redrawn at most 4 times a second. */
function LiveDetections({ cameraId }: { cameraId: string }) {
  const { t, tOr, format } = useI18n();
  const { connection } = useLive();
  const [recent, setRecent] = useState<DetectionBrief[]>([]);

  useEffect(() => {
    let pending: DetectionBrief[] = [];
    const throttle = createThrottle(() => {
      const batch = pending;
      pending = [];
      setRecent((previous) => [...batch.reverse(), ...previous].slice(0, RECENT_DETECTIONS));
    }, 250);
    const stop = connection.onDetections((detections) => {
      const mine = detections.filter((detection) => detection.cameraId === cameraId);
      if (mine.length === 0) return;
      pending = [...pending, ...mine].slice(-RECENT_DETECTIONS);
      throttle.schedule();
    });
    return () => {
      stop();
      throttle.cancel();
    };
  }, [connection, cameraId]);

  if (recent.length === 0) return <p className="muted">{t("waitingForDetections")}</p>;
  return (
    <ul className="detections" data-testid="live-detections">
      {recent.map((detection) => (
        <li key={detection.eventId}>
          <time dateTime={detection.observedAt}>{format.time(detection.observedAt)}</time>{" "}
          {tOr(`class_${detection.objectClass}`, detection.objectClass)}
          {detection.ruleType && <span className="muted"> · {detection.ruleType}</span>}{" "}
          <span className="muted">{t("confidence", { percent: format.percent(detection.confidence) })}</span>
        </li>
      ))}
    </ul>
  );
}
