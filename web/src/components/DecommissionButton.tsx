import { DECOMMISSION_ROLES } from "@hub/contracts";
import { type FormEvent, useId, useRef, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

/**
 * Decommissions a camera (supervisors and administrators), in two steps: "Decommission" opens a form asking for the
 * reason with a warning, and only its confirm button acts. The camera then leaves the map; its history is kept.
 */
export function DecommissionButton({ cameraId, onDone }: { cameraId: string; onDone(): void }) {
  const { t } = useI18n();
  const { api, user } = useLive();
  const ids = { reason: useId(), warning: useId() };
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  if (!user.roles.some((role) => (DECOMMISSION_ROLES as readonly string[]).includes(role))) return null;

  const close = () => {
    setOpen(false);
    setReason("");
    setError(null);
    opener.current?.focus();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api
      .decommissionCamera(cameraId, { reason })
      .then(() => onDone())
      .catch((failure: unknown) => {
        const { title, detail } = describeError(failure);
        setError(t("decommissionFailed", { detail: detail || title }));
      })
      .finally(() => setBusy(false));
  };

  if (!open)
    return (
      <button
        type="button"
        className="button"
        ref={opener}
        data-testid="decommission-open"
        aria-label={t("decommissionButtonLabel", { camera: cameraId })}
        onClick={() => setOpen(true)}
      >
        {t("decommissionButton")}
      </button>
    );
  return (
    <form
      className="decommission-form"
      onSubmit={submit}
      data-testid="decommission-form"
      aria-describedby={ids.warning}
    >
      <p id={ids.warning} className="muted">
        {t("decommissionWarning")}
      </p>
      <div className="field">
        <label htmlFor={ids.reason}>{t("decommissionReason", { camera: cameraId })}</label>
        <textarea
          id={ids.reason}
          data-testid="decommission-reason"
          required
          maxLength={500}
          rows={2}
          value={reason}
          // biome-ignore lint/a11y/noAutofocus: the field the user just asked for, opened by their own click
          autoFocus
          onChange={(event) => setReason(event.target.value)}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy} data-testid="decommission-confirm">
          {t("decommissionConfirm")}
        </button>
        <button type="button" className="button" onClick={close}>
          {t("decommissionCancel")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
