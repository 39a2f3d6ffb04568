import type { AlertContent } from "@hub/contracts";
import { ringProblem } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { parseAlertContent } from "./content-schema.js";

type Ring = [number, number][];
// biome-ignore lint/suspicious/noExplicitAny: the cases break arbitrary parts of plain JSON, as a client could.
type Loose = any;

const SQUARE: Ring = [
  [113.55, 22.15],
  [113.56, 22.15],
  [113.56, 22.16],
  [113.55, 22.16],
  [113.55, 22.15],
];

/** A valid content with every kind of geometry; tests break one thing at a time. */
function validContent(): AlertContent {
  return {
    templateId: "fire",
    incidentId: "0190e3a5-3c2f-7b9a-8c1d-0123456789ab",
    categories: ["Fire", "Safety"],
    responseTypes: ["Avoid", "Shelter"],
    urgency: "Immediate",
    severity: "Severe",
    certainty: "Observed",
    event: { "zh-Hant": "火警", pt: "Incêndio", en: "Fire" },
    headline: { "zh-Hant": "火警：請遠離", pt: "Incêndio: afaste-se", en: "Fire: keep away" },
    description: { "zh-Hant": "氹仔發生火警。\n請留意。", pt: "Incêndio na Taipa.", en: "A fire in Taipa." },
    instruction: { "zh-Hant": "請遠離現場。", pt: "Afaste-se do local.", en: "Keep away from the scene." },
    eventCodes: [{ valueName: "MO-CPOC-event", value: "fire" }],
    onset: null,
    expires: "2025-08-01T18:00:00+08:00",
    areas: [
      {
        description: { "zh-Hant": "氹仔", pt: "Taipa", en: "Taipa" },
        polygons: [SQUARE, SQUARE.map(([lon, lat]) => [lon + 0.02, lat] as [number, number])],
        circles: [{ center: [113.5565, 22.1535], radiusKm: 0.5 }],
        districts: ["MO-TAI", "MO-COT"],
      },
    ],
  };
}

/** The content as plain JSON (what arrives over HTTP), changed by `mutate`. */
function invalid(mutate: (content: Record<string, Loose>) => void): unknown {
  const content = JSON.parse(JSON.stringify(validContent())) as Record<string, Loose>;
  mutate(content);
  return content;
}

function failure(input: unknown): { field: string; message: string } {
  const result = parseAlertContent(input);
  if (result.ok) throw new Error("expected the content to be rejected");
  return { field: result.field, message: result.message };
}

