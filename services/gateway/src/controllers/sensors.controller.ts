import { API, SENSOR_ROLES, SENSORTHINGS_ROOT } from "@hub/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AuthService, type Principal } from "../services/auth.service.js";
import type { SensorsService } from "../services/sensors.service.js";
import type { SensorThingsService } from "../services/sensorthings.service.js";

/**
 * Sensor routes (README "Sensors"): the dashboard's sensor panel and the read-only SensorThings API, both for
 * SENSOR_ROLES. `signedIn` is the API's authentication hook.
 */
export function registerSensorApi(
  app: FastifyInstance,
  deps: {
    signedIn: (request: FastifyRequest) => Promise<void>;
    sensors: SensorsService;
    sensorThings: SensorThingsService;
  },
): void {
  const { signedIn } = deps;
  const reader = async (request: FastifyRequest) => {
    await signedIn(request);
    AuthService.require(request.user as Principal, ...SENSOR_ROLES);
  };
  const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");
  app.get(API.sensors, { onRequest: reader }, async (_request, reply) => {
    noStore(reply);
    return deps.sensors.list();
  });
  app.get("/api/v1/sensors/:id", { onRequest: reader }, async (request, reply) => {
    noStore(reply);
    return deps.sensors.detail((request.params as { id: string }).id);
  });

  // SensorThings: one wildcard route parses the resource path itself (OData keys, "Things('x')", are not routes).
  const sensorThings = async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    const root = `${request.protocol}://${request.host}${SENSORTHINGS_ROOT}`;
    const path = (request.params as { "*"?: string })["*"] ?? "";
    return deps.sensorThings.get(root, path, request.query as Record<string, unknown>);
  };
  app.get(SENSORTHINGS_ROOT, { onRequest: reader }, sensorThings);
  app.get(`${SENSORTHINGS_ROOT}/*`, { onRequest: reader }, sensorThings);
  // Read-only: every other method is refused, after the same checks (no hint to a caller who may not read).
  for (const url of [SENSORTHINGS_ROOT, `${SENSORTHINGS_ROOT}/*`]) {
    app.route({
      method: ["POST", "PUT", "PATCH", "DELETE"],
      url,
      onRequest: reader,
      handler: (_request, reply) =>
        reply.code(405).header("allow", "GET, HEAD").type("application/problem+json").send({
          type: "about:blank",
          title: "Method Not Allowed",
          status: 405,
          detail: "the SensorThings API of the hub is read-only",
        }),
    });
  }
}
