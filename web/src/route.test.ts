import { describe, expect, it } from "vitest";
import { alertsHashForIncident, incidentOfHash, VIEW_HASH, VIEWS, viewOfHash } from "./route";

describe("viewOfHash", () => {
  it("reads the views and their own hashes back", () => {
    for (const view of VIEWS) expect(viewOfHash(VIEW_HASH[view])).toBe(view);
    expect(viewOfHash("")).toBe("live");
    expect(viewOfHash("#/cases?record=1")).toBe("cases");
    expect(viewOfHash("#/cases/abc")).toBe("cases");
    expect(viewOfHash("#/alerts?incident=i-1")).toBe("alerts");
    expect(viewOfHash("#/nowhere")).toBe("live");
  });

  it("leaves the view alone for in-page anchors", () => {
    expect(viewOfHash("#incident-list")).toBeNull();
    expect(viewOfHash("#case-form")).toBeNull();
  });
});

describe("drafting an alert from an incident", () => {
  it("round-trips the incident id through the alerts hash, encoded", () => {
    const hash = alertsHashForIncident("inc 1/2");
    expect(viewOfHash(hash)).toBe("alerts");
    expect(incidentOfHash(hash)).toBe("inc 1/2");
  });

  it("names no incident on other views or without the parameter", () => {
    expect(incidentOfHash("#/alerts")).toBeNull();
    expect(incidentOfHash("#/alerts?incident=")).toBeNull();
    expect(incidentOfHash("#/cases?incident=i-1")).toBeNull();
  });
});
