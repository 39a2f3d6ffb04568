import type { AlertSummary, AlertTemplate, ClientConfig, District, MessageView } from "@hub/contracts";
import { type FormEvent, type Ref, useCallback, useEffect, useId, useMemo, useState } from "react";
import { canDraft, canOpenAlerts } from "../alerts/actions";
import { groupTemplates } from "../alerts/areas";
import { type AlertForm, emptyForm, formOfContent } from "../alerts/form";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { incidentOfHash, VIEW_HASH } from "../route";
import { AlertStateBadge, CapSeverityBadge } from "./AlertBadges";
import { AlertEditor, type EditorTarget, type NewOrigin } from "./AlertEditor";
import type { Loadable } from "./hooks";
import { useLive } from "./LiveContext";
import { PartnerWarnings } from "./PartnerWarnings";

/** The alerts list and the approval queue are fetched again this often while the view is shown. */
export const LIST_REFRESH_MS = 5000;

let targetKeys = 0;
const nextTargetKey = () => `target-${++targetKeys}`;

interface AlertsPageProps {
  config: ClientConfig;
  headingRef: Ref<HTMLHeadingElement>;
  /** The view is shown (it is kept while hidden, so an unsaved draft survives a look at the live map). */
  active: boolean;
}

/** Civil-protection alerts: authors draft, approvers approve (two-person rule), supervisors read. */
export function AlertsPage({ config, headingRef, active }: AlertsPageProps) {
  const { t } = useI18n();
  const { user } = useLive();
  if (!canOpenAlerts(user)) {
    return (
      <main className="alerts-page alerts-page-denied" id="alerts-view" aria-labelledby="alerts-view-heading">
        <section className="panel card">
          <h2 id="alerts-view-heading" ref={headingRef} tabIndex={-1}>
            {t("alertsView")}
          </h2>
          <p data-testid="alerts-denied">{t("alertsDenied")}</p>
        </section>
      </main>
    );
  }
  return <Alerts config={config} headingRef={headingRef} active={active} />;
}

