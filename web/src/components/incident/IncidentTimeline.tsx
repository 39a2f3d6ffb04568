import type { IncidentWorkflow, TimelineEntry } from "@hub/contracts";
import { useId } from "react";
import { useI18n } from "../../i18n/I18nProvider";

/** Everything that happened to the incident, oldest first: evidence, state changes, assignments, notes, alerts. */
export function IncidentTimeline({ workflow }: { workflow: IncidentWorkflow }) {
  const { t, format } = useI18n();
  const id = useId();
  return (
    <section className="workflow-part" aria-labelledby={`${id}-heading`}>
      <h4 id={`${id}-heading`}>{t("timeline")}</h4>
      {workflow.timeline.length === 0 ? (
        <p className="muted">{t("noTimeline")}</p>
      ) : (
        <ol className="timeline" data-testid="incident-timeline">
          {workflow.timeline.map((entry) => (
            <li key={keyOf(entry)} data-type={entry.type}>
              <time dateTime={entry.at}>{format.time(entry.at)}</time> <Entry entry={entry} workflow={workflow} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Entries have no ids of their own; their content, time included, tells them apart. */
function keyOf(entry: TimelineEntry): string {
  return entry.type === "evidence" ? `evidence-${entry.eventId}` : JSON.stringify(entry);
}

function Entry({ entry, workflow }: { entry: TimelineEntry; workflow: IncidentWorkflow }) {
  const { t, language } = useI18n();
  switch (entry.type) {
    case "evidence":
      return (
        <>
          <span className="evidence-kind">{t(`evidence_${entry.eventKind}`)}</span> {entry.summary}{" "}
          <span className="muted">({entry.sourceId})</span>
        </>
      );
    case "transition":
      return (
        <>
          {t("timelineTransition", {
            actor: entry.actor,
            from: t(`status_${entry.from}`),
            to: t(`status_${entry.to}`),
          })}
          {entry.reason && <span className="muted"> {t("timelineReason", { reason: entry.reason })}</span>}
        </>
      );
    case "assignment": {
      const assignee = [entry.operator, entry.unit].filter(Boolean).join(", ") || t("unassigned");
      return (
        <>
          {t("timelineAssignment", { actor: entry.actor, assignee })}
          {entry.cadReference && <span className="muted"> {t("timelineCad", { reference: entry.cadReference })}</span>}
        </>
      );
    }
    case "note":
      return (
        <>
          {t("timelineNote", { actor: entry.actor })}{" "}
          {entry.text === null ? (
            <span className="muted">{t("noteHidden")}</span>
          ) : (
            <q className="note">{entry.text}</q>
          )}
        </>
      );
    case "step": {
      const step = workflow.procedure.find((candidate) => candidate.id === entry.stepId);
      const title = step ? step.title[language] : entry.stepId;
      return <>{t(entry.done ? "timelineStepDone" : "timelineStepUndone", { actor: entry.actor, step: title })}</>;
    }
    case "merge":
      return <>{t("timelineMerge", { actor: entry.actor, other: entry.otherIncidentId.slice(0, 8) })}</>;
    case "alert":
      return <>{t("timelineAlert", { actor: entry.actor, type: entry.messageType, status: entry.messageStatus })}</>;
  }
}
