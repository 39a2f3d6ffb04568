import type { District } from "@hub/contracts";

/**
 * Macao's parishes and zones with approximate outlines ([lon, lat], closed rings), for display on the map and as the
 * CAP `<polygon>` that accompanies a district geocode. They are APPROXIMATIONS FOR DISPLAY, NOT LEGAL BOUNDARIES.
 *
 * How they were drawn: the peninsula parishes are the cells of the nearest-parish-centre rule the simulator uses
 * (`districtOf` in services/simulator/src/services/world.ts), clipped to a simplified copy of the coarse land outline
 * in services/common/data/macau-land.geojson (with the reclaimed strip east of the peninsula, and without the outline's
 * notch at the Inner Harbour, where the real waterfront lies further west), so a simulated camera labelled with a
 * parish lies inside that parish's outline. Taipa, Cotai and Coloane are the island outline cut at
 * the simulator's latitude bands (22.1475° and 22.1335°). The Inner Harbour zone is the strip along the peninsula's
 * western waterfront that floods first, around the simulator's inner-harbour water-level sensors.
 */
export const DISTRICTS: readonly District[] = [
  {
    code: "MO-NSF",
    name: {
      "zh-Hant": "花地瑪堂區",
      pt: "Freguesia de Nossa Senhora de Fátima",
      en: "Our Lady of Fatima Parish",
    },
    polygon: [
      [113.551184, 22.215555],
      [113.560854, 22.210447],
      [113.563427, 22.210864],
      [113.568823, 22.207213],
      [113.569244, 22.201918],
      [113.545759, 22.205832],
      [113.540333, 22.213293],
      [113.541717, 22.213233],
      [113.544356, 22.216953],
      [113.550847, 22.217036],
      [113.551184, 22.215555],
    ],
  },
  {
    code: "MO-STA",
    name: { "zh-Hant": "花王堂區", pt: "Freguesia de Santo António", en: "St. Anthony Parish" },
    polygon: [
      [113.533908, 22.195419],
      [113.533937, 22.195754],
      [113.535639, 22.202306],
      [113.535389, 22.206694],
      [113.53337, 22.212494],
      [113.534944, 22.213525],
      [113.540333, 22.213293],
      [113.545759, 22.205832],
      [113.544906, 22.197728],
      [113.536765, 22.194729],
      [113.533908, 22.195419],
    ],
  },
  {
    code: "MO-SLZ",
    name: { "zh-Hant": "望德堂區", pt: "Freguesia de São Lázaro", en: "St. Lazarus Parish" },
    polygon: [
      [113.569244, 22.201918],
      [113.570135, 22.190709],
      [113.564655, 22.192367],
      [113.562358, 22.199648],
      [113.55618, 22.196234],
      [113.55656, 22.194817],
      [113.554688, 22.195383],
      [113.551894, 22.192796],
      [113.544906, 22.197728],
      [113.545759, 22.205832],
      [113.569244, 22.201918],
    ],
  },
  {
    code: "MO-SE",
    name: { "zh-Hant": "大堂區", pt: "Freguesia da Sé", en: "Cathedral Parish" },
    polygon: [
      [113.551894, 22.192796],
      [113.546071, 22.187405],
      [113.548173, 22.183862],
      [113.5452, 22.182919],
      [113.536765, 22.194729],
      [113.544906, 22.197728],
      [113.551894, 22.192796],
    ],
  },
  {
    code: "MO-SLR",
    name: { "zh-Hant": "風順堂區", pt: "Freguesia de São Lourenço", en: "St. Lawrence Parish" },
    polygon: [
      [113.5452, 22.182919],
      [113.533726, 22.179281],
      [113.531933, 22.173366],
      [113.529417, 22.177],
      [113.528464, 22.180937],
      [113.532715, 22.18174],
      [113.533908, 22.195419],
      [113.536765, 22.194729],
      [113.5452, 22.182919],
    ],
  },
  {
    code: "MO-TAI",
    name: { "zh-Hant": "氹仔", pt: "Taipa", en: "Taipa" },
    polygon: [
      [113.5389, 22.1658],
      [113.5658, 22.165],
      [113.5646, 22.1708],
      [113.5755, 22.1711],
      [113.5798, 22.1704],
      [113.5874, 22.1653],
      [113.5906, 22.1567],
      [113.5857, 22.1499],
      [113.5839, 22.1475],
      [113.5511, 22.1475],
      [113.5488, 22.1487],
      [113.5417, 22.1553],
      [113.5389, 22.1658],
    ],
  },
  {
    code: "MO-COT",
    name: { "zh-Hant": "路氹城", pt: "Cotai", en: "Cotai" },
    polygon: [
      [113.5511, 22.1475],
      [113.5839, 22.1475],
      [113.5879, 22.1443],
      [113.5904, 22.1335],
      [113.5509, 22.1335],
      [113.5519, 22.1446],
      [113.5511, 22.1475],
    ],
  },
  {
    code: "MO-COL",
    name: { "zh-Hant": "路環", pt: "Coloane", en: "Coloane" },
    polygon: [
      [113.5904, 22.1335],
      [113.5925, 22.1292],
      [113.5729, 22.1237],
      [113.57, 22.1178],
      [113.5731, 22.1127],
      [113.5542, 22.11],
      [113.5491, 22.1138],
      [113.5411, 22.1235],
      [113.5405, 22.1335],
      [113.5904, 22.1335],
    ],
  },
  {
    code: "MO-INNER-HARBOUR",
    name: {
      "zh-Hant": "內港沿岸低窪地區",
      pt: "Zonas baixas do Porto Interior",
      en: "Low-lying areas along the Inner Harbour",
    },
    polygon: [
      [113.5335, 22.2065],
      [113.5385, 22.2065],
      [113.5385, 22.2],
      [113.538, 22.196],
      [113.541, 22.1925],
      [113.544, 22.1885],
      [113.5425, 22.186],
      [113.54, 22.187],
      [113.536, 22.1915],
      [113.533, 22.1955],
      [113.5335, 22.2065],
    ],
  },
];

const BY_CODE: ReadonlyMap<string, District> = new Map(DISTRICTS.map((district) => [district.code, district]));

export function districtByCode(code: string): District | undefined {
  return BY_CODE.get(code);
}
