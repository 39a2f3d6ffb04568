import { describe, expect, it } from "vitest";
import {
  ALERT_LAYERS,
  ALERT_SOURCES,
  alertLayers,
  alertSources,
  CASE_LAYERS,
  CASE_SOURCES,
  caseLayers,
  caseSources,
} from "./draw-layers";

describe("case layers", () => {
  it("every layer uses one of the case sources", () => {
    const sources = new Set<string>(Object.values(CASE_SOURCES));
    for (const layer of caseLayers()) expect(sources.has((layer as { source: string }).source)).toBe(true);
    expect(Object.keys(caseSources()).sort()).toEqual(Object.keys(CASE_SOURCES).sort());
  });

  it("adds every named layer once, the cameras above the area", () => {
    const ids = caseLayers().map((layer) => layer.id);
    expect([...ids].sort()).toEqual(Object.values(CASE_LAYERS).sort());
    expect(ids.indexOf(CASE_LAYERS.cameras)).toBeGreaterThan(ids.indexOf(CASE_LAYERS.vertices));
  });
});

describe("alert layers", () => {
  it("every layer uses one of the alert sources", () => {
    const sources = new Set<string>(Object.values(ALERT_SOURCES));
    for (const layer of alertLayers()) expect(sources.has((layer as { source: string }).source)).toBe(true);
    expect(Object.keys(alertSources()).sort()).toEqual(Object.keys(ALERT_SOURCES).sort());
  });

  it("adds every named layer once, the drawing on top", () => {
    const ids = alertLayers().map((layer) => layer.id);
    expect([...ids].sort()).toEqual(Object.values(ALERT_LAYERS).sort());
    expect(ids.at(-1)).toBe(ALERT_LAYERS.drawVertices);
  });
});
