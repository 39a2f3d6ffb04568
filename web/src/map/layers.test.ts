import { describe, expect, it } from "vitest";
import { THEMES } from "../theme/theme";
import { hubLayers, hubSources, offlineStyle, SOURCES, themePaint } from "./layers";

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

describe("the theme's colours on the map", () => {
  it("are what a theme change sets with setPaintProperty, on layers that exist, and differ between themes", () => {
    for (const theme of THEMES) {
      const layers = [...offlineStyle("http://hub.local/land.geojson", theme).layers, ...hubLayers(theme)];
      for (const { layer, property, value } of themePaint(theme)) {
        const found = layers.find((candidate) => candidate.id === layer) as { paint?: Record<string, unknown> };
        expect(found, layer).toBeDefined();
        expect(found.paint?.[property], `${layer} ${property}`).toEqual(value);
      }
    }
    const dark = themePaint("dark");
    const light = themePaint("light");
    expect(light.map((entry) => entry.layer)).toEqual(dark.map((entry) => entry.layer));
    expect(light[0]?.value).not.toEqual(dark[0]?.value);
  });
});
