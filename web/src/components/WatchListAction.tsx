import { type FormEvent, useId, useRef, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";

/** "2026-12-06T15:30" (a datetime-local input's value, local time) from a Date. */
export function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value as ISO-8601 (UTC); left as typed when it is not a date, for the gateway to refuse. */
export function isoOfLocal(value: string): string {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

/**
 * One decision on a watch-list entry, in two steps: the button opens a small form that says what will happen and
 * asks for what the decision needs (a reason; a new expiry), and only its confirm button acts.
 */
export function WatchListAction({
  label,
  accessibleLabel,
  warning,
  needs,
  testId,
  onConfirm,
}: {
  label: string;
  /** The button's name for assistive technology, naming the entry ("Approve WL-…"). */
  accessibleLabel: string;
  warning: string;
  needs: "nothing" | "reason" | "expiry";
  testId: string;
  onConfirm(input: { reason: string; expiresAt: string }): Promise<unknown>;
}) {
  const { t } = useI18n();
  const ids = { reason: useId(), expiresAt: useId(), warning: useId() };
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [expiresAt, setExpiresAt] = useState(() => localInput(new Date(Date.now() + 30 * 86_400_000)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);

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
    onConfirm({ reason, expiresAt: isoOfLocal(expiresAt) })
      .then(() => setOpen(false))
      .catch((failure: unknown) => {
        const { title, detail } = describeError(failure);
        setError(t("watchListActionFailed", { detail: detail || title }));
      })
      .finally(() => setBusy(false));
  };

  if (!open)
    return (
      <button
        type="button"
        className="button"
        ref={opener}
        data-testid={`${testId}-open`}
        aria-label={accessibleLabel}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
    );
  return (
    <form className="watch-list-action" onSubmit={submit} data-testid={`${testId}-form`} aria-describedby={ids.warning}>
      <p id={ids.warning} className="muted">
        {warning}
      </p>
      {needs === "expiry" && (
        <div className="field">
          <label htmlFor={ids.expiresAt}>{t("watchListNewExpiry")}</label>
          <input
            id={ids.expiresAt}
            type="datetime-local"
            required
            data-testid={`${testId}-expires-at`}
            value={expiresAt}
            onChange={(event) => setExpiresAt(event.target.value)}
          />
        </div>
      )}
      {needs !== "nothing" && (
        <div className="field">
          <label htmlFor={ids.reason}>{t("watchListDecisionReason")}</label>
          <textarea
            id={ids.reason}
            data-testid={`${testId}-reason`}
            required
            minLength={10}
            maxLength={500}
            rows={2}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy} data-testid={`${testId}-confirm`}>
          {t("watchListConfirm", { action: label })}
        </button>
        <button type="button" className="button" onClick={close}>
          {t("watchListCancel")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </form>
  );
}
