import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { type GrpcContext, unary } from "@hub/common";
import type {
  AcknowledgeIncidentRequest,
  GetIncidentRequest,
  ListIncidentsRequest,
  ResolveIncidentRequest,
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
  };
}
