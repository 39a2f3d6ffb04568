import { timingSafeEqual } from "node:crypto";
import { AuthenticationError, answerWithProblems, type Logger, type Problem } from "@hub/common";
import { ALERTING_API, type LocalizedText, PUBLIC_ALERTS } from "@hub/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PartnerImporter } from "../partners/partner-import.service.js";
import type { MessagesRepository } from "../repositories/messages.repository.js";
import { atomFeed } from "../services/feed.js";
import type { Actor, AlertWorkflow } from "../services/workflow.service.js";

/**
 * Forwarded identity: the gateway authenticates the user (JWT, roles) and calls this API with the service token and
 * the user's name, roles and address in these headers. Nothing else may call it.
 */
export const IDENTITY_HEADERS = { user: "x-hub-user", roles: "x-hub-roles", ip: "x-hub-client-ip" } as const;

/** How long a cancelled alert's Cancel message stays on the feed, so aggregators see the retraction. */
const CANCELLED_ON_FEED_MS = 24 * 3600_000;

export function registerHttp(
  app: FastifyInstance,
  deps: {
    workflow: AlertWorkflow;
    partnerImports: PartnerImporter<unknown>;
    messages: MessagesRepository;
    pool: import("@hub/common").Pool;
    apiToken: string;
    publicBaseUrl: string;
    feedTitle: LocalizedText;
    author: string;
    logger: Logger;
  },
): void {
  const { workflow } = deps;
  const token = Buffer.from(deps.apiToken);
  answerWithProblems(app, deps.logger);

  const actorOf = (request: FastifyRequest): Actor => {
    const presented = Buffer.from(/^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "");
    if (presented.length !== token.length || !timingSafeEqual(presented, token))
      throw new AuthenticationError("missing or wrong service token");
    const username = request.headers[IDENTITY_HEADERS.user];
    const roles = request.headers[IDENTITY_HEADERS.roles];
    const ip = request.headers[IDENTITY_HEADERS.ip];
    if (typeof username !== "string" || !username) throw new AuthenticationError(`missing ${IDENTITY_HEADERS.user}`);
    return {
      username,
      roles: typeof roles === "string" ? roles.split(",").filter(Boolean) : [],
      ip: typeof ip === "string" ? ip : null,
    };
  };
  const id = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get(ALERTING_API.templates, async (request) => workflow.templates(actorOf(request)));
  app.get(ALERTING_API.districts, async (request) => workflow.districts(actorOf(request)));
  app.get(ALERTING_API.prefill, async (request) => workflow.prefill(actorOf(request), request.query as never));
  app.get(ALERTING_API.messages, async (request) => workflow.list(actorOf(request), request.query as never));
  app.post(ALERTING_API.messages, async (request, reply) =>
    reply.code(201).send(await workflow.create(actorOf(request), request.body)),
  );
  app.get(`${ALERTING_API.messages}/:id`, async (request) => workflow.get(actorOf(request), id(request)));
  app.put(`${ALERTING_API.messages}/:id`, async (request) =>
    workflow.edit(actorOf(request), id(request), request.body),
  );
  for (const action of ["submit", "approve", "reject", "withdraw"] as const) {
    app.post(`${ALERTING_API.messages}/:id/${action}`, async (request) =>
      workflow[action](actorOf(request), id(request), request.body ?? {}),
    );
  }
  app.get(`${ALERTING_API.messages}/:id/cap.xml`, async (request, reply) =>
    reply.type("application/cap+xml; charset=utf-8").send(await workflow.capXml(actorOf(request), id(request))),
  );
  app.get(`${ALERTING_API.messages}/:id/deliveries`, async (request) =>
    workflow.deliveries(actorOf(request), id(request)),
  );
  app.get(ALERTING_API.alerts, async (request) => workflow.alerts(actorOf(request)));
  app.get(ALERTING_API.partnerImports, async (request) =>
    deps.partnerImports.list(actorOf(request), request.query as never),
  );

  // Public, unauthenticated: the CAP feed and documents.
  app.get(PUBLIC_ALERTS.feed, async (_request, reply) => {
    const now = new Date();
    const entries = await deps.messages.feedEntries(deps.pool, now, CANCELLED_ON_FEED_MS);
    const body = atomFeed({
      feedUrl: new URL(PUBLIC_ALERTS.feed, deps.publicBaseUrl).toString(),
      title: deps.feedTitle,
      author: deps.author,
      updated: entries[0]?.sent ?? now,
      entries: entries.map((entry) => ({ ...entry, capUrl: workflow.capUrl(entry.identifier) })),
    });
    return reply
      .type("application/atom+xml; charset=utf-8")
      .header("cache-control", "public, max-age=10")
      .header("access-control-allow-origin", "*")
      .send(body);
  });
  app.get("/cap/messages/:file", async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const identifier = file.endsWith(".xml") ? file.slice(0, -".xml".length) : file;
    const xml = await deps.messages.publishedCap(deps.pool, identifier);
    if (xml === null) {
      const problem: Problem = {
        type: "about:blank",
        title: "Not found",
        status: 404,
        detail: `no public CAP message ${identifier}`,
      };
      return reply.code(404).type("application/problem+json").send(problem);
    }
    // A published message never changes: cache it for good.
    return reply
      .type("application/cap+xml; charset=utf-8")
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("access-control-allow-origin", "*")
      .send(xml);
  });
}
