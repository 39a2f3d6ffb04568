import type { ClientConfig } from "@hub/contracts";
import {
  type AlertSummary,
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_RESPONSE_TYPES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
  type CapMessageType,
  type CreateMessageRequest,
  type District,
  type DistrictCode,
  LANGUAGES,
  type MessageView,
} from "@hub/contracts";
import { type ReactNode, useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from "react";
import { type ActionBlock, type ActionState, alertActions, isEditable, messageActions } from "../alerts/actions";
import { addShape, removeShape, shapeOfDrawing, toggleDistrict } from "../alerts/areas";
import {
  type AlertForm,
  type AreaForm,
  buildContent,
  emptyArea,
  emptyForm,
  type FieldKey,
  fieldOfProblem,
  formOfContent,
  LOCALIZED_FIELDS,
  type LocalizedField,
} from "../alerts/form";
import { ApiError, describeError, type MessageDecision } from "../api";
import { areaOf, drawReducer, initialDrawState, MAX_RADIUS_M, MIN_RADIUS_M } from "../cases/draw";
import { useI18n } from "../i18n/I18nProvider";
import { LANGUAGE_NAMES } from "../i18n/i18n";
import type { AlertMapController } from "../map/alert-controller";
import { AlertAreaMap } from "./AlertAreaMap";
import { AlertStateBadge, CapSeverityBadge, MessageStatusBadge } from "./AlertBadges";
import { AlertDeliveries } from "./AlertDeliveries";
import { AlertPreview } from "./AlertPreview";
import { DrawControls } from "./DrawControls";
import { useLive } from "./LiveContext";

/** Where a new message comes from: a new alert, or an Update or Cancel of a published one. */
export interface NewOrigin {
  msgType: CapMessageType;
  alertId: string | null;
}

/** What the editor shows: a message not saved yet (with its starting form), or a saved one by id. */
export type EditorTarget =
  | ({ kind: "new"; key: string; form: AlertForm } & NewOrigin)
  | { kind: "message"; key: string; id: string };

interface AlertEditorProps {
  target: EditorTarget;
  /** The alert the message belongs to, from the list (for Update and Cancel). */
  summary: AlertSummary | undefined;
  config: ClientConfig;
  districts: readonly District[];
  onCreated(message: MessageView): void;
  onOpenMessage(id: string): void;
  onStartNew(form: AlertForm, origin: NewOrigin): void;
  /** Something changed on the service: the lists are fetched again. */
  onChanged(): void;
  onClose(): void;
}

type Busy = "save" | MessageDecision | "update" | "cancel";

interface ShownProblem {
  field: FieldKey | "note" | null;
  text: string;
}

/** A pending message is looked at again this often (an approver may decide on it meanwhile). */
const PENDING_REFRESH_MS = 5000;

/** The newer of two copies of a message (revisions only grow). */
const newer = (previous: MessageView | null, next: MessageView): boolean =>
  !previous || previous.id !== next.id || next.revision >= previous.revision;

export function AlertEditor({
  target,
  summary,
  config,
  districts,
  onCreated,
  onOpenMessage,
  onStartNew,
  onChanged,
  onClose,
}: AlertEditorProps) {
  const { t, format } = useI18n();
  const { api, user, announce } = useLive();
  const id = useId();
  const [message, setMessage] = useState<MessageView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setFormState] = useState<AlertForm>(() => (target.kind === "new" ? target.form : emptyForm(Date.now())));
  const [dirty, setDirty] = useState(target.kind === "new");
  const [busy, setBusy] = useState<Busy | null>(null);
  const [problem, setProblem] = useState<ShownProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [reload, setReload] = useState(0);
  const [activeArea, setActiveArea] = useState(0);
  const [fitKey, setFitKey] = useState(0);
  const [draw, dispatch] = useReducer(drawReducer, undefined, () => ({
    ...initialDrawState("polygon"),
    drawing: false,
  }));
  const mapRef = useRef<AlertMapController | null>(null);
  const messageId = target.kind === "message" ? target.id : (message?.id ?? null);

  const accept = useCallback((next: MessageView, replaceForm: boolean) => {
    setMessage((previous) => (newer(previous, next) ? next : previous));
    if (replaceForm) {
      setFormState(formOfContent(next.content));
      setDirty(false);
      setActiveArea(0);
      setFitKey((n) => n + 1);
    }
  }, []);

  // The saved message: on opening, after a conflict, and after a decision the service answered without a body.
  const loadedRevision = useRef<number | null>(null);
  useEffect(() => {
    if (target.kind !== "message") return;
    void reload;
    let cancelled = false;
    api.alerting
      .message(target.id)
      .then((next) => {
        if (cancelled) return;
        setLoadError(null);
        // The form follows the service unless it is our own copy already (the create we just made).
        const ours = loadedRevision.current !== null && loadedRevision.current >= next.revision;
        accept(next, !ours);
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(t("loadFailed", { detail: describeError(error).detail }));
      });
    return () => {
      cancelled = true;
    };
  }, [api, target, reload, accept, t]);
  useEffect(() => {
    loadedRevision.current = message?.revision ?? null;
  }, [message]);

  // While it waits for a decision, the message is looked at again now and then.
  const pending = message?.status === "pending";
  useEffect(() => {
    if (!pending || !messageId) return;
    const timer = setInterval(() => {
      api.alerting
        .message(messageId)
        .then((next) => {
          if (next.revision > (loadedRevision.current ?? -1)) accept(next, true);
        })
        .catch(() => {
          // The next look tries again; the page's lists show the state meanwhile.
        });
    }, PENDING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [api, pending, messageId, accept]);

  const actions = messageActions(user, message);
  const editable = (target.kind === "new" || message !== null) && isEditable(actions);
  const alertActs = alertActions(user, summary ?? null);
  const msgType = message?.msgType ?? (target.kind === "new" ? target.msgType : "Alert");

  const setForm = (change: (previous: AlertForm) => AlertForm, field?: FieldKey) => {
    setFormState(change);
    setDirty(true);
    if (field && problem?.field === field) setProblem(null);
  };
  const updateArea = (index: number, change: (area: AreaForm) => AreaForm, field?: FieldKey) =>
    setForm(
      (previous) => ({ ...previous, areas: previous.areas.map((area, i) => (i === index ? change(area) : area)) }),
      field ?? `areas.${index}`,
    );

  const fieldId = (field: string) => `${id}-f-${field}`;
  const focusField = (field: string | null) => {
    if (field) document.getElementById(fieldId(field))?.focus();
  };

  const showError = (error: unknown) => {
    const { title, detail } = describeError(error);
    if (error instanceof ApiError && error.status === 409) {
      setNotice(t("alertConflict", { detail }));
      setProblem(null);
      if (messageId) setReload((n) => n + 1);
      return;
    }
    const field = error instanceof ApiError ? fieldOfProblem(error.problem.field) : null;
    const text =
      error instanceof ApiError && error.status === 403 ? `${t("alertForbidden")} ${detail}`.trim() : detail || title;
    setProblem({ field, text });
    focusField(field);
  };

  const run = (what: Busy, work: () => Promise<void>) => {
    if (busy) return;
    setBusy(what);
    setProblem(null);
    setNotice(null);
    work()
      .catch(showError)
      .finally(() => setBusy(null));
  };

  /** Saves the form (creating the message the first time); null when the form itself has a problem. */
  const persist = async (complete: boolean): Promise<MessageView | null> => {
    const built = buildContent(form, { complete, now: Date.now() });
    if (!built.ok) {
      setProblem({
        field: built.field,
        text: t(`alertProblem_${built.problem}`, { language: built.language ? LANGUAGE_NAMES[built.language] : "" }),
      });
      focusField(built.field);
      return null;
    }
    const content = built.content;
    if (!message) {
      if (target.kind !== "new") return null;
      let request: CreateMessageRequest;
      if (target.msgType === "Alert") request = { msgType: "Alert", content };
      else if (target.alertId) request = { msgType: target.msgType, alertId: target.alertId, content };
      else throw new Error("an Update or Cancel needs the alert it changes");
      const created = await api.alerting.create(request);
      loadedRevision.current = created.revision;
      accept(created, false);
      setDirty(false);
      onCreated(created);
      return created;
    }
    if (!dirty) return message;
    const saved = await api.alerting.edit(message.id, { revision: message.revision, content });
    loadedRevision.current = saved.revision;
    accept(saved, false);
    setDirty(false);
    return saved;
  };

  const save = () =>
    run("save", async () => {
      const saved = await persist(false);
      if (!saved) return;
      setNotice(t("alertSaved"));
      announce(t("alertSaved"));
      onChanged();
    });

  const decide = (decision: MessageDecision) =>
    run(decision, async () => {
      const trimmed = note.trim();
      if ((decision === "reject" || decision === "withdraw") && trimmed === "") {
        setProblem({ field: "note", text: t("alertNoteRequired") });
        focusField("note");
        return;
      }
      const subject = decision === "submit" ? await persist(true) : message;
      if (!subject) return;
      const result = await api.alerting.decide(subject.id, decision, {
        revision: subject.revision,
        ...(trimmed && decision !== "submit" ? { note: trimmed } : {}),
      });
      if (result) accept(result, true);
      else setReload((n) => n + 1);
      setNote("");
      const done = t(`alertDone_${decision}`);
      setNotice(done);
      announce(done);
      onChanged();
    });

  /** Update or Cancel of the active alert: a new draft, starting from the alert's current content. */
  const change = (kind: "update" | "cancel") =>
    run(kind, async () => {
      if (!summary) return;
      const current =
        message && message.id === summary.currentMessageId
          ? message
          : summary.currentMessageId
            ? await api.alerting.message(summary.currentMessageId)
            : null;
      if (!current) return;
      onStartNew(formOfContent(current.content), {
        msgType: kind === "update" ? "Update" : "Cancel",
        alertId: summary.id,
      });
    });

  // ---- Areas and the map --------------------------------------------------------------------------------------

  const districtOrder = useMemo(() => districts.map((district) => district.code), [districts]);
  const area = form.areas[Math.min(activeArea, form.areas.length - 1)];
  const drawn = shapeOfDrawing(areaOf(draw));
  const drawProblem = (() => {
    const result = areaOf(draw);
    return result.ok ? null : result.problem;
  })();
  const addDrawn = () => {
    if (!drawn || !area) return;
    updateArea(activeArea, (previous) => addShape(previous, drawn));
    dispatch({ type: "clear" });
    announce(t("alertShapeAdded", { n: activeArea + 1 }));
  };
  const toggleOnMap = useCallback(
    (code: string) => {
      if (!editable) return;
      const known = districts.find((district) => district.code === code);
      if (!known) return;
      setFormState((previous) => {
        const index = Math.min(activeArea, previous.areas.length - 1);
        const target = previous.areas[index];
        if (!target) return previous;
        const on = !target.districts.includes(known.code);
        return {
          ...previous,
          areas: previous.areas.map((item, i) =>
            i === index ? toggleDistrict(item, known.code, on, districtOrder) : item,
          ),
        };
      });
      setDirty(true);
    },
    [editable, districts, activeArea, districtOrder],
  );

  // ---- Rendering ----------------------------------------------------------------------------------------------

  const problemAt = (field: string | null): ReactNode =>
    problem && problem.field === field ? (
      <p
        id={`${id}-problem`}
        className="error field-error"
        role="alert"
        data-testid={field === null ? "editor-error" : "field-error"}
        data-field={field ?? ""}
      >
        {problem.text}
      </p>
    ) : null;
  const invalid = (field: string) => (problem?.field === field ? true : undefined);
  const describedBy = (field: string, ...others: string[]) =>
    [...others, problem?.field === field ? `${id}-problem` : ""].filter(Boolean).join(" ") || undefined;

  if (target.kind === "message" && !message) {
    return (
      <section className="panel alert-editor" aria-busy={loadError ? undefined : "true"}>
        {loadError ? (
          <p className="error" role="alert" data-testid="editor-error">
            {loadError}
          </p>
        ) : (
          <p>{t("loading")}</p>
        )}
      </section>
    );
  }

  const headingId = `${id}-heading`;
  const heading =
    target.kind === "new" && !message ? t(`alertNewHeading_${msgType}`) : t(`alertMessageHeading_${msgType}`);
  const status = message?.status ?? "draft";
  const published = message?.status === "published";

  return (
    <section
      className="alert-editor"
      data-testid="alert-editor"
      data-message-id={message?.id ?? ""}
      data-alert-id={message?.alertId ?? (target.kind === "new" ? (target.alertId ?? "") : "")}
      data-status={message ? status : "new"}
      data-msg-type={msgType}
      data-revision={message?.revision ?? ""}
      data-dirty={dirty ? "true" : "false"}
      aria-labelledby={headingId}
    >
      <div className="panel editor-head">
        <div className="detail-head">
          <h3 id={headingId} tabIndex={-1}>
            {heading}
          </h3>
          <button type="button" className="button close-button" onClick={onClose} aria-label={t("close")}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <p className="badges">
          {message ? (
            <MessageStatusBadge status={message.status} />
          ) : (
            <span className="badge message-status-draft">{t("alertUnsaved")}</span>
          )}
          <span className="badge msg-type">{t(`alertMsgType_${msgType}`)}</span>
          <CapSeverityBadge severity={form.severity} />
          {summary && <AlertStateBadge state={summary.state} />}
          {dirty && message && <span className="badge badge-unsaved">{t("alertUnsavedChanges")}</span>}
        </p>
        {form.incidentId && (
          <p className="muted" data-testid="editor-incident">
            {t("alertBasedOnIncident", { id: form.incidentId })}
          </p>
        )}
        {message && (
          <dl className="facts">
            <div>
              <dt>{t("alertIdentifier")}</dt>
              <dd className="hash" data-testid="message-identifier">
                {message.identifier}
              </dd>
            </div>
            <div>
              <dt>{t("alertVersionLabel")}</dt>
              <dd>{message.version}</dd>
            </div>
            <div>
              <dt>{t("alertDrafter")}</dt>
              <dd>{message.draftedBy}</dd>
            </div>
            {message.approvedBy && (
              <div>
                <dt>{t("alertApprover")}</dt>
                <dd>{message.approvedBy}</dd>
              </div>
            )}
            {message.sent && (
              <div>
                <dt>{t("alertSentLabel")}</dt>
                <dd>{format.dateTime(message.sent)}</dd>
              </div>
            )}
            {message.references && (
              <div>
                <dt>{t("alertReferences")}</dt>
                <dd className="hash">{message.references}</dd>
              </div>
            )}
          </dl>
        )}
        {message && message.steps.length > 0 && (
          <>
            <h4>{t("alertSteps")}</h4>
            <ol className="timeline" data-testid="message-steps">
              {message.steps.map((step, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps are only ever appended
                <li key={index} data-testid="message-step" data-action={step.action} data-by={step.by}>
                  <time dateTime={step.at}>{format.dateTime(step.at)}</time>{" "}
                  <strong>{t(`alertStep_${step.action}`)}</strong> {t("alertStepBy", { user: step.by })}
                  {step.note && <span className="step-note"> — {step.note}</span>}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>

      <form
        className="panel alert-form"
        data-testid="alert-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (editable) save();
        }}
      >
        {!editable && (
          <p className="notice" data-testid="editor-readonly">
            {t("alertReadOnly")}
          </p>
        )}
        <fieldset className="plain-fieldset" disabled={!editable}>
          {LOCALIZED_FIELDS.map((name) => (
            <LocalizedInputs
              key={name}
              name={name}
              form={form}
              fieldId={fieldId}
              invalid={invalid}
              describedBy={describedBy}
              problemAt={problemAt}
              onChange={(language, value) =>
                setForm(
                  (previous) => ({ ...previous, [name]: { ...previous[name], [language]: value } }),
                  `${name}.${language}`,
                )
              }
            />
          ))}

          <div className="field-row">
            {(
              [
                ["urgency", CAP_URGENCIES],
                ["severity", CAP_SEVERITIES],
                ["certainty", CAP_CERTAINTIES],
              ] as const
            ).map(([name, values]) => (
              <div className="field" key={name}>
                <label htmlFor={fieldId(name)}>{t(`alertField_${name}`)}</label>
                <select
                  id={fieldId(name)}
                  data-testid={`select-${name}`}
                  value={form[name]}
                  aria-invalid={invalid(name)}
                  aria-describedby={describedBy(name)}
                  onChange={(event) => {
                    const value = event.target.value;
                    setForm((previous) => ({ ...previous, [name]: value }), name);
                  }}
                >
                  {values.map((value) => (
                    <option key={value} value={value}>
                      {t(
                        name === "urgency"
                          ? `capUrgency_${value as (typeof CAP_URGENCIES)[number]}`
                          : name === "severity"
                            ? `capSeverity_${value as (typeof CAP_SEVERITIES)[number]}`
                            : `capCertainty_${value as (typeof CAP_CERTAINTIES)[number]}`,
                      )}
                    </option>
                  ))}
                </select>
                {problemAt(name)}
              </div>
            ))}
          </div>

          <fieldset className="case-fieldset" id={fieldId("categories")} tabIndex={-1}>
            <legend>{t("alertField_categories")}</legend>
            <div className="checks">
              {CAP_CATEGORIES.map((category) => (
                <label key={category} className="check">
                  <input
                    type="checkbox"
                    data-testid={`category-${category}`}
                    checked={form.categories.includes(category)}
                    onChange={(event) =>
                      setForm(
                        (previous) => ({
                          ...previous,
                          categories: toggled(previous.categories, category, event.target.checked, CAP_CATEGORIES),
                        }),
                        "categories",
                      )
                    }
                  />
                  {t(`capCategory_${category}`)}
                </label>
              ))}
            </div>
            {problemAt("categories")}
          </fieldset>
          <fieldset className="case-fieldset" id={fieldId("responseTypes")} tabIndex={-1}>
            <legend>{t("alertField_responseTypes")}</legend>
            <div className="checks">
              {CAP_RESPONSE_TYPES.map((type) => (
                <label key={type} className="check">
                  <input
                    type="checkbox"
                    data-testid={`response-${type}`}
                    checked={form.responseTypes.includes(type)}
                    onChange={(event) =>
                      setForm(
                        (previous) => ({
                          ...previous,
                          responseTypes: toggled(
                            previous.responseTypes,
                            type,
                            event.target.checked,
                            CAP_RESPONSE_TYPES,
                          ),
                        }),
                        "responseTypes",
                      )
                    }
                  />
                  {t(`capResponse_${type}`)}
                </label>
              ))}
            </div>
            {problemAt("responseTypes")}
          </fieldset>

          <fieldset className="case-fieldset">
            <legend>{t("alertTimes")}</legend>
            <div className="field-row">
              {(["onset", "expires"] as const).map((name) => (
                <div className="field" key={name}>
                  <label htmlFor={fieldId(name)}>{t(`alertField_${name}`)}</label>
                  <input
                    id={fieldId(name)}
                    data-testid={`${name}-input`}
                    type="datetime-local"
                    step={60}
                    required={name === "expires"}
                    value={form[name]}
                    aria-invalid={invalid(name)}
                    aria-describedby={describedBy(name, `${id}-times-hint`)}
                    onChange={(event) => {
                      const value = event.target.value;
                      setForm((previous) => ({ ...previous, [name]: value }), name);
                    }}
                  />
                  {problemAt(name)}
                </div>
              ))}
            </div>
            <p id={`${id}-times-hint`} className="hint">
              {t("alertTimesHint")}
            </p>
          </fieldset>

          <EventCodes
            codes={form.eventCodes}
            fieldId={fieldId}
            problemAt={problemAt}
            onChange={(eventCodes) => setForm((previous) => ({ ...previous, eventCodes }), "eventCodes")}
          />

          <section className="alert-areas" aria-labelledby={fieldId("areas")}>
            <h4 id={fieldId("areas")} tabIndex={-1}>
              {t("alertAreas")}
            </h4>
            <p className="hint">{t("alertAreasHint")}</p>
            {problemAt("areas")}
            {form.areas.map((item, index) => (
              <AreaFields
                key={item.key}
                index={index}
                area={item}
                active={index === activeArea}
                count={form.areas.length}
                districts={districts}
                districtOrder={districtOrder}
                fieldId={fieldId}
                invalid={invalid}
                describedBy={describedBy}
                problemAt={problemAt}
                onActivate={() => setActiveArea(index)}
                onChange={(change, field) => updateArea(index, change, field)}
                onRemove={() => {
                  setForm((previous) => ({ ...previous, areas: previous.areas.filter((_, i) => i !== index) }));
                  setActiveArea((current) =>
                    Math.max(0, current > index ? current - 1 : Math.min(current, form.areas.length - 2)),
                  );
                }}
              />
            ))}
            <div className="actions">
              <button
                type="button"
                className="button"
                data-testid="add-area"
                onClick={() => {
                  setForm((previous) => ({ ...previous, areas: [...previous.areas, emptyArea()] }), "areas");
                  setActiveArea(form.areas.length);
                }}
              >
                {t("alertAddArea")}
              </button>
            </div>

            <fieldset className="case-fieldset">
              <legend>{t("alertDrawHeading", { n: Math.min(activeArea, form.areas.length - 1) + 1 })}</legend>
              <DrawControls
                draw={draw}
                dispatch={dispatch}
                mapCentre={() => mapRef.current?.centre()}
                modes={["polygon", "circle"]}
                name={`${id}-draw-mode`}
                modeTestId="draw-mode"
                toggleTestId="draw-toggle"
                closeTestId="draw-close"
              />
              {draw.mode === "circle" && (
                <div className="field-row">
                  {(
                    [
                      ["lat", "caseLatitude", -90, 90],
                      ["lon", "caseLongitude", -180, 180],
                      ["radius", "caseRadius", MIN_RADIUS_M, MAX_RADIUS_M],
                    ] as const
                  ).map(([field, label, min, max]) => (
                    <div className="field" key={field}>
                      <label htmlFor={`${id}-circle-${field}`}>{t(label)}</label>
                      <input
                        id={`${id}-circle-${field}`}
                        data-testid={`draw-circle-${field}`}
                        type="number"
                        inputMode="decimal"
                        step="any"
                        min={min}
                        max={max}
                        value={draw.circle[field]}
                        onChange={(event) => dispatch({ type: "circleField", field, value: event.target.value })}
                      />
                    </div>
                  ))}
                </div>
              )}
              <div className="actions">
                <button
                  type="button"
                  className="button primary"
                  data-testid="add-shape"
                  disabled={!drawn || !area}
                  aria-describedby={`${id}-draw-status`}
                  onClick={addDrawn}
                >
                  {t("alertAddShape", { n: Math.min(activeArea, form.areas.length - 1) + 1 })}
                </button>
              </div>
              <p id={`${id}-draw-status`} className="hint" aria-live="polite">
                {drawProblem && drawProblem !== "noArea" ? t(`caseProblem_${drawProblem}`) : t("alertDrawStatus")}
              </p>
            </fieldset>
          </section>
        </fieldset>

        <div className="alert-map-area">
          <AlertAreaMap
            config={config}
            districts={districts}
            areas={form.areas}
            activeArea={activeArea}
            draw={draw}
            dispatch={dispatch}
            onDistrictClick={toggleOnMap}
            fitKey={fitKey}
            controllerRef={mapRef}
          />
        </div>

        {notice && (
          <p className="notice" role="status" data-testid="editor-notice">
            {notice}
          </p>
        )}
        {problemAt(null)}

        <MessageActions
          actions={actions}
          busy={busy}
          note={note}
          onNote={(value) => {
            setNote(value);
            if (problem?.field === "note") setProblem(null);
          }}
          noteId={fieldId("note")}
          problemAt={problemAt}
          onDecide={decide}
        />
        {(alertActs.update.visible || alertActs.cancel.visible) && (
          <AlertChangeActions
            update={alertActs.update}
            cancel={alertActs.cancel}
            busy={busy}
            pendingMessageId={summary?.pendingMessageId ?? null}
            onOpenPending={onOpenMessage}
            onChange={change}
          />
        )}
      </form>

      <AlertPreview form={form} messageId={message?.id ?? null} revision={message?.revision ?? null} dirty={dirty} />
      {message && published && <AlertDeliveries message={message} />}
    </section>
  );
}

/** `list` with `item` on or off, in the order of `order`. */
function toggled<T extends string>(list: readonly T[], item: T, on: boolean, order: readonly T[]): T[] {
  const chosen = new Set(list);
  if (on) chosen.add(item);
  else chosen.delete(item);
  return order.filter((value) => chosen.has(value));
}

interface FieldHelpers {
  fieldId(field: string): string;
  invalid(field: string): true | undefined;
  describedBy(field: string, ...others: string[]): string | undefined;
  problemAt(field: string | null): ReactNode;
}

/** One CAP text in the three languages, side by side (stacked on narrow screens), each input in its language. */
function LocalizedInputs({
  name,
  form,
  onChange,
  fieldId,
  invalid,
  describedBy,
  problemAt,
}: {
  name: LocalizedField;
  form: AlertForm;
  onChange(language: (typeof LANGUAGES)[number], value: string): void;
} & FieldHelpers) {
  const { t } = useI18n();
  const multiline = name === "description" || name === "instruction";
  return (
    <fieldset className="case-fieldset localized" id={fieldId(name)} tabIndex={-1}>
      <legend>{t(`alertField_${name}`)}</legend>
      <div className="localized-inputs">
        {LANGUAGES.map((language) => {
          const key = `${name}.${language}`;
          const common = {
            id: fieldId(key),
            lang: language,
            "data-testid": `text-${name}-${language}`,
            value: form[name][language],
            "aria-invalid": invalid(key),
            "aria-describedby": describedBy(key),
          };
          return (
            <div className="field" key={language}>
              <label htmlFor={fieldId(key)}>{LANGUAGE_NAMES[language]}</label>
              {multiline ? (
                <textarea {...common} rows={3} onChange={(event) => onChange(language, event.target.value)} />
              ) : (
                <input {...common} autoComplete="off" onChange={(event) => onChange(language, event.target.value)} />
              )}
              {problemAt(key)}
            </div>
          );
        })}
      </div>
      {problemAt(name)}
    </fieldset>
  );
}

function EventCodes({
  codes,
  onChange,
  fieldId,
  problemAt,
}: {
  codes: AlertForm["eventCodes"];
  onChange(codes: AlertForm["eventCodes"]): void;
} & Pick<FieldHelpers, "fieldId" | "problemAt">) {
  const { t } = useI18n();
  const set = (index: number, key: "valueName" | "value", value: string) =>
    onChange(codes.map((code, i) => (i === index ? { ...code, [key]: value } : code)));
  return (
    <fieldset className="case-fieldset" id={fieldId("eventCodes")} tabIndex={-1}>
      <legend>{t("alertField_eventCodes")}</legend>
      {codes.map((code, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their order is their identity
        <div className="field-row" key={index}>
          <div className="field">
            <label htmlFor={fieldId(`eventCodes.${index}.valueName`)}>{t("alertEventCodeName")}</label>
            <input
              id={fieldId(`eventCodes.${index}.valueName`)}
              data-testid={`event-code-name-${index}`}
              value={code.valueName}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => set(index, "valueName", event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={fieldId(`eventCodes.${index}.value`)}>{t("alertEventCodeValue")}</label>
            <input
              id={fieldId(`eventCodes.${index}.value`)}
              data-testid={`event-code-value-${index}`}
              value={code.value}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => set(index, "value", event.target.value)}
            />
          </div>
          <button
            type="button"
            className="button align-end"
            onClick={() => onChange(codes.filter((_, i) => i !== index))}
          >
            {t("alertRemove")}
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" className="button" onClick={() => onChange([...codes, { valueName: "", value: "" }])}>
          {t("alertAddEventCode")}
        </button>
      </div>
      {problemAt("eventCodes")}
    </fieldset>
  );
}

interface AreaFieldsProps extends FieldHelpers {
  index: number;
  area: AreaForm;
  active: boolean;
  count: number;
  districts: readonly District[];
  districtOrder: readonly DistrictCode[];
  onActivate(): void;
  onChange(change: (area: AreaForm) => AreaForm, field?: FieldKey): void;
  onRemove(): void;
}

function AreaFields({
  index,
  area,
  active,
  count,
  districts,
  districtOrder,
  onActivate,
  onChange,
  onRemove,
  fieldId,
  invalid,
  describedBy,
  problemAt,
}: AreaFieldsProps) {
  const { t, language } = useI18n();
  const prefix = `areas.${index}`;
  return (
    <fieldset
      className={`case-fieldset area-fieldset${active ? " is-active" : ""}`}
      id={fieldId(prefix)}
      tabIndex={-1}
      data-testid="area"
      data-area-index={index}
      data-districts={area.districts.join(",")}
      data-polygons={area.polygons.length}
      data-circles={area.circles.length}
    >
      <legend>{t("alertAreaN", { n: index + 1 })}</legend>
      <label className="segment">
        <input type="radio" data-testid={`area-${index}-edit`} checked={active} onChange={onActivate} />
        {t("alertAreaEditOnMap")}
      </label>
      <div className="localized-inputs">
        {LANGUAGES.map((lang) => {
          const key = `${prefix}.description.${lang}`;
          return (
            <div className="field" key={lang}>
              <label htmlFor={fieldId(key)}>
                {t("alertAreaDescription")} · {LANGUAGE_NAMES[lang]}
              </label>
              <input
                id={fieldId(key)}
                lang={lang}
                data-testid={`area-${index}-desc-${lang}`}
                autoComplete="off"
                value={area.description[lang]}
                aria-invalid={invalid(key)}
                aria-describedby={describedBy(key)}
                onChange={(event) => {
                  const value = event.target.value;
                  onChange(
                    (previous) => ({ ...previous, description: { ...previous.description, [lang]: value } }),
                    key,
                  );
                }}
              />
              {problemAt(key)}
            </div>
          );
        })}
      </div>
      <fieldset className="case-fieldset nested">
        <legend>{t("alertDistricts")}</legend>
        {districts.length === 0 ? (
          <p className="muted">{t("alertNoDistricts")}</p>
        ) : (
          <div className="checks">
            {districts.map((district) => (
              <label key={district.code} className="check">
                <input
                  type="checkbox"
                  data-testid={`area-${index}-district-${district.code}`}
                  checked={area.districts.includes(district.code)}
                  onChange={(event) => {
                    const on = event.target.checked;
                    onChange((previous) => toggleDistrict(previous, district.code, on, districtOrder));
                  }}
                />
                {district.name[language]}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      {(area.polygons.length > 0 || area.circles.length > 0) && (
        <ul className="area-shapes" data-testid={`area-${index}-shapes`}>
          {area.polygons.map((ring, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: shapes are only added and removed, never reordered
            <li key={`p${i}`}>
              {t("alertPolygon", { corners: Math.max(0, ring.length - 1) })}{" "}
              <button
                type="button"
                className="link-button"
                data-testid={`area-${index}-remove-polygon-${i}`}
                onClick={() => onChange((previous) => removeShape(previous, "polygon", i))}
              >
                {t("alertRemove")}
              </button>
            </li>
          ))}
          {area.circles.map((circle, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: shapes are only added and removed, never reordered
            <li key={`c${i}`}>
              {t("alertCircle", {
                radius: circle.radiusKm,
                lat: circle.center[1].toFixed(5),
                lon: circle.center[0].toFixed(5),
              })}{" "}
              <button
                type="button"
                className="link-button"
                data-testid={`area-${index}-remove-circle-${i}`}
                onClick={() => onChange((previous) => removeShape(previous, "circle", i))}
              >
                {t("alertRemove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {problemAt(prefix)}
      {count > 1 && (
        <div className="actions">
          <button type="button" className="button" data-testid={`area-${index}-remove`} onClick={onRemove}>
            {t("alertRemoveArea")}
          </button>
        </div>
      )}
    </fieldset>
  );
}

/** The reason a shown action is disabled, in words next to it. */
function reasonText(t: ReturnType<typeof useI18n>["t"], reason: ActionBlock): string {
  return t(`alertReason_${reason}`);
}

function MessageActions({
  actions,
  busy,
  note,
  onNote,
  noteId,
  problemAt,
  onDecide,
}: {
  actions: ReturnType<typeof messageActions>;
  busy: Busy | null;
  note: string;
  onNote(value: string): void;
  noteId: string;
  problemAt(field: string | null): ReactNode;
  onDecide(decision: MessageDecision): void;
}) {
  const { t } = useI18n();
  const reasonId = useId();
  const needsNote = actions.reject.visible || actions.withdraw.visible || actions.approve.visible;
  const reasons = [
    ...new Set(
      Object.values(actions)
        .map((state) => (state.visible && !state.enabled ? state.reason : null))
        .filter((reason): reason is ActionBlock => reason !== null),
    ),
  ];
  const button = (
    name: "save" | MessageDecision,
    state: ActionState,
    testId: string,
    label: string,
    primary = false,
  ) =>
    state.visible ? (
      <button
        type={name === "save" ? "submit" : "button"}
        className={`button${primary ? " primary" : ""}`}
        data-testid={testId}
        disabled={!state.enabled || busy !== null}
        aria-describedby={state.reason ? reasonId : undefined}
        onClick={name === "save" ? undefined : () => onDecide(name)}
      >
        {busy === name ? t("working") : label}
      </button>
    ) : null;
  if (!Object.values(actions).some((state) => state.visible)) return null;
  return (
    <div className="message-actions" data-testid="message-actions">
      {needsNote && (
        <div className="field">
          <label htmlFor={noteId}>{t("alertNote")}</label>
          <textarea
            id={noteId}
            data-testid="decision-note"
            rows={2}
            value={note}
            aria-describedby={`${noteId}-hint`}
            onChange={(event) => onNote(event.target.value)}
          />
          <p id={`${noteId}-hint`} className="hint">
            {t("alertNoteHint")}
          </p>
          {problemAt("note")}
        </div>
      )}
      <div className="actions">
        {button("save", actions.save, "save-draft", t("alertSave"))}
        {button("submit", actions.submit, "submit-button", t("alertSubmit"), true)}
        {button("approve", actions.approve, "approve-button", t("alertApprove"), true)}
        {button("reject", actions.reject, "reject-button", t("alertReject"))}
        {button("withdraw", actions.withdraw, "withdraw-button", t("alertWithdraw"))}
      </div>
      {reasons.length > 0 && (
        <p id={reasonId} className="notice" data-testid="action-reason" data-reason={reasons.join(" ")}>
          {reasons.map((reason) => reasonText(t, reason)).join(" ")}
        </p>
      )}
    </div>
  );
}

function AlertChangeActions({
  update,
  cancel,
  busy,
  pendingMessageId,
  onOpenPending,
  onChange,
}: {
  update: ActionState;
  cancel: ActionState;
  busy: Busy | null;
  pendingMessageId: string | null;
  onOpenPending(id: string): void;
  onChange(kind: "update" | "cancel"): void;
}) {
  const { t } = useI18n();
  const reasonId = useId();
  const blocked = update.reason ?? cancel.reason;
  return (
    <div className="message-actions" data-testid="alert-change-actions">
      <h4>{t("alertChangeHeading")}</h4>
      <div className="actions">
        <button
          type="button"
          className="button"
          data-testid="update-button"
          disabled={!update.enabled || busy !== null}
          aria-describedby={blocked ? reasonId : undefined}
          onClick={() => onChange("update")}
        >
          {busy === "update" ? t("working") : t("alertUpdate")}
        </button>
        <button
          type="button"
          className="button"
          data-testid="cancel-alert-button"
          disabled={!cancel.enabled || busy !== null}
          aria-describedby={blocked ? reasonId : undefined}
          onClick={() => onChange("cancel")}
        >
          {busy === "cancel" ? t("working") : t("alertCancel")}
        </button>
      </div>
      {blocked && (
        <p id={reasonId} className="notice" data-testid="action-reason" data-reason={blocked}>
          {reasonText(t, blocked)}{" "}
          {pendingMessageId && (
            <button type="button" className="link-button" onClick={() => onOpenPending(pendingMessageId)}>
              {t("alertOpenPending")}
            </button>
          )}
        </p>
      )}
    </div>
  );
}
