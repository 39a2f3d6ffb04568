import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { distanceMetres, ValidationError } from "@hub/common";
import { type AlertContent, type CapMessageType, LANGUAGES, ringProblem } from "@hub/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { districtByCode } from "../templates/districts.js";
import { contentFromTemplate, TEMPLATES } from "../templates/templates.js";
import { buildCapXml, CAP_NAMESPACE, type CapMessageInput, capDateTime, capReference, circleToPolygon } from "./cap.js";

const XSD = fileURLToPath(new URL("../../schema/cap1.2.xsd", import.meta.url));
const SENDER = "cpoc.gov.mo";
const SENT = new Date("2025-08-01T10:00:00Z");
const workDir = mkdtempSync(join(tmpdir(), "cap-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// ---- Builders and xmllint helpers --------------------------------------------------------------------------------

/** A template's content, with a circle where the template leaves the area to the drafter. */
function templateContent(templateId: string): AlertContent {
  const template = TEMPLATES.find((t) => t.id === templateId);
  if (!template) throw new Error(`no template ${templateId}`);
  const content = contentFromTemplate(template, SENT);
  if (content.areas.length === 0)
    content.areas.push({
      description: { "zh-Hant": "氹仔官也街一帶", pt: "Rua do Cunha, Taipa", en: "Rua do Cunha, Taipa" },
      polygons: [],
      circles: [{ center: [113.5565, 22.1535], radiusKm: 0.3 }],
      districts: [],
    });
  return content;
}

function capInput(overrides: Partial<CapMessageInput> = {}): CapMessageInput {
  return {
    identifier: "MO-CPOC-2025-0001",
    sender: SENDER,
    sent: SENT,
    status: "Actual",
    msgType: "Alert",
    references: null,
    senderName: {
      "zh-Hant": "民防行動中心",
      pt: "Centro de Operações de Protecção Civil",
      en: "Civil Protection Operations Centre",
    },
    web: "https://alerts.example.mo/public/alerts",
    contact: "+853 2800 0000",
    note: null,
    content: templateContent("tc-8ne"),
    ...overrides,
  };
}

let fileCounter = 0;
function writeXml(name: string, xml: string): string {
  fileCounter += 1;
  const file = join(workDir, `${String(fileCounter).padStart(3, "0")}-${name}.xml`);
  writeFileSync(file, xml, "utf8");
  return file;
}

/** Validates many files in one xmllint run; per file, whether it validates and xmllint's complaints. */
function validate(files: string[]): Map<string, { valid: boolean; errors: string[] }> {
  const run = spawnSync("xmllint", ["--noout", "--schema", XSD, ...files], { encoding: "utf8" });
  if (run.error) throw run.error;
  const lines = run.stderr.split("\n");
  return new Map(
    files.map((file) => [
      file,
      {
        valid: lines.includes(`${file} validates`),
        errors: lines.filter((line) => line.startsWith(`${file}:`)),
      },
    ]),
  );
}

/** The string value of an XPath expression (namespaces matched by local-name, as xmllint cannot bind prefixes). */
function xpath(file: string, expression: string): string {
  const run = spawnSync("xmllint", ["--xpath", expression, file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`xmllint --xpath ${expression}: ${run.stderr}`);
  return run.stdout.replace(/\n$/, "");
}

const el = (name: string) => `*[local-name()='${name}']`;

// ---- Schema validity ---------------------------------------------------------------------------------------------

// Each test starts xmllint, which loads and compiles the CAP schema: a second or more on a busy machine, so these
// state their own budget instead of relying on the default 5 s.
describe("buildCapXml against the CAP 1.2 schema (xmllint)", { timeout: 30_000 }, () => {
  it("every template, as an Alert, an Update and a Cancel, validates", () => {
    const files: string[] = [];
    const msgTypes: CapMessageType[] = ["Alert", "Update", "Cancel"];
    for (const template of TEMPLATES) {
      msgTypes.forEach((msgType, index) => {
        const identifier = `MO-CPOC-${template.id}-${index + 1}`;
        const references =
          msgType === "Alert"
            ? null
            : [
                capReference(SENDER, `MO-CPOC-${template.id}-1`, new Date(SENT.getTime() - 3600_000)),
                ...(msgType === "Cancel" ? [capReference(SENDER, `MO-CPOC-${template.id}-2`, SENT)] : []),
              ].join(" ");
        const xml = buildCapXml(
          capInput({ identifier, msgType, references, content: templateContent(template.id), note: "Incident x" }),
        );
        files.push(writeXml(`${template.id}-${msgType}`, xml));
      });
    }
    expect(files).toHaveLength(TEMPLATES.length * 3);
    const results = validate(files);
    const failures = [...results].filter(([, result]) => !result.valid);
    expect(failures).toEqual([]);
  });

  it("rejects a document with the elements out of order (the check is not vacuous)", () => {
    const xml = buildCapXml(capInput()).replace(
      /(\s*<sent>[^<]*<\/sent>)(\s*<status>[^<]*<\/status>)/,
      (_, sent: string, status: string) => `${status}${sent}`,
    );
    const file = writeXml("out-of-order", xml);
    const result = validate([file]).get(file);
    expect(result?.valid).toBe(false);
    expect(result?.errors.join("\n")).toMatch(/status/);
  });

  it("validates a content with polygons, circles, districts and special characters, and keeps the text intact", () => {
    const headline = {
      "zh-Hant": '火警：請避開 <官也街> & "舊城區" 🔥',
      pt: 'Incêndio na "Rua do Cunha" & <Taipa>: evite a zona ]]> 🚒',
      en: "Fire at 'Rua do Cunha' & <Taipa> — keep away 🔥",
    };
    const description = {
      "zh-Hant": "第一行\n第二行\t（含定位字元）",
      pt: "Há fumo; a água está a 0,5 m < 1 m & a subir.",
      en: "Smoke\u0001 is heavy\uD800 near the <old village>.",
    };
    const content: AlertContent = {
      ...templateContent("fire"),
      headline,
      description,
      eventCodes: [{ valueName: "MO-CPOC-event", value: "fire & <smoke>" }],
      areas: [
        {
          description: { "zh-Hant": "氹仔舊城區 & 路氹", pt: "Vila da Taipa & Cotai", en: "Taipa Village & Cotai" },
          polygons: [
            [
              [113.55, 22.15],
              [113.56, 22.15],
              [113.56, 22.16],
              [113.55, 22.16],
              [113.55, 22.15],
            ],
          ],
          circles: [{ center: [113.5565, 22.1535], radiusKm: 0.25 }],
          districts: ["MO-TAI", "MO-COT"],
        },
        {
          description: { "zh-Hant": "內港", pt: "Porto Interior", en: "Inner Harbour" },
          polygons: [],
          circles: [],
          districts: ["MO-INNER-HARBOUR"],
        },
      ],
    };
    const xml = buildCapXml(capInput({ content, note: "Evidence: incident 42 & <camera MO-CAM-0001>" }));
    const file = writeXml("special", xml);
    const result = validate([file]).get(file);
    expect(result).toEqual({ valid: true, errors: [] });

    expect(xml).toContain("&amp; &lt;Taipa&gt;");
    expect(xml).not.toContain("<Taipa>");
    expect(xml).not.toContain("\u0001");
    expect(xml).not.toMatch(/[\uD800-\uDFFF]/u);

    expect(xpath(file, `count(//${el("info")})`)).toBe("3");
    LANGUAGES.forEach((language, index) => {
      const info = `//${el("info")}[${index + 1}]`;
      expect(xpath(file, `string(${info}/${el("language")})`)).toBe(language);
      expect(xpath(file, `string(${info}/${el("headline")})`)).toBe(headline[language]);
      expect(xpath(file, `string(${info}/${el("area")}[1]/${el("areaDesc")})`)).toBe(
        content.areas[0]?.description[language],
      );
    });
    expect(xpath(file, `string(//${el("info")}[1]/${el("description")})`)).toBe(description["zh-Hant"]);
    expect(xpath(file, `string(//${el("info")}[3]/${el("description")})`)).toBe(
      "Smoke is heavy near the <old village>.",
    );
    expect(xpath(file, `string(//${el("note")})`)).toBe("Evidence: incident 42 & <camera MO-CAM-0001>");
    expect(xpath(file, `string(//${el("info")}[1]/${el("eventCode")}/${el("value")})`)).toBe("fire & <smoke>");

    // Area 1: the drawn polygon first (CAP order lat,lon), then one outline per district; circle; geocodes.
    const area = `//${el("info")}[2]/${el("area")}[1]`;
    expect(xpath(file, `string(${area}/${el("polygon")}[1])`)).toBe(
      "+22.15,+113.55 +22.15,+113.56 +22.16,+113.56 +22.16,+113.55 +22.15,+113.55",
    );
    expect(xpath(file, `count(${area}/${el("polygon")})`)).toBe("3");
    const taipa = districtByCode("MO-TAI");
    expect(xpath(file, `string(${area}/${el("polygon")}[2])`)).toBe(
      taipa?.polygon.map(([lon, lat]) => `+${lat},+${lon}`).join(" "),
    );
    expect(xpath(file, `string(${area}/${el("circle")})`)).toBe("+22.1535,+113.5565 0.25");
    expect(xpath(file, `string(${area}/${el("geocode")}[2]/${el("valueName")})`)).toBe("MO-district");
    expect(xpath(file, `string(${area}/${el("geocode")}[2]/${el("value")})`)).toBe("MO-COT");
    expect(xpath(file, `string(//${el("info")}[2]/${el("area")}[2]/${el("geocode")}/${el("value")})`)).toBe(
      "MO-INNER-HARBOUR",
    );
  });
});

// ---- Structure ---------------------------------------------------------------------------------------------------

describe("buildCapXml", () => {
  it("writes the header, the CAP namespace and one info per language, in the contract's order", () => {
    const xml = buildCapXml(capInput());
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="${CAP_NAMESPACE}">`)).toBe(true);
    expect([...xml.matchAll(/<language>([^<]+)<\/language>/g)].map((m) => m[1])).toEqual([...LANGUAGES]);
    expect(xml).toContain("<sent>2025-08-01T18:00:00+08:00</sent>");
    expect(xml.match(/<effective>2025-08-01T18:00:00\+08:00<\/effective>/g)).toHaveLength(3);
    // tc-8ne expires 12 h after SENT
    expect(xml.match(/<expires>2025-08-02T06:00:00\+08:00<\/expires>/g)).toHaveLength(3);
    expect(xml).toContain("<senderName>Centro de Operações de Protecção Civil</senderName>");
    expect(xml).toContain("<scope>Public</scope>");
  });

  it("writes onset in Macao time when the content has one, and leaves it out otherwise", () => {
    const content = { ...templateContent("tc-3"), onset: "2025-08-01T12:30:00Z" };
    expect(buildCapXml(capInput({ content }))).toContain("<onset>2025-08-01T20:30:00+08:00</onset>");
    expect(buildCapXml(capInput())).not.toContain("<onset>");
  });

  it("carries the references of an Update and a Cancel, and the info of a Cancel's content", () => {
    const references = capReference(SENDER, "MO-CPOC-2025-0001", SENT);
    const xml = buildCapXml(capInput({ msgType: "Cancel", identifier: "MO-CPOC-2025-0002", references }));
    expect(xml).toContain(`<msgType>Cancel</msgType>`);
    expect(xml).toContain(`<references>${SENDER},MO-CPOC-2025-0001,2025-08-01T18:00:00+08:00</references>`);
    expect(xml.match(/<info>/g)).toHaveLength(3);
  });

  it("is deterministic: the same input gives the same bytes, whatever the order of the object's keys", () => {
    const input = capInput();
    const reordered = Object.fromEntries(Object.entries(input).reverse()) as unknown as CapMessageInput;
    const content = Object.fromEntries(Object.entries(input.content).reverse()) as unknown as AlertContent;
    expect(buildCapXml(input)).toBe(buildCapXml(capInput()));
    expect(buildCapXml({ ...reordered, content })).toBe(buildCapXml(input));
  });

  it("leaves out optional elements that are null", () => {
    const xml = buildCapXml(capInput({ web: null, contact: null, note: null }));
    expect(xml).not.toMatch(/<web>|<contact>|<note>|<references>/);
  });

  it("refuses input the schema would reject, naming the field", () => {
    const fieldOf = (input: CapMessageInput) => {
      try {
        buildCapXml(input);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).fieldPath;
      }
      return "no error";
    };
    expect(fieldOf(capInput({ identifier: "MO CPOC 1" }))).toBe("identifier");
    expect(fieldOf(capInput({ sender: "cpoc,gov" }))).toBe("sender");
    expect(fieldOf(capInput({ msgType: "Update", references: null }))).toBe("references");
    expect(fieldOf(capInput({ msgType: "Update", references: "MO-CPOC-2025-0001" }))).toBe("references");
    expect(fieldOf(capInput({ web: "not a url" }))).toBe("web");
    const openRing = templateContent("fire");
    const area = openRing.areas[0];
    if (area)
      area.polygons = [
        [
          [113.55, 22.15],
          [113.56, 22.15],
          [113.56, 22.16],
          [113.55, 22.16],
        ],
      ];
    expect(fieldOf(capInput({ content: openRing }))).toBe("content.areas.0.polygons.0");
    expect(fieldOf(capInput({ content: { ...templateContent("fire"), expires: "soon" } }))).toBe("content.expires");
    expect(fieldOf(capInput({ content: { ...templateContent("fire"), categories: [] } }))).toBe("content.categories");
  });
});

// ---- Helpers -----------------------------------------------------------------------------------------------------

describe("capDateTime", () => {
  it("gives Macao time (+08:00) with whole seconds, rolling over the date", () => {
    expect(capDateTime(new Date("2025-08-01T10:00:00.999Z"))).toBe("2025-08-01T18:00:00+08:00");
    expect(capDateTime(new Date("2025-12-31T16:30:05Z"))).toBe("2026-01-01T00:30:05+08:00");
    expect(capDateTime(new Date("2024-02-28T20:00:00Z"))).toBe("2024-02-29T04:00:00+08:00");
  });

  it("matches the schema's date-time pattern", () => {
    expect(capDateTime(new Date(Date.UTC(1999, 0, 1, 0, 0, 0)))).toMatch(
      /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d$/,
    );
  });

  it("throws on an invalid date", () => {
    expect(() => capDateTime(new Date("nope"))).toThrow(RangeError);
  });
});

describe("capReference", () => {
  it('is "sender,identifier,sent" with sent in CAP form', () => {
    expect(capReference(SENDER, "MO-CPOC-2025-0001", new Date("2025-08-01T10:00:00.400Z"))).toBe(
      "cpoc.gov.mo,MO-CPOC-2025-0001,2025-08-01T18:00:00+08:00",
    );
  });

  it("refuses a sender or identifier with a comma or a space", () => {
    expect(() => capReference("a,b", "id", SENT)).toThrow(ValidationError);
    expect(() => capReference("sender", "an id", SENT)).toThrow(ValidationError);
  });
});

describe("circleToPolygon", () => {
  const circle = { center: [113.5565, 22.1535] as [number, number], radiusKm: 1.5 };

  it("gives a closed, simple, counter-clockwise ring of points + 1 positions", () => {
    const ring = circleToPolygon(circle, 24);
    expect(ring).toHaveLength(25);
    expect(ring[24]).toEqual(ring[0]);
    expect(ringProblem(ring)).toBeNull();
    let twiceArea = 0;
    for (let i = 0; i + 1 < ring.length; i += 1) {
      const [x1, y1] = ring[i] as [number, number];
      const [x2, y2] = ring[i + 1] as [number, number];
      twiceArea += x1 * y2 - x2 * y1;
    }
    expect(twiceArea).toBeGreaterThan(0);
  });

  it("puts every vertex at the radius from the centre, starting due north", () => {
    const ring = circleToPolygon(circle);
    expect(ring).toHaveLength(33);
    const centre = { lon: circle.center[0], lat: circle.center[1] };
    for (const [lon, lat] of ring) expect(distanceMetres(centre, { lon, lat })).toBeCloseTo(1500, -1);
    expect(ring[0]?.[0]).toBeCloseTo(circle.center[0], 6);
    expect(ring[0]?.[1]).toBeGreaterThan(circle.center[1]);
  });

  it("refuses fewer than 3 points", () => {
    expect(() => circleToPolygon(circle, 2)).toThrow(RangeError);
  });
});
