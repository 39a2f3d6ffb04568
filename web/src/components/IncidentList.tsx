import type { IncidentView } from "@hub/contracts";
import { memo } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { NewBadge, SeverityBadge, StatusBadge } from "./Badges";
import { useNow } from "./hooks";
import { useLive } from "./LiveContext";

interface IncidentListProps {
  selectedId: string | null;
  onSelect(id: string): void;
}

/** Open and acknowledged incidents, most severe first, then the most recently opened. */
export function IncidentList({ selectedId, onSelect }: IncidentListProps) {
  const { t } = useI18n();
  const { store } = useLive();
  // The "new" highlight fades on its own: look again every second.
  const now = useNow(1000);
  const incidents = store.incidents();

  return (
    <nav className="panel incident-panel" aria-labelledby="incidents-heading">
      <section id="incident-list" data-testid="incident-list" tabIndex={-1} className="incident-list">
        <h2 id="incidents-heading">
          {t("incidentsHeading")} <span className="count">({incidents.length})</span>
        </h2>
        {incidents.length === 0 && <p className="muted">{t("noIncidents")}</p>}
        <ul className="incident-items">
          {incidents.map((incident) => (
            <li key={incident.id}>
              <IncidentItem
                incident={incident}
                isNew={store.isNew(incident.id, now)}
                selected={incident.id === selectedId}
                onSelect={onSelect}
              />
            </li>
          ))}
        </ul>
      </section>
    </nav>
  );
}

interface IncidentItemProps {
  incident: IncidentView;
  isNew: boolean;
  selected: boolean;
  onSelect(id: string): void;
}

const IncidentItem = memo(function IncidentItem({ incident, isNew, selected, onSelect }: IncidentItemProps) {
  const { t, tOr, title, format } = useI18n();
  return (
    <button
      type="button"
      className={`incident-item severity-edge-${incident.severity}${isNew ? " is-new" : ""}`}
      data-testid="incident-item"
      data-incident-id={incident.id}
      data-status={incident.status}
      data-new={isNew ? "true" : "false"}
      aria-current={selected ? "true" : undefined}
      onClick={() => onSelect(incident.id)}
    >
      <span className="incident-item-head">
        <SeverityBadge severity={incident.severity} />
        <StatusBadge status={incident.status} />
        {isNew && <NewBadge />}
      </span>
      <span className="incident-title">{title(incident)}</span>
      <span className="incident-meta">
        {tOr(`kind_${incident.kind}`, incident.kind)} · {t("openedAt", { time: format.time(incident.openedAt) })} ·{" "}
        {t("evidenceCount", { count: incident.evidenceCount })}
      </span>
    </button>
  );
});
