import { describe, expect, it } from "vitest";
import { VIEW_HASH, VIEWS, viewOfHash } from "./route";

describe("viewOfHash", () => {
  it("reads the views and their own hashes back", () => {
    for (const view of VIEWS) expect(viewOfHash(VIEW_HASH[view])).toBe(view);
    expect(viewOfHash("")).toBe("live");
    expect(viewOfHash("#/cases?record=1")).toBe("cases");
    expect(viewOfHash("#/cases/abc")).toBe("cases");
    expect(viewOfHash("#/nowhere")).toBe("live");
  });

  it("leaves the view alone for in-page anchors", () => {
    expect(viewOfHash("#incident-list")).toBeNull();
    expect(viewOfHash("#case-form")).toBeNull();
  });
});
