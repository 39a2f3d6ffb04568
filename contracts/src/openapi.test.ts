import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildOpenApiDocument } from "./openapi.js";
import { ALERTING_API, API, PUBLIC_ALERTS } from "./paths.js";
import { ROUTES, type Route } from "./routes.js";

const openApiDocument = buildOpenApiDocument();
const documented = new Set(Object.keys(openApiDocument.paths));
/**
 * A contract path as OpenAPI writes it: functions are called with "{id}"-style placeholders, a second parameter with
 * its own name ("{stepId}", "{eventId}"), read from the function.
 */
const pathOf = (entry: string | ((id: string, second?: string) => string), placeholder = "{id}") => {
  if (typeof entry === "string") return decodeURIComponent(entry);
  const second = /^\(?\s*\w+\s*,\s*(\w+)/.exec(entry.toString())?.[1] ?? "second";
  return decodeURIComponent(entry(placeholder, `{${second}}`));
};

describe("the OpenAPI document", () => {
  it("describes every alerting route the gateway forwards", () => {
    const missing = Object.values(ALERTING_API)
      .map((entry) => pathOf(entry))
      .filter((path) => !documented.has(path));
    expect(missing).toEqual([]);
  });

  it("describes the public alert JSON, the feed and the CAP documents", () => {
    for (const path of [PUBLIC_ALERTS.json, PUBLIC_ALERTS.feed, pathOf(PUBLIC_ALERTS.cap, "{identifier}")]) {
      expect(documented, path).toContain(path);
    }
  });

  it("describes the gateway's own REST routes", () => {
    const own = Object.values(API)
      .map((entry) => pathOf(entry as string | ((id: string, second?: string) => string)))
      .filter((path) => path.startsWith("/api/") && path !== API.openapi);
    expect(own.length).toBeGreaterThan(5);
    expect(own.filter((path) => !documented.has(path))).toEqual([]);
  });

  it("resolves every reference to a component it contains", () => {
    const text = JSON.stringify(openApiDocument);
    const references = [...text.matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([^"]+)"/g)];
    expect(references.length).toBeGreaterThan(20);
    for (const [, kind, name] of references) {
      const components = openApiDocument.components[kind as "schemas" | "responses"] as Record<string, unknown>;
      expect(components, `${kind}/${name}`).toHaveProperty([name as string]);
    }
    expect(text).not.toContain("#/$defs/");
  });

  it("is generated from the schemas: a changed schema shows in the document", () => {
    const route: Route = {
      method: "post",
      path: "/api/v1/example",
      summary: "Example",
      access: "public",
      body: z.strictObject({ name: z.string().max(10) }),
      response: { status: 200, description: "Example", schema: z.object({ ok: z.boolean() }) },
    };
    type Operation = { requestBody: { content: Record<string, { schema: unknown }> } };
    const bodyOf = (document: ReturnType<typeof buildOpenApiDocument>) =>
      (document.paths["/api/v1/example"] as Record<string, Operation>).post?.requestBody.content["application/json"]
        ?.schema;
    expect(bodyOf(buildOpenApiDocument([route]))).toMatchObject({
      properties: { name: { type: "string", maxLength: 10 } },
      required: ["name"],
    });
    const changed = { ...route, body: z.strictObject({ name: z.string().max(20), tag: z.string().optional() }) };
    expect(bodyOf(buildOpenApiDocument([changed]))).toMatchObject({
      properties: { name: { maxLength: 20 }, tag: { type: "string" } },
      required: ["name"],
    });
  });

  it("describes the case-search request with the constraints the gateway checks", () => {
    const schema = openApiDocument.components.schemas.CaseSearchRequest as {
      required: string[];
      properties: Record<string, { maxLength?: number; maximum?: number }>;
    };
    expect(schema.required).toEqual(["caseReference", "purpose", "window"]);
    expect(schema.properties.purpose?.maxLength).toBe(500);
    expect(schema.properties.limit?.maximum).toBe(500);
  });

  it("names the roles of every route that has them, and only real routes", () => {
    for (const route of ROUTES) {
      const operation = (openApiDocument.paths[route.path] as Record<string, { description?: string }>)[route.method];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      if (route.roles) expect(operation?.description).toContain(route.roles.join(", "));
    }
  });
});
