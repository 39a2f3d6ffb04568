import { isUuid, NotFoundError, parseInput, ValidationError } from "@hub/common";
import {
  DETECTION_ROLES,
  type IncidentStatus,
  type IncidentView,
  type IncidentWorkflow,
  incidentAssignmentRequestSchema,
  incidentMergeRequestSchema,
  incidentNoteRequestSchema,
  incidentStepRequestSchema,
  incidentTransitionRequestSchema,
  type ProcedureStepView,
  type TimelineEntry,
} from "@hub/contracts";
import type { CorrelatorGateway } from "../gateways/correlator.gateway.js";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { ActivityRow, IncidentWorkflowRepository } from "../repositories/incident-workflow.repository.js";
import type { Procedures } from "../repositories/procedures-file.repository.js";
import type { ViewsRepository } from "../repositories/views.repository.js";
import { AuthService, type Principal } from "./auth.service.js";
import type { LiveHub } from "./live.service.js";

/** Who may read the text of notes (they may hold personal data): the roles that see individual detections. */
const NOTE_READERS = DETECTION_ROLES;

/**
 * The incident workflow behind the dashboard's incident panel: state changes, assignment, notes, the procedure
 * checklist and merges (through the correlator, which owns incidents), and the timeline that shows them.
 */
export class IncidentWorkflowService {
  constructor(
    private readonly deps: {
      correlator: CorrelatorGateway;
      workflow: IncidentWorkflowRepository;
      views: ViewsRepository;
      audit: AuditRepository;
      live: LiveHub;
      procedures: Procedures;
    },
  ) {}

  async transition(user: Principal, id: string, body: unknown): Promise<IncidentView> {
    this.checkOperator(user, id);
    const request = parseInput(incidentTransitionRequestSchema, body ?? {}, "body");
    await this.deps.correlator.transition(id, user.username, request.to, request.reason ?? "", request.expectedVersion);
    await this.deps.audit.record({
      actor: user.username,
      action: `incident.${request.to}`,
      subject: id,
      ...(request.reason ? { detail: { reason: request.reason } } : {}),
    });
    return this.show(id);
  }

  async assign(user: Principal, id: string, body: unknown): Promise<IncidentView> {
    this.checkOperator(user, id);
    const request = parseInput(incidentAssignmentRequestSchema, body ?? {}, "body");
    if (request.operator && !(await this.deps.workflow.userExists(request.operator))) {
      throw new ValidationError("body.operator", `no active user ${request.operator}`);
    }
    await this.deps.correlator.assign(id, user.username, request, request.expectedVersion);
    await this.deps.audit.record({
      actor: user.username,
      action: "incident.assign",
      subject: id,
      detail: { operator: request.operator, unit: request.unit, cadReference: request.cadReference },
    });
    return this.show(id);
  }

  /** Appends a note. Its text may hold personal data: the audit trail records that one was written, not what. */
  async addNote(user: Principal, id: string, body: unknown): Promise<IncidentView> {
    this.checkOperator(user, id);
    const request = parseInput(incidentNoteRequestSchema, body ?? {}, "body");
    await this.deps.correlator.addNote(id, user.username, request.text);
    await this.deps.audit.record({ actor: user.username, action: "incident.note", subject: id, personalData: true });
    return this.show(id);
  }

  async setStep(user: Principal, id: string, stepId: string, body: unknown): Promise<IncidentView> {
    this.checkOperator(user, id);
    const request = parseInput(incidentStepRequestSchema, body ?? {}, "body");
    const incident = await this.deps.workflow.workflow(id);
    if (!incident) throw new NotFoundError("params.id", `no incident ${id}`);
    if (!this.stepsOf(incident.kind).some((step) => step.id === stepId)) {
      throw new ValidationError("params.stepId", `not a step of the ${incident.kind} procedure`);
    }
    await this.deps.correlator.setStep(id, user.username, stepId, request.done);
    await this.deps.audit.record({
      actor: user.username,
      action: "incident.procedure_step",
      subject: id,
      detail: { stepId, done: request.done },
    });
    return this.show(id);
  }

  async merge(user: Principal, id: string, body: unknown): Promise<IncidentView> {
    this.checkOperator(user, id);
    const request = parseInput(incidentMergeRequestSchema, body ?? {}, "body");
    if (request.otherId.toLowerCase() === id.toLowerCase()) {
      throw new ValidationError("body.otherId", "must be another incident");
    }
    await this.deps.correlator.merge(id, request.otherId.toLowerCase(), user.username, request.expectedVersion);
    await this.deps.audit.record({
      actor: user.username,
      action: "incident.merge",
      subject: id,
      detail: { merged: request.otherId },
    });
    const other = await this.deps.views.incident(request.otherId.toLowerCase());
    if (other) this.deps.live.incident(other.incident);
    return this.show(id);
  }

