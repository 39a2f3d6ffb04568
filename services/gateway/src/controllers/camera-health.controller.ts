import { API } from "@hub/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CameraHealthService } from "../services/camera-health.service.js";

/** Camera health routes (README "Camera health"); `signedIn` is the API's authentication hook. */
export function registerCameraHealthApi(
  app: FastifyInstance,
  deps: { signedIn: (request: FastifyRequest) => Promise<void>; cameraHealth: CameraHealthService },
): void {
  app.get(API.cameraHealth, { onRequest: deps.signedIn }, async (request) => deps.cameraHealth.list(request.query));
}
