import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { unary, ValidationError } from "@hub/common";
import type { PublishReadingRequest, RegisterSensorRequest, SensorReading, StreamReadingsRequest } from "@hub/proto";
import type { DevicePrincipal } from "../repositories/registry.repository.js";
import type { IngestService } from "../services/ingest.service.js";
import { under } from "./camera-ingest.controller.js";
import { admitOne, clientStream, type HandlerContext, type IngestLimits } from "./grpc-handlers.js";

/** hub.v1.SensorIngestService */
export function sensorIngestController(
  service: IngestService,
  context: HandlerContext,
  limits: IngestLimits,
): UntypedServiceImplementation {
  return {
    registerSensor: unary<RegisterSensorRequest, unknown, DevicePrincipal>(
      "RegisterSensor",
      context,
      (request, principal) => {
        admitOne(limits, "RegisterSensor", principal);
        return service.registerSensor(principal, request.sensor);
      },
    ),
    publishReading: unary<PublishReadingRequest, unknown, DevicePrincipal>(
      "PublishReading",
      context,
      async (request, principal) => {
        admitOne(limits, "PublishReading", principal);
        const reading = request.reading;
        if (!reading) throw new ValidationError("reading", "is required");
        return { outcome: await under("reading", () => service.publishReading(principal, reading)) };
      },
    ),
    streamReadings: clientStream<StreamReadingsRequest, SensorReading>({
      method: "StreamReadings",
      context,
      items: (request) => request.readings,
      eventId: (reading) => reading.eventId,
      publish: (principal, reading) => service.publishReading(principal, reading),
      limits,
    }),
  };
}
