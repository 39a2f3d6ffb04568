import type { Problem } from "@hub/contracts";
import type { FastifyInstance } from "fastify";
import { type ErrorCode, isHubError } from "./errors.js";
import type { Logger } from "./logger.js";

/** RFC 9457 problem details (declared in @hub/contracts): the body of every HTTP 4xx/5xx the hub answers. */
export type { Problem };

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

/** Maps any error to a problem document at an HTTP edge; unexpected errors are logged and not described. */
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
  const fastifyError = error as { statusCode?: number; message?: string };
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return {
      type: "about:blank",
      title: "Bad request",
      status: fastifyError.statusCode,
      detail: fastifyError.message ?? "bad request",
    };
  }
  logger.error({ err: error }, "request failed");
  return { type: "about:blank", title: "Internal error", status: 500, detail: "internal error; see the service log" };
}

/**
 * Makes a Fastify app answer every error, and every unknown route, with a problem document
 * (`application/problem+json`): the same at each of the hub's HTTP edges.
 */
export function answerWithProblems(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, _request, reply) => {
    const problem = problemOf(error, logger);
    if (isHubError(error) && error.retryAfterMs !== undefined)
      void reply.header("retry-after", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
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
}
