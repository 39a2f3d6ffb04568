import { describe, expect, it } from "vitest";
import { hubLayers, hubSources, offlineStyle, SOURCES } from "./layers";

describe("offlineStyle", () => {
  it("needs nothing but the land outline: no glyphs, no sprite, no symbol layers", () => {
    const style = offlineStyle("http://hub.local/basemap/macau-land.geojson");
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(style.sources.land).toEqual({ type: "geojson", data: "http://hub.local/basemap/macau-land.geojson" });
    expect(style.layers.map((layer) => layer.type)).toEqual(["background", "fill", "line"]);
  });
});

describe("hub layers", () => {
  it("draw only circles, fills and lines, each on a hub source", () => {
    const sources = new Set<string>(Object.values(SOURCES));
    for (const layer of hubLayers()) {
      expect(["circle", "fill", "line"]).toContain(layer.type);
      expect(sources.has((layer as { source: string }).source)).toBe(true);
    }
  });

  it("cluster the cameras and count offline ones per cluster", () => {
    const cameras = hubSources().cameras;
    expect(cameras.cluster).toBe(true);
    expect(cameras.clusterMaxZoom).toBeGreaterThanOrEqual(14);
    expect(Object.keys(cameras.clusterProperties ?? {})).toContain("offline");
  });

  it("have unique ids", () => {
    const ids = hubLayers().map((layer) => layer.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
