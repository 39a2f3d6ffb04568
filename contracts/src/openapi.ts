/**
 * The OpenAPI 3.1 document of the hub's REST API, generated from the route table and its zod schemas (zod's own
 * JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as is). Never edited by hand: change a schema or a route
 * and the document follows.
 */
import { z } from "zod";
import { problemSchema } from "./problem.js";
import { ROUTES, type Route } from "./routes.js";

type Json = Record<string, unknown>;

const COMPONENTS = "#/components/schemas/";

/**
 * A schema as JSON Schema; named schemas (`.meta({ id })`) go to `components` and are referenced. Requests and
 * responses alike are described as the client writes or reads them ("input": defaults optional, before transforms).
 */
function toJson(schema: z.ZodType, components: Record<string, Json>): Json {
  const converted = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  const { $schema: _schema, $defs, id, ...rest } = converted;
  const relink = (value: unknown): Json => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', `"${COMPONENTS}`));
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, unknown>))
    components[name] = relink(definition);
  if (typeof id === "string") {
    components[id] = relink(rest);
    return { $ref: `${COMPONENTS}${id}` };
  }
  return relink(rest);
}

function operation(route: Route, components: Record<string, Json>): Json {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const queryParameters = Object.entries(route.query?.shape ?? {}).map(([name, field]) => ({
    name,
    in: "query",
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: toJson(field as z.ZodType, components),
  }));
  const { response } = route;
  const problem = { $ref: "#/components/responses/Problem" };
  const problems: number[] = [];
  if (route.body || route.query || pathParameters.length > 0) problems.push(400);
  if (route.access === "signed-in") problems.push(401);
  if (route.roles) problems.push(403);
  if (pathParameters.length > 0) problems.push(404);
  if (route.access === "signed-in" && route.method !== "get") problems.push(409);
  if (route.path === "/api/v1/auth/refresh") problems.push(401);
  if (route.path === "/api/v1/auth/login") problems.push(429);
  if (route.access === "signed-in") problems.push(503);
  const roles = route.roles ? ` Roles: ${route.roles.join(", ")}.` : "";
  return {
    summary: route.summary,
    ...(roles ? { description: roles.trim() } : {}),
    ...(route.access === "signed-in" ? { security: [{ bearer: [] }] } : {}),
    ...(pathParameters.length + queryParameters.length > 0
      ? { parameters: [...pathParameters, ...queryParameters] }
      : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { "application/json": { schema: toJson(route.body, components) } } } }
      : {}),
    responses: {
      [response.status]: {
        description: response.description,
        ...(response.status === 204
          ? {}
          : {
              content: response.schema
                ? { "application/json": { schema: toJson(response.schema, components) } }
                : { [response.contentType ?? "application/octet-stream"]: {} },
            }),
      },
      ...Object.fromEntries(problems.map((status) => [status, problem])),
    },
  };
}

/** The document for `routes` (all of the hub's by default). */
export function buildOpenApiDocument(routes: readonly Route[] = ROUTES) {
  const components: Record<string, Json> = {};
  const problem = toJson(problemSchema, components);
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, Json>)[route.method] = operation(route, components);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Macao event hub — command-centre gateway",
      version: "1.0.0",
      description:
        "Snapshots for the live map, incident actions, police case lookups and civil-protection alerting. Live " +
        "changes come over Socket.IO (path /socket.io, handshake auth { token }): subscribe with 'view:subscribe' " +
        "{ area }, then receive enveloped state events { epoch, seq, data } — see ServerToClientEvents in " +
        "@hub/contracts (contracts/src/live.ts). Errors are RFC 9457 problem documents.",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      responses: { Problem: { description: "Error", content: { "application/problem+json": { schema: problem } } } },
      schemas: components,
    },
    paths,
  };
}
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