describe("parseAlertContent", () => {
  it("accepts a valid content and returns it", () => {
    const result = parseAlertContent(validContent());
    expect(result).toEqual({ ok: true, value: validContent() });
  });

  it("trims texts", () => {
    const result = parseAlertContent(
      invalid((c) => {
        c.headline.en = "  Fire: keep away \n";
      }),
    );
    expect(result.ok && result.value.headline.en).toBe("Fire: keep away");
  });

  it("accepts an onset, an expiry in UTC and null ids", () => {
    const result = parseAlertContent(
      invalid((c) => {
        c.onset = "2025-08-01T09:00:00Z";
        c.expires = "2025-08-01T10:00:00.000Z";
        c.templateId = null;
        c.incidentId = null;
      }),
    );
    expect(result.ok).toBe(true);
  });

  const cases: [string, (content: Record<string, Loose>) => void, string, RegExp][] = [
    ["a missing language", (c) => delete c.headline.pt, "content.headline.pt", /required/],
    ["an empty headline", (c) => (c.headline.en = "   "), "content.headline.en", /empty/],
    [
      "a headline over 160 characters",
      (c) => (c.headline["zh-Hant"] = "警".repeat(161)),
      "content.headline.zh-Hant",
      /160/,
    ],
    ["a line break in a headline", (c) => (c.headline.en = "Fire\nkeep away"), "content.headline.en", /control/],
    ["a control character", (c) => (c.description.pt = "Incêndio\u0007"), "content.description.pt", /U\+0007/],
    ["a lone surrogate", (c) => (c.instruction.en = "Keep \uD83D away"), "content.instruction.en", /control/],
    [
      "a description over 4000 characters",
      (c) => (c.description.en = "a".repeat(4001)),
      "content.description.en",
      /4000/,
    ],
    ["a missing event", (c) => delete c.event, "content.event", /required/],
    ["an unknown language", (c) => (c.event.fr = "Feu"), "content.event.fr", /unknown field/],
    ["an unknown key", (c) => (c.colour = "red"), "content.colour", /unknown field "colour"/],
    ["an unknown key in an area", (c) => (c.areas[0].colour = "red"), "content.areas.0.colour", /unknown field/],
    ["a bad urgency", (c) => (c.urgency = "Soon"), "content.urgency", /Immediate, Expected/],
    ["a bad category", (c) => c.categories.push("Weather"), "content.categories.2", /must be one of/],
    ["no category", (c) => (c.categories = []), "content.categories", /at least one/],
    ["a repeated category", (c) => c.categories.push("Fire"), "content.categories.2", /duplicate/],
    ["a repeated response type", (c) => (c.responseTypes = ["Avoid", "Avoid"]), "content.responseTypes.1", /duplicate/],
    ["expires without offset", (c) => (c.expires = "2025-08-01T18:00:00"), "content.expires", /offset/],
    ["expires not a date", (c) => (c.expires = "tomorrow"), "content.expires", /ISO-8601/],
    ["expires an impossible date", (c) => (c.expires = "2025-02-30T18:00:00+08:00"), "content.expires", /ISO-8601/],
    ["a missing expires", (c) => delete c.expires, "content.expires", /required/],
    ["a bad onset", (c) => (c.onset = "2025-08-01"), "content.onset", /ISO-8601/],
    ["onset after expires", (c) => (c.onset = "2025-08-01T19:00:00+08:00"), "content.expires", /later than onset/],
    ["an incident id that is not a uuid", (c) => (c.incidentId = "incident-42"), "content.incidentId", /uuid/],
    ["a numeric template id", (c) => (c.templateId = 7), "content.templateId", /string or null/],
    [
      "more than 10 event codes",
      (c) => (c.eventCodes = Array.from({ length: 11 }, (_, i) => ({ valueName: "n", value: String(i) }))),
      "content.eventCodes",
      /at most 10/,
    ],
    ["an empty event code name", (c) => (c.eventCodes[0].valueName = ""), "content.eventCodes.0.valueName", /empty/],
    ["no area", (c) => (c.areas = []), "content.areas", /at least one area/],
    [
      "an area without geometry",
      (c) => Object.assign(c.areas[0], { polygons: [], circles: [], districts: [] }),
      "content.areas.0",
      /polygon, circle or district/,
    ],
    [
      "an area description without English",
      (c) => delete c.areas[0].description.en,
      "content.areas.0.description.en",
      /required/,
    ],
    ["an open ring", (c) => c.areas[0].polygons[1].pop(), "content.areas.0.polygons.1", /not closed/],
    ["a ring of 3 positions", (c) => c.areas[0].polygons[0].splice(1, 2), "content.areas.0.polygons.0", /at least 4/],
    [
      "a self-crossing polygon (bow tie)",
      (c) =>
        (c.areas[0].polygons[0] = [
          [113.55, 22.15],
          [113.56, 22.16],
          [113.56, 22.15],
          [113.55, 22.16],
          [113.55, 22.15],
        ]),
      "content.areas.0.polygons.0",
      /crosses itself/,
    ],
    [
      "a polygon touching itself at a vertex",
      (c) =>
        (c.areas[0].polygons[1] = [
          [113.55, 22.15],
          [113.56, 22.15],
          [113.555, 22.155],
          [113.56, 22.16],
          [113.55, 22.16],
          [113.555, 22.155],
          [113.55, 22.15],
        ]),
      "content.areas.0.polygons.1",
      /crosses itself/,
    ],
    [
      "a polygon that folds back on itself",
      (c) =>
        (c.areas[0].polygons[0] = [
          [113.55, 22.15],
          [113.56, 22.15],
          [113.555, 22.15],
          [113.555, 22.16],
          [113.55, 22.15],
        ]),
      "content.areas.0.polygons.0",
      /fold back/,
    ],
    [
      "a repeated position",
      (c) => c.areas[0].polygons[0].splice(1, 0, [113.55, 22.15]),
      "content.areas.0.polygons.0",
      /same point/,
    ],
    [
      "a longitude out of range",
      (c) => (c.areas[0].polygons[0][2][0] = 114.2),
      "content.areas.0.polygons.0.2.0",
      /longitude/,
    ],
    [
      "a latitude out of range",
      (c) => (c.areas[0].polygons[0][2][1] = 23.1),
      "content.areas.0.polygons.0.2.1",
      /latitude/,
    ],
    [
      "lat and lon swapped",
      (c) => (c.areas[0].circles[0].center = [22.15, 113.55]),
      "content.areas.0.circles.0.center.0",
      /longitude/,
    ],
    [
      "a position with 3 numbers",
      (c) => c.areas[0].polygons[0][1].push(0),
      "content.areas.0.polygons.0.1",
      /\[lon, lat\]/,
    ],
    [
      "a radius of 0",
      (c) => (c.areas[0].circles[0].radiusKm = 0),
      "content.areas.0.circles.0.radiusKm",
      /greater than 0/,
    ],
    [
      "a radius over 50 km",
      (c) => (c.areas[0].circles[0].radiusKm = 50.5),
      "content.areas.0.circles.0.radiusKm",
      /50 km/,
    ],
    ["a repeated district", (c) => c.areas[0].districts.push("MO-TAI"), "content.areas.0.districts.2", /duplicate/],
    ["an unknown district", (c) => (c.areas[0].districts[0] = "MO-XYZ"), "content.areas.0.districts.0", /MO-NSF/],
  ];

  it("rejects something that is not an object", () => {
    expect(failure("a string")).toEqual({ field: "content", message: "must be an object" });
    expect(failure(null).field).toBe("content");
  });

  it.each(cases)("rejects %s at %s", (_name, mutate, field, message) => {
    const result = failure(invalid(mutate));
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
  });
});

describe("ringProblem", () => {
  it("accepts a simple closed ring, clockwise or not", () => {
    expect(ringProblem(SQUARE)).toBeNull();
    expect(ringProblem([...SQUARE].reverse())).toBeNull();
  });

  it("accepts a concave ring", () => {
    const concave: Ring = [
      [0, 0],
      [4, 0],
      [4, 4],
      [2, 1],
      [0, 4],
      [0, 0],
    ];
    expect(ringProblem(concave)).toBeNull();
  });

  it("rejects a ring with no area", () => {
    const line: Ring = [
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 0],
    ];
    expect(ringProblem(line)).not.toBeNull();
  });

  it("names the crossing edges", () => {
    const bowTie: Ring = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    expect(ringProblem(bowTie)).toBe("the polygon crosses itself (edges 0 and 2)");
  });
});
