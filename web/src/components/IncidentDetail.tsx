import { type IncidentDetail as IncidentDetailData, type IncidentView, isClosedIncidentStatus } from "@hub/contracts";
import { useEffect, useId, useState } from "react";
import { canDraft } from "../alerts/actions";
import { ApiError, describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { alertsHashForIncident } from "../route";
import { SeverityBadge, StatusBadge } from "./Badges";
import { DetailPanel } from "./DetailPanel";
import type { Loadable } from "./hooks";
import { IncidentWorkflowSection } from "./incident/IncidentWorkflowSection";
import { useLive } from "./LiveContext";
import { EvidenceVideo } from "./VideoEvidence";

interface IncidentDetailProps {
  id: string;
  onClose(): void;
  onSelectCamera(id: string): void;
  onShowOnMap(lon: number, lat: number): void;
}

type Action = "acknowledge" | "resolve";

/** The newest of the copies we have (live store, detail fetch, action response): versions only grow. */
function newest(...copies: (IncidentView | null | undefined)[]): IncidentView | null {
  let best: IncidentView | null = null;
  for (const copy of copies) if (copy && (!best || copy.version > best.version)) best = copy;
  return best;
}

export function IncidentDetail({ id, onClose, onSelectCamera, onShowOnMap }: IncidentDetailProps) {
  const { t, tOr, title, format } = useI18n();
  const { api, store, user, announce } = useLive();
  const noteId = useId();
  const [detail, setDetail] = useState<Loadable<IncidentDetailData>>({ state: "loading" });
  const [acted, setActed] = useState<IncidentView | null>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const liveIncident = store.incident(id);
  const liveVersion = liveIncident?.version ?? 0;

  // Fetched again whenever the live copy moves on (new evidence, someone else acknowledged it).
  useEffect(() => {
    void liveVersion;
    void reload;
    let cancelled = false;
    api
      .incident(id)
      .then((value) => {
        if (!cancelled) setDetail({ state: "loaded", value });
      })
      .catch((error: unknown) => {
        if (!cancelled) setDetail((previous) => (previous.state === "loaded" ? previous : { state: "failed", error }));
      });
    return () => {
      cancelled = true;
    };
  }, [api, id, liveVersion, reload]);

  const loaded = detail.state === "loaded" ? detail.value : null;
  const incident = newest(liveIncident, loaded?.incident, acted);
  const isOperator = user.roles.includes("operator");

  const act = (action: Action) => {
    if (!incident) return;
    setBusy(action);
    setActionError(null);
    api[action](id, { expectedVersion: incident.version })
      .then(({ incident: changed }) => {
        store.apply([{ kind: "incident", incident: changed }]);
        setActed(changed);
        setReload((n) => n + 1);
        announce(t(action === "acknowledge" ? "incidentAcknowledged" : "incidentResolved", { title: title(changed) }));
      })
      .catch((error: unknown) => {
        const { title, detail: text } = describeError(error);
        setActionError(t("actionFailed", { title, detail: text }));
        // Someone else moved it on: show the current version so the next try can succeed.
        if (error instanceof ApiError && error.status === 409) setReload((n) => n + 1);
      })
      .finally(() => setBusy(null));
  };

  const headingId = `incident-${id}-heading`;
  if (!incident) {
    return (
      <DetailPanel testId="incident-detail" headingId={headingId} heading={t("incidentDetail")} onClose={onClose}>
        {detail.state === "failed" ? (
          <p role="alert" className="error">
            {t("loadFailed", { detail: describeError(detail.error).detail })}
          </p>
        ) : (
          <p aria-busy="true">{t("loading")}</p>
        )}
      </DetailPanel>
    );
  }

  const canAcknowledge = isOperator && incident.status === "open" && busy === null;
  const canResolve = isOperator && !isClosedIncidentStatus(incident.status) && busy === null;
  const evidence = [...(loaded?.evidence ?? [])].sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));

  return (
    <DetailPanel testId="incident-detail" headingId={headingId} heading={title(incident)} onClose={onClose}>
      <div
        className="detail-body"
        data-incident-id={incident.id}
        data-status={incident.status}
        data-version={incident.version}
      >
        <p className="badges">
          <SeverityBadge severity={incident.severity} /> <StatusBadge status={incident.status} />
        </p>
        <dl className="facts">
          <div>
            <dt>{t("kind")}</dt>
            <dd>{tOr(`kind_${incident.kind}`, incident.kind)}</dd>
          </div>
          <div>
            <dt>{t("opened")}</dt>
            <dd>{format.dateTime(incident.openedAt)}</dd>
          </div>
          <div>
            <dt>{t("firstEvent")}</dt>
            <dd>{format.dateTime(incident.firstEventAt)}</dd>
          </div>
          <div>
            <dt>{t("lastEvent")}</dt>
            <dd>{format.dateTime(incident.lastEventAt)}</dd>
          </div>
          <div>
            <dt>{t("updated")}</dt>
            <dd>{format.dateTime(incident.updatedAt)}</dd>
          </div>
        </dl>
        {loaded?.acknowledgedBy && loaded.acknowledgedAt && (
          <p>{t("acknowledgedBy", { user: loaded.acknowledgedBy, time: format.dateTime(loaded.acknowledgedAt) })}</p>
        )}
        {loaded?.resolvedBy && loaded.resolvedAt && (
          <p>{t("resolvedBy", { user: loaded.resolvedBy, time: format.dateTime(loaded.resolvedAt) })}</p>
        )}

        <div className="actions">
          <button
            type="button"
            className="button primary"
            data-testid="ack-button"
            disabled={!canAcknowledge}
            aria-describedby={isOperator ? undefined : noteId}
            onClick={() => act("acknowledge")}
          >
            {busy === "acknowledge" ? t("working") : t("acknowledge")}
          </button>
          <button
            type="button"
            className="button primary"
            data-testid="resolve-button"
            disabled={!canResolve}
            aria-describedby={isOperator ? undefined : noteId}
            onClick={() => act("resolve")}
          >
            {busy === "resolve" ? t("working") : t("resolve")}
          </button>
          <button type="button" className="button" onClick={() => onShowOnMap(incident.lon, incident.lat)}>
            {t("showOnMap")}
          </button>
          {canDraft(user) && (
            <a className="button" href={alertsHashForIncident(incident.id)} data-testid="draft-alert-from-incident">
              {t("draftAlertFromIncident")}
            </a>
          )}
        </div>
        {!isOperator && (
          <p id={noteId} className="muted">
            {t("operatorOnly")}
          </p>
        )}
        {actionError && (
          <p role="alert" className="error" data-testid="action-error">
            {actionError}
          </p>
        )}

        <IncidentWorkflowSection incident={incident} isOperator={isOperator} />

        <h3>{t("evidence")}</h3>
        {detail.state === "failed" && !loaded && (
          <p role="alert" className="error">
            {t("loadFailed", { detail: describeError(detail.error).detail })}
          </p>
        )}
        {loaded && evidence.length === 0 && <p className="muted">{t("noEvidence")}</p>}
        {evidence.length > 0 && (
          <ol className="timeline">
            {evidence.map((item) => (
              <li key={item.eventId}>
                <time dateTime={item.observedAt}>{format.time(item.observedAt)}</time>{" "}
                <span className="evidence-kind">{t(`evidence_${item.eventKind}`)}</span> {item.summary}{" "}
                <span className="muted">({item.sourceId})</span>
                {item.late && <span className="badge badge-late"> {t("lateEvidence")}</span>}
                {item.eventKind === "detection" && (
                  <EvidenceVideo
                    cameraId={item.sourceId}
                    eventId={item.eventId}
                    at={item.observedAt}
                    snapshot={item.snapshot}
                    context={{ incidentId: id }}
                  />
                )}
              </li>
            ))}
          </ol>
        )}

        {loaded && (
          <>
            <h3>{t("caseAssistCameras")}</h3>
            {loaded.caseAssist && loaded.caseAssist.cameras.length > 0 ? (
              <ul className="camera-items">
                {loaded.caseAssist.cameras.map((camera) => (
                  <li key={camera.cameraId}>
                    <button type="button" className="link-button" onClick={() => onSelectCamera(camera.cameraId)}>
                      {camera.name}
                    </button>{" "}
                    <span className="muted">{t("onlineShare", { percent: format.percent(camera.onlineShare) })}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">{t("noCaseAssist")}</p>
            )}
          </>
        )}
      </div>
    </DetailPanel>
  );
}
