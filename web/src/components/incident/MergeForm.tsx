import { type IncidentView, isClosedIncidentStatus } from "@hub/contracts";
import { type FormEvent, useId, useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useLive } from "../LiveContext";
import { useIncidentAction } from "./useIncidentAction";

/** Merges another open incident into this one: its evidence comes here and it is closed. */
export function MergeForm({ incident }: { incident: IncidentView }) {
  const { t } = useI18n();
  const { api, store } = useLive();
  const { busy, error, run } = useIncidentAction();
  const id = useId();
  const [otherId, setOtherId] = useState("");
  const candidates = store
    .incidents()
    .filter((other) => other.id !== incident.id && !isClosedIncidentStatus(other.status));

  const merge = async (event: FormEvent) => {
    event.preventDefault();
    if (!otherId) return;
    const merged = await run(
      "merge",
      () => api.merge(incident.id, { otherId, expectedVersion: incident.version }),
      (changed) => t("incidentMerged", { title: changed.title }),
    );
    if (merged) setOtherId("");
  };

  return (
    <form className="workflow-part" aria-labelledby={`${id}-heading`} onSubmit={(event) => void merge(event)}>
      <h4 id={`${id}-heading`}>{t("mergeTitle")}</h4>
      {candidates.length === 0 ? (
        <p className="muted">{t("noMergeCandidates")}</p>
      ) : (
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-other`}>{t("mergeCandidate")}</label>
            <select id={`${id}-other`} value={otherId} onChange={(event) => setOtherId(event.target.value)}>
              <option value="" />
              {candidates.map((other) => (
                <option key={other.id} value={other.id}>
                  {other.title}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" className="button" disabled={busy !== null || !otherId}>
              {busy ? t("working") : t("mergeButton")}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