function Alerts({ config, headingRef, active }: AlertsPageProps) {
  const { t, language } = useI18n();
  const { api, user, announce } = useLive();
  const [templates, setTemplates] = useState<Loadable<AlertTemplate[]>>({ state: "loading" });
  const [districts, setDistricts] = useState<Loadable<District[]>>({ state: "loading" });
  const [alerts, setAlerts] = useState<AlertSummary[] | null>(null);
  const [queue, setQueue] = useState<MessageView[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [target, setTarget] = useState<EditorTarget | null>(null);
  const [refresh, setRefresh] = useState(0);
  const drafter = canDraft(user);

  // Templates and districts change only with a deployment: once.
  useEffect(() => {
    let cancelled = false;
    api.alerting
      .templates()
      .then((value) => !cancelled && setTemplates({ state: "loaded", value }))
      .catch((error: unknown) => !cancelled && setTemplates({ state: "failed", error }));
    api.alerting
      .districts()
      .then((value) => !cancelled && setDistricts({ state: "loaded", value }))
      .catch((error: unknown) => !cancelled && setDistricts({ state: "failed", error }));
    return () => {
      cancelled = true;
    };
  }, [api]);

  // The lists: now, after every change made here, and every few seconds while shown.
  useEffect(() => {
    if (!active) return;
    void refresh;
    let cancelled = false;
    const load = () =>
      Promise.all([api.alerting.alerts(), api.alerting.messages({ status: "pending" })])
        .then(([alertList, pending]) => {
          if (cancelled) return;
          setAlerts(alertList);
          setQueue(pending);
          setListError(null);
        })
        .catch((error: unknown) => {
          if (!cancelled) setListError(t("loadFailed", { detail: describeError(error).detail }));
        });
    void load();
    const timer = setInterval(() => void load(), LIST_REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, active, refresh, t]);

  const changed = useCallback(() => setRefresh((n) => n + 1), []);
  const open = useCallback((messageId: string) => setTarget({ kind: "message", key: messageId, id: messageId }), []);
  const startNew = useCallback((form: AlertForm, origin: NewOrigin) => {
    setTarget({ kind: "new", key: nextTargetKey(), form, ...origin });
  }, []);

  // "Draft an alert" on an incident's panel links to #/alerts?incident=…: start from that incident's prefill.
  const [incidentProblem, setIncidentProblem] = useState<string | null>(null);
  const prefillIncident = useCallback(
    (incidentId: string, templateId?: string) =>
      api.alerting.prefill({ incidentId, ...(templateId ? { templateId } : {}) }).then((content) => {
        startNew(formOfContent(content), { msgType: "Alert", alertId: null });
        announce(t("alertPrefilled"));
      }),
    [api, startNew, announce, t],
  );
  useEffect(() => {
    if (!drafter) return;
    const check = () => {
      const incidentId = incidentOfHash(globalThis.location.hash);
      if (!incidentId) return;
      globalThis.history.replaceState(null, "", VIEW_HASH.alerts);
      setIncidentProblem(null);
      prefillIncident(incidentId).catch((error: unknown) =>
        setIncidentProblem(t("alertPrefillFailed", { detail: describeError(error).detail })),
      );
    };
    check();
    globalThis.addEventListener("hashchange", check);
    return () => globalThis.removeEventListener("hashchange", check);
  }, [drafter, prefillIncident, t]);

  const summary = useMemo(() => {
    if (!target) return undefined;
    const alertId = target.kind === "new" ? target.alertId : null;
    return alerts?.find(
      (alert) =>
        alert.id === alertId ||
        (target.kind === "message" && (alert.currentMessageId === target.id || alert.pendingMessageId === target.id)),
    );
  }, [alerts, target]);

  return (
    <main className="alerts-page" id="alerts-view" aria-labelledby="alerts-view-heading">
      <div className="alerts-sidebar">
        <h2 id="alerts-view-heading" ref={headingRef} tabIndex={-1}>
          {t("alertsView")}
        </h2>
        {drafter && (
          <NewAlert templates={templates} onStart={startNew} onIncident={prefillIncident} problem={incidentProblem} />
        )}
        <ApprovalQueue queue={queue} selectedId={target?.kind === "message" ? target.id : null} onOpen={open} />
        <PartnerWarnings active={active} onOpen={open} refresh={refresh} />
        <AlertSummaries
          alerts={alerts}
          selectedId={summary?.id ?? null}
          onOpen={open}
          language={language}
          error={listError}
        />
      </div>
      <div className="alerts-main">
        {target ? (
          <AlertEditor
            key={target.key}
            target={target}
            summary={summary}
            config={config}
            districts={districts.state === "loaded" ? districts.value : []}
            onCreated={(message) => setTarget({ kind: "message", key: target.key, id: message.id })}
            onOpenMessage={open}
            onStartNew={startNew}
            onChanged={changed}
            onClose={() => setTarget(null)}
          />
        ) : (
          <section className="panel alerts-empty">
            <p className="muted">{t(drafter ? "alertsChooseOrNew" : "alertsChoose")}</p>
          </section>
        )}
        {districts.state === "failed" && (
          <p className="error" role="alert">
            {t("alertDistrictsFailed", { detail: describeError(districts.error).detail })}
          </p>
        )}
      </div>
    </main>
  );
}

interface NewAlertProps {
  templates: Loadable<AlertTemplate[]>;
  onStart(form: AlertForm, origin: { msgType: "Alert"; alertId: null }): void;
  onIncident(incidentId: string, templateId?: string): Promise<void>;
  problem: string | null;
}

/** A new alert: blank, from a template, or from an incident (the service's prefill). */
function NewAlert({ templates, onStart, onIncident, problem }: NewAlertProps) {
  const { t, tOr, language } = useI18n();
  const { api, announce } = useLive();
  const id = useId();
  const [templateId, setTemplateId] = useState("");
  const [incidentId, setIncidentId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const groups = useMemo(() => (templates.state === "loaded" ? groupTemplates(templates.value) : []), [templates]);

  const start = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const incident = incidentId.trim();
    if (!templateId && !incident) {
      onStart(emptyForm(Date.now()), { msgType: "Alert", alertId: null });
      return;
    }
    setBusy(true);
    const done = incident
      ? onIncident(incident, templateId || undefined)
      : api.alerting.prefill({ templateId }).then((content) => {
          onStart(formOfContent(content), { msgType: "Alert", alertId: null });
          announce(t("alertPrefilled"));
        });
    done
      .catch((failure: unknown) => setError(t("alertPrefillFailed", { detail: describeError(failure).detail })))
      .finally(() => setBusy(false));
  };

  const shown = error ?? problem;
  return (
    <section className="panel alerts-new" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t("alertNew")}</h3>
      <form className="alerts-new-form" data-testid="new-alert-form" onSubmit={start}>
        <div className="field">
          <label htmlFor={`${id}-template`}>{t("alertTemplate")}</label>
          <select
            id={`${id}-template`}
            data-testid="template-select"
            value={templateId}
            onChange={(event) => setTemplateId(event.target.value)}
          >
            <option value="">{t("alertNoTemplate")}</option>
            {groups.map(({ group, templates: list }) => (
              <optgroup key={group} label={tOr(`alertTemplateGroup_${group}`, group.replaceAll("-", " "))}>
                {list.map((template) => (
                  <option key={template.id} value={template.id} data-testid="template-option">
                    {template.name[language]}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          {templates.state === "failed" && (
            <p className="error">{t("loadFailed", { detail: describeError(templates.error).detail })}</p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-incident`}>{t("alertFromIncident")}</label>
          <input
            id={`${id}-incident`}
            data-testid="prefill-incident-id"
            autoComplete="off"
            spellCheck={false}
            value={incidentId}
            aria-describedby={`${id}-incident-hint`}
            onChange={(event) => setIncidentId(event.target.value)}
          />
          <p id={`${id}-incident-hint`} className="hint">
            {t("alertFromIncidentHint")}
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="button primary" data-testid="new-alert-start" disabled={busy}>
            {busy ? t("working") : t("alertStartDraft")}
          </button>
        </div>
        {shown && (
          <p className="error" role="alert" data-testid="new-alert-error">
            {shown}
          </p>
        )}
      </form>
    </section>
  );
}

function ApprovalQueue({
  queue,
  selectedId,
  onOpen,
}: {
  queue: MessageView[] | null;
  selectedId: string | null;
  onOpen(id: string): void;
}) {
  const { t, language, format } = useI18n();
  const { user } = useLive();
  return (
    <section className="panel" aria-labelledby="approval-queue-heading">
      <h3 id="approval-queue-heading">
        {t("alertQueue")} {queue && <span className="count">({queue.length})</span>}
      </h3>
      {queue === null ? (
        <p aria-busy="true">{t("loading")}</p>
      ) : queue.length === 0 ? (
        <p className="muted" data-testid="approval-queue-empty">
          {t("alertQueueEmpty")}
        </p>
      ) : (
        <ul className="alert-rows" data-testid="approval-queue">
          {queue.map((message) => {
            const submitted = [...message.steps].reverse().find((step) => step.action === "submitted");
            return (
              <li
                key={message.id}
                className="alert-row"
                data-testid="queue-item"
                data-message-id={message.id}
                data-alert-id={message.alertId}
                data-msg-type={message.msgType}
                aria-current={message.id === selectedId ? "true" : undefined}
              >
                <p className="alert-row-head">
                  <CapSeverityBadge severity={message.content.severity} />{" "}
                  <span className="badge msg-type">{t(`alertMsgType_${message.msgType}`)}</span>{" "}
                  <strong>{message.content.event[language] || message.identifier}</strong>
                </p>
                <p>{message.content.headline[language]}</p>
                <p className="muted">
                  {t("alertDraftedBy", { user: message.draftedBy })}
                  {submitted && <> · {t("alertSubmittedAt", { time: format.dateTime(submitted.at) })}</>}
                  {message.draftedBy === user.username && <> · {t("alertYours")}</>}
                </p>
                <button type="button" className="button" data-testid="queue-open" onClick={() => onOpen(message.id)}>
                  {t("alertReview")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function AlertSummaries({
  alerts,
  selectedId,
  onOpen,
  language,
  error,
}: {
  alerts: AlertSummary[] | null;
  selectedId: string | null;
  onOpen(messageId: string): void;
  language: ReturnType<typeof useI18n>["language"];
  error: string | null;
}) {
  const { t, format } = useI18n();
  return (
    <section className="panel" aria-labelledby="alert-summaries-heading">
      <h3 id="alert-summaries-heading">
        {t("alertAll")} {alerts && <span className="count">({alerts.length})</span>}
      </h3>
      {error && (
        <p className="error" role="alert" data-testid="alerts-list-error">
          {error}
        </p>
      )}
      {alerts === null ? (
        !error && <p aria-busy="true">{t("loading")}</p>
      ) : alerts.length === 0 ? (
        <p className="muted">{t("alertNone")}</p>
      ) : (
        <ul className="alert-rows" data-testid="alerts-list">
          {alerts.map((alert) => (
            <li
              key={alert.id}
              className="alert-row"
              data-testid="alert-row"
              data-alert-id={alert.id}
              data-state={alert.state}
              data-version={alert.version}
              data-current-message-id={alert.currentMessageId ?? ""}
              data-pending-message-id={alert.pendingMessageId ?? ""}
              aria-current={alert.id === selectedId ? "true" : undefined}
            >
              <p className="alert-row-head">
                <AlertStateBadge state={alert.state} /> <CapSeverityBadge severity={alert.severity} />{" "}
                <strong>{alert.event[language]}</strong>
              </p>
              <p>{alert.headline[language]}</p>
              <p className="muted">
                {t("alertVersion", { version: alert.version })}
                {alert.sent && <> · {t("alertSent", { time: format.dateTime(alert.sent) })}</>}
                {alert.expires && <> · {t("alertExpires", { time: format.dateTime(alert.expires) })}</>}
              </p>
              <div className="actions">
                {alert.currentMessageId && (
                  <button
                    type="button"
                    className="button"
                    data-testid="alert-open-current"
                    onClick={() => alert.currentMessageId && onOpen(alert.currentMessageId)}
                  >
                    {t("alertOpenCurrent")}
                  </button>
                )}
                {alert.pendingMessageId && (
                  <button
                    type="button"
                    className="button"
                    data-testid="alert-open-pending"
                    onClick={() => alert.pendingMessageId && onOpen(alert.pendingMessageId)}
                  >
                    {t("alertOpenPending")}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
