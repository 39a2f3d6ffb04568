import { type PoolClient, topics } from "@hub/common";
import {
  INCIDENT_STATUS_PROTO,
  type Incident,
  IncidentRecord,
  IncidentSeverity,
  IncidentStatus,
  type IncidentStatusName,
} from "@hub/proto";
import type { IncidentRepository, IncidentRow } from "../repositories/incident.repository.js";
import type { OutboxRepository } from "../repositories/outbox.repository.js";
import type { IncidentChanges } from "./correlation.service.js";
import type { Severity } from "./rules.js";

const severityProto: Record<Severity, IncidentSeverity> = {
  minor: IncidentSeverity.INCIDENT_SEVERITY_MINOR,
  moderate: IncidentSeverity.INCIDENT_SEVERITY_MODERATE,
  severe: IncidentSeverity.INCIDENT_SEVERITY_SEVERE,
  extreme: IncidentSeverity.INCIDENT_SEVERITY_EXTREME,
};

export function toIncident(row: IncidentRow, evidenceEventIds: string[]): Incident {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    ruleDefinitionVersion: row.rule_definition_version ?? 0,
    kind: row.kind,
    severity: severityProto[row.severity],
    status: INCIDENT_STATUS_PROTO[row.status as IncidentStatusName] ?? IncidentStatus.INCIDENT_STATUS_UNSPECIFIED,
    title: row.title,
    titles: row.titles ?? { "zh-Hant": row.title, pt: row.title, en: row.title },
    position: { lat: row.lat, lon: row.lon },
    h3Cell: row.h3_cell,
    firstEventAt: row.first_event_at,
    lastEventAt: row.last_event_at,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    evidenceEventIds,
    version: row.version,
  };
}

/** Puts each changed incident, as it now stands, into the outbox: relayed to hub.incidents.v1 after commit. */
export class IncidentPublisher implements IncidentChanges<PoolClient> {
  constructor(private readonly deps: { incidents: IncidentRepository; outbox: OutboxRepository }) {}

  async publish(client: PoolClient, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const messages = [];
    // One statement for the incidents and their evidence, not one per incident.
    for (const { row, evidenceIds } of await this.deps.incidents.getManyWithEvidence(client, ids)) {
      const incident = toIncident(row, evidenceIds);
      messages.push({
        topic: topics.incidents.name,
        key: row.id,
        value: Buffer.from(IncidentRecord.encode({ incident }).finish()),
        headers: { "hub-type": "hub.v1.IncidentRecord" },
      });
    }
    await this.deps.outbox.add(client, messages);
  }
}
