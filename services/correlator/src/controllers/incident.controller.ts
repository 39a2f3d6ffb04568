import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { type GrpcContext, unary } from "@hub/common";
import {
  type AcknowledgeIncidentRequest,
  type AddIncidentNoteRequest,
  type AssignIncidentRequest,
  type GetIncidentRequest,
  incidentStatusName,
  type ListIncidentsRequest,
  type MergeIncidentsRequest,
  type ResolveIncidentRequest,
  type SetIncidentStepRequest,
  type TransitionIncidentRequest,
} from "@hub/proto";
import type { IncidentService } from "../services/incident.service.js";

/** hub.v1.IncidentService */
export function incidentController(
  service: IncidentService,
  context: GrpcContext<string>,
): UntypedServiceImplementation {
  return {
    listIncidents: unary<ListIncidentsRequest, unknown, string>("ListIncidents", context, async (request) => ({
      incidents: await service.list(request.limit, request.resolvedSince),
    })),
    getIncident: unary<GetIncidentRequest, unknown, string>("GetIncident", context, (request) =>
      service.get(request.id),
    ),
    acknowledgeIncident: unary<AcknowledgeIncidentRequest, unknown, string>(
      "AcknowledgeIncident",
      context,
      async (request) => ({
        incident: await service.acknowledge(request.id, request.actor, request.expectedVersion),
      }),
    ),
    resolveIncident: unary<ResolveIncidentRequest, unknown, string>("ResolveIncident", context, async (request) => ({
      incident: await service.resolve(request.id, request.actor, request.expectedVersion),
    })),
    transitionIncident: unary<TransitionIncidentRequest, unknown, string>(
      "TransitionIncident",
      context,
      async (request) => ({
        incident: await service.transition(
          request.id,
          incidentStatusName(request.to) ?? "",
          request.actor,
          request.expectedVersion,
          request.reason,
        ),
      }),
    ),
    assignIncident: unary<AssignIncidentRequest, unknown, string>("AssignIncident", context, async (request) => ({
      incident: await service.assign(
        request.id,
        request.actor,
        { operator: request.operator, unit: request.unit, cadReference: request.cadReference },
        request.expectedVersion,
      ),
    })),
    addIncidentNote: unary<AddIncidentNoteRequest, unknown, string>("AddIncidentNote", context, async (request) => ({
      incident: await service.addNote(request.id, request.actor, request.text),
    })),
    setIncidentStep: unary<SetIncidentStepRequest, unknown, string>("SetIncidentStep", context, async (request) => ({
      incident: await service.setStep(request.id, request.actor, request.stepId, request.done),
    })),
    mergeIncidents: unary<MergeIncidentsRequest, unknown, string>("MergeIncidents", context, async (request) => ({
      incident: await service.merge(request.id, request.otherId, request.actor, request.expectedVersion),
    })),
  };
}
