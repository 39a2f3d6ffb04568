import { ConflictError, NotFoundError, PreconditionError, ValidationError } from "@hub/common";
import type { GetIncidentResponse, Incident } from "@hub/proto";
import type { IncidentRepository } from "../repositories/incident.repository.js";
import type { TransactionRepository } from "../repositories/transaction.repository.js";
import { type IncidentPublisher, toIncident } from "./incident-publisher.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** From which statuses each transition may start. */
const ALLOWED_FROM = { acknowledged: ["open"], resolved: ["open", "acknowledged", "dispatched", "on_scene"] } as const;

/**
 * The incident lifecycle, open → acknowledged → resolved, for the command centre: each change records who and
 * when, bumps the version, and is published through the outbox in the same transaction.
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

  private async transition(
    id: string,
    to: "acknowledged" | "resolved",
    actor: string,
    expectedVersion: number,
  ): Promise<Incident> {
    checkId(id);
    if (!actor.trim()) throw new ValidationError("actor", "is required: who is doing this");
    if (actor.length > 128) throw new ValidationError("actor", "must be at most 128 characters");
    return this.deps.transactions.run(async (client) => {
      const current = await this.deps.incidents.get(client, id, true);
      if (!current) throw new NotFoundError("id", `incident ${id} does not exist`);
      if (expectedVersion && current.version !== expectedVersion) {
        throw new ConflictError(
          "expected_version",
          `incident is at version ${current.version}, not ${expectedVersion}; reload it`,
        );
      }
      if (!(ALLOWED_FROM[to] as readonly string[]).includes(current.status)) {
        throw new PreconditionError("id", `incident ${id} is ${current.status}; it cannot become ${to}`);
      }
      const updated = await this.deps.incidents.transition(client, id, to, actor);
      await this.deps.publisher.publish(client, [id]);
      return toIncident(updated, await this.deps.incidents.evidenceIds(client, id));
    });
  }
}

function checkId(id: string): void {
  if (!UUID.test(id)) throw new ValidationError("id", "must be an incident id (UUID)");
}
