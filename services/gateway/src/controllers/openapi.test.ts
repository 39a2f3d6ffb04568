import { ALERTING_API, PUBLIC_ALERTS } from "@hub/alerts/contract";
import { describe, expect, it } from "vitest";
import { API } from "../contract.js";
import { openApiDocument } from "./openapi.js";

const documented = new Set(Object.keys(openApiDocument.paths));
/** A contract path as OpenAPI writes it: functions are called with "{id}"-style placeholders. */
const pathOf = (entry: string | ((id: string) => string), placeholder = "{id}") =>
  decodeURIComponent(typeof entry === "string" ? entry : entry(placeholder));

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
      .map((entry) => pathOf(entry as string | ((id: string) => string)))
      .filter((path) => path.startsWith("/api/") && path !== API.openapi);
    expect(own.length).toBeGreaterThan(5);
    expect(own.filter((path) => !documented.has(path))).toEqual([]);
  });
});
