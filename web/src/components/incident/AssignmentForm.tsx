import type { IncidentView, IncidentWorkflow } from "@hub/contracts";
import { type FormEvent, useEffect, useId, useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useLive } from "../LiveContext";
import { useIncidentAction } from "./useIncidentAction";

/** Who works the incident: an operator (username), a unit (free text), and the CAD reference. */
export function AssignmentForm({ incident, workflow }: { incident: IncidentView; workflow: IncidentWorkflow }) {
  const { t } = useI18n();
  const { api } = useLive();
  const { busy, error, run } = useIncidentAction();
  const id = useId();
  const [operator, setOperator] = useState(workflow.assignedOperator ?? "");
  const [unit, setUnit] = useState(workflow.assignedUnit ?? "");
  const [cadReference, setCadReference] = useState(workflow.cadReference ?? "");

  // Someone else changed it: show what is stored now.
  useEffect(() => {
    setOperator(workflow.assignedOperator ?? "");
    setUnit(workflow.assignedUnit ?? "");
    setCadReference(workflow.cadReference ?? "");
  }, [workflow.assignedOperator, workflow.assignedUnit, workflow.cadReference]);

  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(
      "assign",
      () =>
        api.assign(incident.id, {
          operator: operator.trim() || null,
          unit: unit.trim() || null,
          cadReference: cadReference.trim() || null,
        }),
      (changed) => t("assignmentSaved", { title: changed.title }),
    );
  };

  return (
    <form className="workflow-part" aria-labelledby={`${id}-heading`} onSubmit={save} data-testid="assignment-form">
      <h4 id={`${id}-heading`}>{t("assignment")}</h4>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-operator`}>{t("assignedOperator")}</label>
          <input
            id={`${id}-operator`}
            value={operator}
            maxLength={128}
            autoComplete="off"
            onChange={(event) => setOperator(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-unit`}>{t("assignedUnit")}</label>
          <input
            id={`${id}-unit`}
            value={unit}
            maxLength={128}
            aria-describedby={`${id}-unit-hint`}
            onChange={(event) => setUnit(event.target.value)}
          />
          <p id={`${id}-unit-hint`} className="hint">
            {t("assignedUnitHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-cad`}>{t("cadReference")}</label>
          <input
            id={`${id}-cad`}
            value={cadReference}
            maxLength={128}
            onChange={(event) => setCadReference(event.target.value)}
          />
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={busy !== null}>
          {busy ? t("working") : t("saveAssignment")}
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
