import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { isHubError, unary, ValidationError } from "@hub/common";
import type {
  Detection,
  PublishDetectionRequest,
  RegisterCameraRequest,
  ReportCameraStatusRequest,
  StreamDetectionsRequest,
} from "@hub/proto";
import type { DevicePrincipal } from "../repositories/registry.repository.js";
import type { IngestService } from "../services/ingest.service.js";
import { admitOne, clientStream, type HandlerContext, type IngestLimits } from "./grpc-handlers.js";

/** Field paths from the domain are relative to the event; in a unary call they sit under the request field. */
export async function under<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isHubError(error) && error.fieldPath !== "request" ? error.under(prefix) : error;
  }
}

/** hub.v1.CameraIngestService */
export function cameraIngestController(
  service: IngestService,
  context: HandlerContext,
  limits: IngestLimits,
): UntypedServiceImplementation {
  return {
    registerCamera: unary<RegisterCameraRequest, unknown, DevicePrincipal>(
      "RegisterCamera",
      context,
      (request, principal) => {
        admitOne(limits, "RegisterCamera", principal);
        return service.registerCamera(principal, request.camera);
      },
    ),
    reportCameraStatus: unary<ReportCameraStatusRequest, unknown, DevicePrincipal>(
      "ReportCameraStatus",
      context,
      async (request, principal) => {
        admitOne(limits, "ReportCameraStatus", principal);
        const cameraStatus = request.status;
        if (!cameraStatus) throw new ValidationError("status", "is required");
        return { outcome: await under("status", () => service.reportCameraStatus(principal, cameraStatus)) };
      },
    ),
    publishDetection: unary<PublishDetectionRequest, unknown, DevicePrincipal>(
      "PublishDetection",
      context,
      async (request, principal) => {
        admitOne(limits, "PublishDetection", principal);
        const detection = request.detection;
        if (!detection) throw new ValidationError("detection", "is required");
        return { outcome: await under("detection", () => service.publishDetection(principal, detection)) };
      },
    ),
    streamDetections: clientStream<StreamDetectionsRequest, Detection>({
      method: "StreamDetections",
      context,
      items: (request) => request.detections,
      eventId: (detection) => detection.eventId,
      publish: (principal, detection) => service.publishDetection(principal, detection),
      limits,
    }),
  };
}
