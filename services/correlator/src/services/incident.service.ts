import { ConflictError, NotFoundError, type PoolClient, PreconditionError, ValidationError } from "@hub/common";
import { INCIDENT_STATUSES, INCIDENT_TRANSITIONS, type IncidentStatus } from "@hub/contracts";
import type { GetIncidentResponse, Incident } from "@hub/proto";
import type { IncidentActivity, IncidentRepository, IncidentRow } from "../repositories/incident.repository.js";
import type { TransactionRepository } from "../repositories/transaction.repository.js";
import { type IncidentPublisher, toIncident } from "./incident-publisher.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether the workflow allows `from` → `to` (INCIDENT_TRANSITIONS); unknown statuses allow nothing. */
export function canTransition(from: string, to: string): boolean {
  const next = INCIDENT_TRANSITIONS[from as IncidentStatus] as readonly string[] | undefined;
  return next?.includes(to) ?? false;
}

const MAX_REASON = 1000;
const MAX_NOTE = 4000;
const MAX_FIELD = 128;

/**
 * The incident workflow for the command centre (open → acknowledged → dispatched → on_scene → resolved, or
 * false_alarm; assignment, notes, procedure steps, merges): each change is appended to the incident's activity
 * with who and when, bumps the version, and is published through the outbox in the same transaction.
 */
export class IncidentService {
  constructor(
    private readonly deps: {
      transactions: TransactionRepository;
      incidents: IncidentRepository;
      publisher: IncidentPublisher;
    },
  ) {}

  /** The handle for reads outside a transaction, passed to the repository. */
  private get pool() {
    return this.deps.transactions.pool;
  }

  async list(limit: number, resolvedSince: Date | undefined): Promise<Incident[]> {
    if (limit < 0 || limit > 500) throw new ValidationError("limit", "must be within 1..500");
    const rows = await this.deps.incidents.list(this.pool, limit || 100, resolvedSince);
    return Promise.all(
      rows.map(async (row) => toIncident(row, await this.deps.incidents.evidenceIds(this.pool, row.id))),
    );
  }

  async get(id: string): Promise<GetIncidentResponse> {
    checkId(id);
    const row = await this.deps.incidents.get(this.pool, id);
    if (!row) throw new NotFoundError("id", `incident ${id} does not exist`);
    const evidence = await this.deps.incidents.evidence(this.pool, id);
    return {
      incident: toIncident(
        row,
        evidence.map((e) => e.event_id),
      ),
      evidence: evidence.map((e) => ({
        eventId: e.event_id,
        eventKind: e.event_kind,
        observedAt: e.observed_at,
        sourceId: e.source_id,
        eventJson: JSON.stringify(e.event),
        late: e.late,
      })),
      acknowledgedBy: row.acknowledged_by ?? "",
      acknowledgedAt: row.acknowledged_at ?? undefined,
      resolvedBy: row.resolved_by ?? "",
      resolvedAt: row.resolved_at ?? undefined,
    };
  }

  acknowledge(id: string, actor: string, expectedVersion: number): Promise<Incident> {
    return this.transition(id, "acknowledged", actor, expectedVersion);
  }

  resolve(id: string, actor: string, expectedVersion: number): Promise<Incident> {
    return this.transition(id, "resolved", actor, expectedVersion);
  }

  /** Any step the workflow allows; false_alarm needs a reason. */
  transition(id: string, to: string, actor: string, expectedVersion: number, reason = ""): Promise<Incident> {
    if (!(INCIDENT_STATUSES as readonly string[]).includes(to) || to === "open") {
      throw new ValidationError("to", `must be one of ${INCIDENT_STATUSES.filter((s) => s !== "open").join(", ")}`);
    }
    const why = reason.trim();
    if (to === "false_alarm" && !why)
      throw new ValidationError("reason", "is required for a false alarm: why it is one");
    if (why.length > MAX_REASON) throw new ValidationError("reason", `must be at most ${MAX_REASON} characters`);
    return this.change(id, actor, expectedVersion, async (client, current) => {
      if (!canTransition(current.status, to)) {
        throw new PreconditionError("to", `incident ${id} is ${current.status}; it cannot become ${to}`);
      }
      await this.deps.incidents.addActivity(client, id, actor, {
        kind: "transition",
        fromStatus: current.status,
        toStatus: to,
        reason: why || null,
      });
      return this.deps.incidents.transition(client, id, to, actor);
    });
  }

