import { type ErrorCode, isHubError, type Logger } from "@hub/common";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { API, type ClientConfig, type IncidentActionResponse, type Problem } from "../contract.js";
import type { AuthService, Principal } from "../services/auth.service.js";
import type { DashboardService } from "../services/dashboard.service.js";
import { openApiDocument } from "./openapi.js";

const httpStatus: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  FAILED_PRECONDITION: 409,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  INTERNAL: 500,
};

export function problemOf(error: unknown, logger: Logger): Problem {
  if (isHubError(error)) {
    const status = httpStatus[error.code];
    return {
      type: `https://macao-event-hub.org/problems/${error.code.toLowerCase().replaceAll("_", "-")}`,
      title: error.code,
      status,
      detail: error.describe(),
      ...(error.fieldPath ? { field: error.fieldPath } : {}),
    };
  }
  const fastifyError = error as { statusCode?: number; message?: string; validation?: unknown };
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return {
      type: "about:blank",
      title: "Bad request",
      status: fastifyError.statusCode,
      detail: fastifyError.message ?? "bad request",
    };
  }
  logger.error({ err: error }, "request failed");
  return { type: "about:blank", title: "Internal error", status: 500, detail: "internal error; see the gateway log" };
}

declare module "fastify" {
  interface FastifyRequest {
    user?: Principal;
  }
}

/** The REST API (paths in the contract's `API`), all JSON; errors are RFC 9457 problem documents. */
export function registerApi(
  app: FastifyInstance,
  deps: { auth: AuthService; dashboard: DashboardService; clientConfig: ClientConfig; logger: Logger },
): void {
  const { auth, dashboard } = deps;
  app.setErrorHandler((error, _request, reply) => {
    const problem = problemOf(error, deps.logger);
    void reply.code(problem.status).type("application/problem+json").send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem: Problem = {
      type: "about:blank",
      title: "Not found",
      status: 404,
      detail: `no route ${request.method} ${request.url.split("?")[0]}`,
    };
    void reply.code(404).type("application/problem+json").send(problem);
  });

  const signedIn = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
    request.user = await auth.verify(token);
  };
  const user = (request: FastifyRequest): Principal => request.user as Principal;
  const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");

  app.get(API.config, async () => deps.clientConfig);
  app.get(API.openapi, async () => openApiDocument);
  app.post(API.login, async (request, reply) => {
    const body = (request.body ?? {}) as { username?: unknown; password?: unknown };
    noStore(reply);
    return auth.login(body.username, body.password, request.ip);
  });
  app.get(API.me, { onRequest: signedIn }, async (request) => user(request));
  app.get(API.snapshot, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return dashboard.snapshot((request.query as { area?: unknown }).area);
  });
  app.get(API.districts, { onRequest: signedIn }, async () => [...dashboard.knownDistricts()].sort());
  app.get(API.cameras, { onRequest: signedIn }, async () => (await dashboard.snapshot("city")).cameras);
  app.get(`${API.cameras}/:id`, { onRequest: signedIn }, async (request) =>
    dashboard.camera(user(request), (request.params as { id: string }).id),
  );
  app.get(API.incidents, { onRequest: signedIn }, async () => (await dashboard.snapshot("city")).incidents);
  app.get(`${API.incidents}/:id`, { onRequest: signedIn }, async (request) =>
    dashboard.incident(user(request), (request.params as { id: string }).id),
  );
  for (const action of ["acknowledge", "resolve"] as const) {
    app.post(
      `${API.incidents}/:id/${action}`,
      { onRequest: signedIn },
      async (request): Promise<IncidentActionResponse> => ({
        incident: await dashboard.act(user(request), action, (request.params as { id: string }).id, request.body ?? {}),
      }),
    );
  }
  app.get(API.alerts, { onRequest: signedIn }, async () => (await dashboard.snapshot("city")).alerts);
}
