import { IncidentStatus } from "../gen/hub/v1/incident.js";

/** The incident statuses as the database, REST and Socket.IO name them (contracts' INCIDENT_STATUSES). */
export type IncidentStatusName = "open" | "acknowledged" | "dispatched" | "on_scene" | "resolved" | "false_alarm";

/** Name → wire enum, for every service that writes an IncidentStatus. */
export const INCIDENT_STATUS_PROTO: Readonly<Record<IncidentStatusName, IncidentStatus>> = {
  open: IncidentStatus.INCIDENT_STATUS_OPEN,
  acknowledged: IncidentStatus.INCIDENT_STATUS_ACKNOWLEDGED,
  dispatched: IncidentStatus.INCIDENT_STATUS_DISPATCHED,
  on_scene: IncidentStatus.INCIDENT_STATUS_ON_SCENE,
  resolved: IncidentStatus.INCIDENT_STATUS_RESOLVED,
  false_alarm: IncidentStatus.INCIDENT_STATUS_FALSE_ALARM,
};

/** Wire enum → name; UNSPECIFIED and unknown values have none. */
export function incidentStatusName(status: IncidentStatus): IncidentStatusName | undefined {
  return (Object.keys(INCIDENT_STATUS_PROTO) as IncidentStatusName[]).find(
    (name) => INCIDENT_STATUS_PROTO[name] === status,
  );
}
