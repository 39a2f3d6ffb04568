import type { IncidentView } from "@hub/contracts";
import { type FormEvent, useId, useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useLive } from "../LiveContext";
import { useIncidentAction } from "./useIncidentAction";

/** Appends a note to the incident (append-only; writing it is audited). */
export function NoteForm({ incident }: { incident: IncidentView }) {
  const { t } = useI18n();
  const { api } = useLive();
  const { busy, error, run } = useIncidentAction();
  const id = useId();
  const [text, setText] = useState("");

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (
      await run(
        "note",
        () => api.addNote(incident.id, text.trim()),
        () => t("noteAdded"),
      )
    )
      setText("");
  };

  return (
    <form className="workflow-part" onSubmit={(event) => void add(event)} data-testid="note-form">
      <div className="field">
        <label htmlFor={`${id}-note`}>{t("noteText")}</label>
        <textarea
          id={`${id}-note`}
          rows={3}
          maxLength={4000}
          value={text}
          aria-describedby={`${id}-hint`}
          onChange={(event) => setText(event.target.value)}
        />
        <p id={`${id}-hint`} className="hint">
          {t("noteHint")}
        </p>
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={busy !== null || !text.trim()}>
          {busy ? t("working") : t("addNote")}
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
