import { describe, expect, it } from "vitest";
import { aboutSource, watchListSighting } from "./titles.js";

const titles = { "zh-Hant": "攝影機故障", pt: "Avaria de câmara", en: "Camera fault" };

describe("incident titles", () => {
  it("names the source in every language", () => {
    expect(aboutSource(titles, "cam-7")).toEqual({
      "zh-Hant": "攝影機故障：cam-7",
      pt: "Avaria de câmara: cam-7",
      en: "Camera fault: cam-7",
    });
  });

  it("names a watch-list sighting by camera and reference in every language", () => {
    expect(
      watchListSighting(
        { "zh-Hant": "發現監察名單車輛", pt: "Veículo avistado", en: "Vehicle seen" },
        "cam-2",
        "WL-0123456789AB",
      ),
    ).toEqual({
      "zh-Hant": "發現監察名單車輛（攝影機 cam-2，WL-0123456789AB）",
      pt: "Veículo avistado pela câmara cam-2 (WL-0123456789AB)",
      en: "Vehicle seen by camera cam-2 (WL-0123456789AB)",
    });
  });
});
