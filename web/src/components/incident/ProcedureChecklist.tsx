import type { IncidentView, IncidentWorkflow } from "@hub/contracts";
import { useId } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useLive } from "../LiveContext";
import { useIncidentAction } from "./useIncidentAction";

/** The standard operating procedure of the incident's kind, ticked by operators; who ticked each step and when. */
export function ProcedureChecklist({
  incident,
  workflow,
  canTick,
}: {
  incident: IncidentView;
  workflow: IncidentWorkflow;
  canTick: boolean;
}) {
  const { t, language, format } = useI18n();
  const { api } = useLive();
  const { busy, error, run } = useIncidentAction();
  const id = useId();

  return (
    <section className="workflow-part" aria-labelledby={`${id}-heading`} data-testid="procedure">
      <h4 id={`${id}-heading`}>{t("procedure")}</h4>
      {workflow.procedure.length === 0 ? (
        <p className="muted">{t("noProcedure")}</p>
      ) : (
        <ul className="checklist">
          {workflow.procedure.map((step) => (
            <li key={step.id}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={step.done}
                  disabled={!canTick || busy !== null}
                  data-testid={`step-${step.id}`}
                  onChange={(event) => {
                    const done = event.target.checked;
                    void run(
                      step.id,
                      () => api.setStep(incident.id, step.id, done),
                      () => t("stepSaved", { step: step.title[language] }),
                    );
                  }}
                />{" "}
                {step.title[language]}
              </label>
              {step.done && step.by && step.at && (
                <span className="muted"> {t("stepDoneBy", { user: step.by, time: format.dateTime(step.at) })}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