  /** Who works the incident (an operator, a unit, or both) and its CAD reference; empty strings clear them. */
  assign(
    id: string,
    actor: string,
    assignment: { operator: string; unit: string; cadReference: string },
    expectedVersion: number,
  ): Promise<Incident> {
    const value = {
      operator: optionalText("operator", assignment.operator),
      unit: optionalText("unit", assignment.unit),
      cadReference: optionalText("cad_reference", assignment.cadReference),
    };
    return this.change(id, actor, expectedVersion, async (client, current) => {
      refuseClosed(current);
      await this.deps.incidents.addActivity(client, id, actor, { kind: "assignment", ...value });
      return this.deps.incidents.assign(client, id, value);
    });
  }

  addNote(id: string, actor: string, text: string): Promise<Incident> {
    const note = text.trim();
    if (!note) throw new ValidationError("text", "is required");
    if (note.length > MAX_NOTE) throw new ValidationError("text", `must be at most ${MAX_NOTE} characters`);
    // Notes are allowed on closed incidents too: what was learnt afterwards still belongs with them.
    return this.change(id, actor, 0, (client) => this.record(client, id, actor, { kind: "note", note }));
  }

  setStep(id: string, actor: string, stepId: string, done: boolean): Promise<Incident> {
    if (!/^[a-z0-9_-]{1,64}$/.test(stepId)) throw new ValidationError("step_id", "must be a procedure step id");
    return this.change(id, actor, 0, async (client, current) => {
      refuseClosed(current);
      return this.record(client, id, actor, { kind: "sop_step", stepId, done });
    });
  }

  /** Merges `otherId` into `id`: the other's evidence is copied here, the other is closed "merged into" this one. */
  merge(id: string, otherId: string, actor: string, expectedVersion: number): Promise<Incident> {
    checkId(otherId, "other_id");
    if (otherId === id) throw new ValidationError("other_id", "must be another incident");
    return this.change(id, actor, expectedVersion, async (client, current) => {
      refuseClosed(current);
      const other = await this.deps.incidents.get(client, otherId, true);
      if (!other) throw new NotFoundError("other_id", `incident ${otherId} does not exist`);
      if (isClosed(other.status)) {
        throw new PreconditionError("other_id", `incident ${otherId} is ${other.status}; only open incidents merge`);
      }
      const { kept } = await this.deps.incidents.merge(client, id, otherId, actor);
      const reason = `merged into ${id}`;
      await this.deps.incidents.addActivity(client, otherId, actor, { kind: "merge", otherIncidentId: id, reason });
      await this.deps.incidents.addActivity(client, otherId, actor, {
        kind: "transition",
        fromStatus: other.status,
        toStatus: "resolved",
        reason,
      });
      await this.deps.incidents.addActivity(client, id, actor, {
        kind: "merge",
        otherIncidentId: otherId,
        reason: `${otherId} merged into this incident`,
      });
      await this.deps.publisher.publish(client, [otherId]);
      return kept;
    });
  }

  private async record(client: PoolClient, id: string, actor: string, activity: IncidentActivity) {
    await this.deps.incidents.addActivity(client, id, actor, activity);
    return this.deps.incidents.touch(client, id);
  }

  /**
   * One change in one transaction: the incident locked, the expected version checked, `apply` run, and the
   * incident as it now stands published through the outbox.
   */
  private async change(
    id: string,
    actor: string,
    expectedVersion: number,
    apply: (client: PoolClient, current: IncidentRow) => Promise<IncidentRow>,
  ): Promise<Incident> {
    checkId(id);
    if (!actor.trim()) throw new ValidationError("actor", "is required: who is doing this");
    if (actor.length > MAX_FIELD) throw new ValidationError("actor", `must be at most ${MAX_FIELD} characters`);
    return this.deps.transactions.run(async (client) => {
      const current = await this.deps.incidents.get(client, id, true);
      if (!current) throw new NotFoundError("id", `incident ${id} does not exist`);
      if (expectedVersion && current.version !== expectedVersion) {
        throw new ConflictError(
          "expected_version",
          `incident is at version ${current.version}, not ${expectedVersion}; reload it`,
        );
      }
      const updated = await apply(client, current);
      await this.deps.publisher.publish(client, [id]);
      return toIncident(updated, await this.deps.incidents.evidenceIds(client, id));
    });
  }
}

function isClosed(status: string): boolean {
  return status === "resolved" || status === "false_alarm";
}

function refuseClosed(incident: IncidentRow): void {
  if (isClosed(incident.status)) {
    throw new PreconditionError("id", `incident ${incident.id} is ${incident.status}; closed incidents do not change`);
  }
}

function optionalText(field: string, value: string): string | null {
  const text = value.trim();
  if (text.length > MAX_FIELD) throw new ValidationError(field, `must be at most ${MAX_FIELD} characters`);
  return text || null;
}

function checkId(id: string, field = "id"): void {
  if (!UUID.test(id)) throw new ValidationError(field, "must be an incident id (UUID)");
}
