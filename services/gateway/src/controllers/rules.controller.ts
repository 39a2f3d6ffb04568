import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../services/auth.service.js";
import type { RuleVersionsService } from "../services/rule-versions.service.js";

/** Rule versions (README "Editing correlation rules"); `signedIn` is the API's authentication hook. */
export function registerRulesApi(
  app: FastifyInstance,
  deps: { signedIn: (request: FastifyRequest) => Promise<void>; ruleVersions: RuleVersionsService },
): void {
  const { signedIn, ruleVersions } = deps;
  const user = (request: FastifyRequest) => request.user as Principal;
  const params = (request: FastifyRequest) => request.params as { id: string; version: string };
  const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");
  app.get("/api/v1/rules/:id/versions", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return ruleVersions.history(user(request), params(request).id);
  });
  app.post("/api/v1/rules/:id/versions", { onRequest: signedIn }, async (request, reply) =>
    reply.code(201).send(await ruleVersions.propose(user(request), params(request).id, request.body, request.ip)),
  );
  for (const action of ["approve", "reject"] as const) {
    app.post(`/api/v1/rules/:id/versions/:version/${action}`, { onRequest: signedIn }, async (request) => {
      const { id, version } = params(request);
      return ruleVersions.decide(user(request), id, version, action === "approve", request.body, request.ip);
    });
  }
  app.post("/api/v1/rules/:id/versions/:version/dry-run", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    const { id, version } = params(request);
    return ruleVersions.dryRun(user(request), id, version, request.body, request.ip);
  });
}
