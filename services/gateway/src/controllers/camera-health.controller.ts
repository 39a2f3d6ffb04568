import { API } from "@hub/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../services/auth.service.js";
import type { CameraDecommissionService } from "../services/camera-decommission.service.js";
import type { CameraHealthService } from "../services/camera-health.service.js";
import type { CameraMaintenanceService } from "../services/camera-maintenance.service.js";

/** Camera health routes (README "Camera health"); `signedIn` is the API's authentication hook. */
export function registerCameraHealthApi(
  app: FastifyInstance,
  deps: {
    signedIn: (request: FastifyRequest) => Promise<void>;
    cameraHealth: CameraHealthService;
    maintenance: CameraMaintenanceService;
    decommission: CameraDecommissionService;
  },
): void {
  const { signedIn, maintenance, decommission } = deps;
  const user = (request: FastifyRequest) => request.user as Principal;
  app.get(API.cameraHealth, { onRequest: signedIn }, async (request) => deps.cameraHealth.list(request.query));
  app.get(API.maintenanceWindows, { onRequest: signedIn }, async (request) => maintenance.current(request.query));
  app.post(API.maintenanceWindows, { onRequest: signedIn }, async (request, reply) =>
    reply.code(201).send(await maintenance.create(user(request), request.body, request.ip)),
  );
  app.post(`${API.maintenanceWindows}/:id/end`, { onRequest: signedIn }, async (request) =>
    maintenance.end(user(request), (request.params as { id: string }).id, request.ip),
  );
  app.post("/api/v1/cameras/:id/decommission", { onRequest: signedIn }, async (request) =>
    decommission.decommission(user(request), (request.params as { id: string }).id, request.body, request.ip),
  );
}
