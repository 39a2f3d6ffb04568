import type { AlertSummary, CreateMessageRequest, District, MessageView } from "@hub/contracts";
import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from "react";
import { alertActions, isEditable, messageActions } from "../../alerts/actions";
import { addShape, shapeOfDrawing, toggleDistrict } from "../../alerts/areas";
import {
  type AlertForm,
  type AreaForm,
  buildContent,
  emptyArea,
  emptyForm,
  type FieldKey,
  fieldOfProblem,
  formOfContent,
} from "../../alerts/form";
import { ApiError, describeError, type MessageDecision } from "../../api";
import { areaOf, drawReducer, initialDrawState } from "../../cases/draw";
import { useI18n } from "../../i18n/I18nProvider";
import { LANGUAGE_NAMES } from "../../i18n/i18n";
import type { AlertMapController } from "../../map/alert-controller";
import { useLive } from "../LiveContext";
import type { Busy, EditorTarget, NewOrigin, ShownProblem } from "./types";

export interface AlertEditorOptions {
  target: EditorTarget;
  summary: AlertSummary | undefined;
  districts: readonly District[];
  onCreated(message: MessageView): void;
  onStartNew(form: AlertForm, origin: NewOrigin): void;
  onChanged(): void;
}

/** A pending message is looked at again this often (an approver may decide on it meanwhile). */
const PENDING_REFRESH_MS = 5000;

/** The newer of two copies of a message (revisions only grow). */
const newer = (previous: MessageView | null, next: MessageView): boolean =>
  !previous || previous.id !== next.id || next.revision >= previous.revision;

/**
 * The alert editor's state and work: the message as the service has it (loaded, looked at again while pending), the
 * form and whether it has unsaved changes, the area being edited and the shape being drawn, the problem shown and
 * where, and the actions (save, submit and the other decisions, Update and Cancel of the alert).
 */
export function useAlertEditor({ target, summary, districts, onCreated, onStartNew, onChanged }: AlertEditorOptions) {
  const { t } = useI18n();
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

  const editNote = (value: string) => {
    setNote(value);
    if (problem?.field === "note") setProblem(null);
  };

  // ---- Areas and the map --------------------------------------------------------------------------------------

  const districtOrder = useMemo(() => districts.map((district) => district.code), [districts]);
  /** The area being edited on the map (the last one when the active one was removed). */
  const areaIndex = Math.min(activeArea, form.areas.length - 1);
  const area = form.areas[areaIndex];
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
  const addArea = () => {
    setForm((previous) => ({ ...previous, areas: [...previous.areas, emptyArea()] }), "areas");
    setActiveArea(form.areas.length);
  };
  const removeArea = (index: number) => {
    setForm((previous) => ({ ...previous, areas: previous.areas.filter((_, i) => i !== index) }));
    setActiveArea((current) => Math.max(0, current > index ? current - 1 : Math.min(current, form.areas.length - 2)));
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

  return {
    id,
    fieldId,
    message,
    loadError,
    form,
    setForm,
    dirty,
    busy,
    problem,
    notice,
    note,
    editNote,
    actions,
    alertActs,
    editable,
    msgType,
    save,
    decide,
    change,
    districtOrder,
    activeArea,
    setActiveArea,
    areaIndex,
    area,
    updateArea,
    addArea,
    removeArea,
    toggleOnMap,
    fitKey,
    draw,
    dispatch,
    drawn,
    drawProblem,
    addDrawn,
    mapRef,
  };
}

export type AlertEditorState = ReturnType<typeof useAlertEditor>;