  /** Assignment, checklist and timeline; reading note text is audited as personal data. */
  async workflow(user: Principal, id: string): Promise<IncidentWorkflow> {
    if (!isUuid(id)) throw new ValidationError("params.id", "must be an incident id (UUID)");
    const [incident, detail, activity, alerts] = await Promise.all([
      this.deps.workflow.workflow(id),
      this.deps.views.incident(id),
      this.deps.workflow.activity(id),
      this.deps.workflow.alertMessages(id),
    ]);
    if (!incident || !detail) throw new NotFoundError("params.id", `no incident ${id}`);
    const notesVisible = NOTE_READERS.some((role) => user.roles.includes(role));
    const timeline: TimelineEntry[] = [
      ...detail.evidence.map(
        (e): TimelineEntry => ({
          type: "evidence",
          at: e.observedAt,
          eventId: e.eventId,
          eventKind: e.eventKind,
          sourceId: e.sourceId,
          summary: e.summary,
        }),
      ),
      ...activity.flatMap((row) => timelineEntry(row, notesVisible)),
      ...alerts.map(
        (row): TimelineEntry => ({
          type: "alert",
          at: row.drafted_at.toISOString(),
          actor: row.drafted_by,
          alertId: row.alert_id,
          messageType: row.msg_type,
          messageStatus: row.status,
        }),
      ),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const hasNotes = activity.some((row) => row.kind === "note");
    if (hasNotes && notesVisible) {
      await this.deps.audit.record({
        actor: user.username,
        action: "incident.notes.view",
        subject: id,
        personalData: true,
      });
    }
    return {
      incidentId: id,
      assignedOperator: incident.assigned_operator,
      assignedUnit: incident.assigned_unit,
      cadReference: incident.cad_reference,
      mergedInto: incident.merged_into,
      procedure: this.procedure(incident.kind, activity),
      timeline,
      notesVisible,
    };
  }

  private procedure(kind: string, activity: ActivityRow[]): ProcedureStepView[] {
    const last = new Map<string, ActivityRow>();
    for (const row of activity) if (row.kind === "sop_step" && row.step_id) last.set(row.step_id, row);
    return this.stepsOf(kind).map((step) => {
      const row = last.get(step.id);
      const done = row?.step_done === true;
      return {
        id: step.id,
        title: step.title,
        done,
        by: done ? (row?.actor ?? null) : null,
        at: done ? (row?.at.toISOString() ?? null) : null,
      };
    });
  }

  private stepsOf(kind: string) {
    return this.deps.procedures.get(kind) ?? [];
  }

  private checkOperator(user: Principal, id: string): void {
    AuthService.require(user, "operator");
    if (!isUuid(id)) throw new ValidationError("params.id", "must be an incident id (UUID)");
  }

  /** The incident as it now stands, shown at once (the same change also arrives through Kafka). */
  private async show(id: string): Promise<IncidentView> {
    const detail = await this.deps.views.incident(id);
    if (!detail) throw new NotFoundError("params.id", `no incident ${id}`);
    this.deps.live.incident(detail.incident);
    return detail.incident;
  }
}

function timelineEntry(row: ActivityRow, notesVisible: boolean): TimelineEntry[] {
  const at = row.at.toISOString();
  switch (row.kind) {
    case "transition":
      return [
        {
          type: "transition",
          at,
          actor: row.actor,
          from: row.from_status as IncidentStatus,
          to: row.to_status as IncidentStatus,
          reason: row.reason,
        },
      ];
    case "assignment":
      return [
        {
          type: "assignment",
          at,
          actor: row.actor,
          operator: row.assigned_operator,
          unit: row.assigned_unit,
          cadReference: row.cad_reference,
        },
      ];
    case "note":
      return [{ type: "note", at, actor: row.actor, text: notesVisible ? row.note : null }];
    case "sop_step":
      return [{ type: "step", at, actor: row.actor, stepId: row.step_id ?? "", done: row.step_done === true }];
    case "merge":
      return [
        { type: "merge", at, actor: row.actor, otherIncidentId: row.other_incident_id ?? "", reason: row.reason },
      ];
    default:
      return [];
  }
}
