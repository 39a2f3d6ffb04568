import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { type GrpcContext, NotFoundError, unary, ValidationError } from "@hub/common";
import type {
  Area as AreaMessage,
  CaseAssistRecord as CaseAssistRecordMessage,
  CreateCaseAssistRecordRequest,
  GetCaseAssistRecordRequest,
} from "@hub/proto";
import type { CaseAssistRecord, CaseAssistService } from "../services/case-assist.service.js";
import type { Area } from "../services/coverage.js";

function toArea(area: AreaMessage | undefined): Area {
  const shape = area?.shape;
  if (!shape) throw new ValidationError("area", "is required: a circle or a polygon");
  if (shape.$case === "circle") {
    const center = shape.value.center;
    if (!center) throw new ValidationError("area.circle.center", "is required");
    return { kind: "circle", center: { lat: center.lat, lon: center.lon }, radiusM: shape.value.radiusM };
  }
  return { kind: "polygon", ring: shape.value.ring.map((point) => ({ lat: point.lat, lon: point.lon })) };
}

function fromArea(area: Area): AreaMessage {
  return area.kind === "circle"
    ? { shape: { $case: "circle", value: { center: area.center, radiusM: area.radiusM } } }
    : { shape: { $case: "polygon", value: { ring: area.ring } } };
}

/** The record as sent over gRPC (exported for the message-size test). */
export function toMessage(record: CaseAssistRecord): CaseAssistRecordMessage {
  return {
    id: record.id,
    incidentId: record.incidentId ?? "",
    caseReference: record.caseReference ?? "",
    requestedBy: record.requestedBy,
    windowStart: record.window.from,
    windowEnd: record.window.to,
    area: fromArea(record.area),
    createdAt: record.createdAt,
    cameraCount: record.result.cameras.length,
    detectionCount: record.result.detections.length,
    plateCount: record.result.plates.length,
    resultJson: JSON.stringify(record.result),
  };
}

/** hub.v1.CaseAssistService */
export function caseAssistController(
  service: CaseAssistService,
  context: GrpcContext<string>,
): UntypedServiceImplementation {
  return {
    createCaseAssistRecord: unary<CreateCaseAssistRecordRequest, unknown, string>(
      "CreateCaseAssistRecord",
      context,
      async (request) => {
        if (!request.windowStart) throw new ValidationError("window_start", "is required");
        if (!request.windowEnd) throw new ValidationError("window_end", "is required");
        const record = await service.create({
          window: { from: request.windowStart, to: request.windowEnd },
          area: toArea(request.area),
          requestedBy: request.requestedBy,
          caseReference: request.caseReference || undefined,
          incidentId: request.incidentId || undefined,
        });
        return { record: toMessage(record) };
      },
    ),
    getCaseAssistRecord: unary<GetCaseAssistRecordRequest, unknown, string>(
      "GetCaseAssistRecord",
      context,
      async (request) => {
        const record = await service.get(request.id);
        if (!record) throw new NotFoundError("id", `case-assist record ${request.id} does not exist`);
        return { record: toMessage(record) };
      },
    ),
  };
}
