import { type IncidentView, type IncidentWorkflow, isClosedIncidentStatus } from "@hub/contracts";
import { useEffect, useId, useState } from "react";
import { describeError } from "../../api";
import { useI18n } from "../../i18n/I18nProvider";
import type { Loadable } from "../hooks";
import { useLive } from "../LiveContext";
import { AssignmentForm } from "./AssignmentForm";
import { IncidentTimeline } from "./IncidentTimeline";
import { MergeForm } from "./MergeForm";
import { NoteForm } from "./NoteForm";
import { ProcedureChecklist } from "./ProcedureChecklist";
import { StatusActions } from "./StatusActions";

/**
 * The incident panel's workflow: next steps, assignment, procedure checklist, notes, merge, and the timeline.
 * Loaded again whenever the incident's version moves on (any change, from this dashboard or another).
 */
export function IncidentWorkflowSection({ incident, isOperator }: { incident: IncidentView; isOperator: boolean }) {
  const { t } = useI18n();
  const { api } = useLive();
  const id = useId();
  const [workflow, setWorkflow] = useState<Loadable<IncidentWorkflow>>({ state: "loading" });
  const version = incident.version;

  useEffect(() => {
    void version;
    let cancelled = false;
    api
      .incidentWorkflow(incident.id)
      .then((value) => {
        if (!cancelled) setWorkflow({ state: "loaded", value });
      })
      .catch((error: unknown) => {
        if (!cancelled)
          setWorkflow((previous) => (previous.state === "loaded" ? previous : { state: "failed", error }));
      });
    return () => {
      cancelled = true;
    };
  }, [api, incident.id, version]);

  const open = !isClosedIncidentStatus(incident.status);
  const value = workflow.state === "loaded" ? workflow.value : null;
  return (
    <section className="incident-workflow" aria-labelledby={`${id}-heading`} data-testid="incident-workflow">
      <h3 id={`${id}-heading`}>{t("workflow")}</h3>
      {workflow.state === "failed" && (
        <p role="alert" className="error">
          {t("loadFailed", { detail: describeError(workflow.error).detail })}
        </p>
      )}
      {workflow.state === "loading" && <p aria-busy="true">{t("loading")}</p>}
      {value?.mergedInto && <p>{t("mergedInto", { id: value.mergedInto.slice(0, 8) })}</p>}
      {isOperator && open && <StatusActions incident={incident} />}
      {value && isOperator && open && <AssignmentForm incident={incident} workflow={value} />}
      {value && <ProcedureChecklist incident={incident} workflow={value} canTick={isOperator && open} />}
      {isOperator && (
        <section className="workflow-part" aria-labelledby={`${id}-notes`}>
          <h4 id={`${id}-notes`}>{t("notes")}</h4>
          <NoteForm incident={incident} />
        </section>
      )}
      {isOperator && open && <MergeForm incident={incident} />}
      {value && <IncidentTimeline workflow={value} />}
    </section>
  );
}
