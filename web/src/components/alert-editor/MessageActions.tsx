import type { ReactNode } from "react";
import { useId } from "react";
import type { ActionBlock, ActionState, messageActions } from "../../alerts/actions";
import type { MessageDecision } from "../../api";
import { useI18n } from "../../i18n/I18nProvider";
import type { Busy } from "./types";

/** The reason a shown action is disabled, in words next to it. */
export function reasonText(t: ReturnType<typeof useI18n>["t"], reason: ActionBlock): string {
  return t(`alertReason_${reason}`);
}

/** Save, submit and the decisions on a message, with the note they take and why any is disabled. */
export function MessageActions({
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
