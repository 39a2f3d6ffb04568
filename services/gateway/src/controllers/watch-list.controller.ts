import { API } from "@hub/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../services/auth.service.js";
import type { WatchListService } from "../services/watch-list.service.js";

/** Watch-list routes (README "Watch lists"); `signedIn` is the API's authentication hook. */
export function registerWatchListApi(
  app: FastifyInstance,
  deps: { signedIn: (request: FastifyRequest) => Promise<void>; watchList: WatchListService },
): void {
  const { signedIn, watchList } = deps;
  const user = (request: FastifyRequest) => request.user as Principal;
  const id = (request: FastifyRequest) => (request.params as { id: string }).id;
  // Plates: never cached by a browser or a proxy.
  const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");
  app.get(API.watchList, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.list(user(request), request.query, request.ip);
  });
  app.post(API.watchList, { onRequest: signedIn }, async (request, reply) =>
    noStore(reply)
      .code(201)
      .send(await watchList.propose(user(request), request.body, request.ip)),
  );
  app.get(API.watchListHits, { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.hits(user(request), request.query, request.ip);
  });
  app.post("/api/v1/watch-list/:id/approve", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.approve(user(request), id(request), request.ip);
  });
  app.post("/api/v1/watch-list/:id/reject", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.reject(user(request), id(request), request.body, request.ip);
  });
  app.post("/api/v1/watch-list/:id/extension", { onRequest: signedIn }, async (request, reply) =>
    noStore(reply)
      .code(201)
      .send(await watchList.requestExtension(user(request), id(request), request.body, request.ip)),
  );
  app.post("/api/v1/watch-list/:id/extension/approve", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.approveExtension(user(request), id(request), request.ip);
  });
  app.post("/api/v1/watch-list/:id/extension/reject", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.rejectExtension(user(request), id(request), request.body, request.ip);
  });
  app.post("/api/v1/watch-list/:id/remove", { onRequest: signedIn }, async (request, reply) => {
    noStore(reply);
    return watchList.remove(user(request), id(request), request.body, request.ip);
  });
}
