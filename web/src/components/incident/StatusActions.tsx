import { INCIDENT_TRANSITIONS, type IncidentStatus, type IncidentView } from "@hub/contracts";
import { useId, useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useLive } from "../LiveContext";
import { useIncidentAction } from "./useIncidentAction";

/** The acknowledge and resolve buttons of the panel stay where they were; these are the other steps. */
const HERE = ["dispatched", "on_scene"] as const;

type Target = Exclude<IncidentStatus, "open">;

/** Buttons for the next steps the workflow allows (dispatched, on scene) and the false-alarm form with its reason. */
export function StatusActions({ incident }: { incident: IncidentView }) {
  const { t } = useI18n();
  const { api } = useLive();
  const { busy, error, run } = useIncidentAction();
  const reasonId = useId();
  const [reason, setReason] = useState("");
  const [reasonMissing, setReasonMissing] = useState(false);
  const next = INCIDENT_TRANSITIONS[incident.status] as readonly IncidentStatus[];
  const moved = (changed: IncidentView) =>
    t("incidentMovedTo", { title: changed.title, status: t(`status_${changed.status}`) });

  const move = (to: Target, why?: string) =>
    run(to, () => api.transition(incident.id, { to, reason: why, expectedVersion: incident.version }), moved);

  const dismiss = async () => {
    if (!reason.trim()) {
      setReasonMissing(true);
      return;
    }
    setReasonMissing(false);
    if (await move("false_alarm", reason.trim())) setReason("");
  };

  return (
    <section className="workflow-part" aria-labelledby={`${reasonId}-heading`}>
      <h4 id={`${reasonId}-heading`}>{t("statusActions")}</h4>
      <div className="actions">
        {HERE.filter((to) => next.includes(to)).map((to) => (
          <button
            key={to}
            type="button"
            className="button"
            data-testid={`transition-${to}`}
            disabled={busy !== null}
            onClick={() => void move(to)}
          >
            {busy === to ? t("working") : t(`transitionTo_${to}`)}
          </button>
        ))}
      </div>
      {next.includes("false_alarm") && (
        <div className="field">
          <label htmlFor={reasonId}>{t("falseAlarmReason")}</label>
          <textarea
            id={reasonId}
            rows={2}
            maxLength={1000}
            value={reason}
            aria-invalid={reasonMissing}
            aria-describedby={reasonMissing ? `${reasonId}-error` : undefined}
            data-testid="false-alarm-reason"
            onChange={(event) => setReason(event.target.value)}
          />
          {reasonMissing && (
            <p id={`${reasonId}-error`} className="error field-error">
              {t("reasonRequired")}
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              className="button"
              data-testid="false-alarm-button"
              disabled={busy !== null}
              onClick={() => void dismiss()}
            >
              {busy === "false_alarm" ? t("working") : t("confirmFalseAlarm")}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
