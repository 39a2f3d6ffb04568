import { useId } from "react";
import type { ActionState } from "../../alerts/actions";
import { useI18n } from "../../i18n/I18nProvider";
import { reasonText } from "./MessageActions";
import type { Busy } from "./types";

/** Update or Cancel of a published alert, or why neither can be done now (another message of it is pending). */
export function AlertChangeActions({
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
