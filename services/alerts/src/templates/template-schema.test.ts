import { describe, expect, it } from "vitest";
import { parseTemplateFiles } from "./template-schema.js";

function template(overrides: Record<string, unknown> = {}, content: Record<string, unknown> = {}) {
  const text = (en: string) => ({ "zh-Hant": en, pt: en, en });
  return {
    id: "fire",
    group: "fire",
    name: text("Fire"),
    content: {
      categories: ["Fire"],
      responseTypes: ["Avoid"],
      urgency: "Immediate",
      severity: "Severe",
      certainty: "Observed",
      event: text("Fire"),
      headline: text("Fire: keep away"),
      description: text("A fire has broken out."),
      instruction: text("Keep away."),
      eventCodes: [],
      onset: null,
      areas: [],
      ...content,
    },
    expiresInHours: 3,
    ...overrides,
  };
}

const file = (templates: unknown, name = "templates/fire.json") => ({ name, text: JSON.stringify(templates) });

describe("parseTemplateFiles", () => {
  it("reads the templates of every file in order", () => {
    const templates = parseTemplateFiles([
      file([template()]),
      file([template({ id: "all-clear", group: "all-clear" })], "templates/all-clear.json"),
    ]);
    expect(templates.map((t) => t.id)).toEqual(["fire", "all-clear"]);
    expect(templates[0]?.content.areas).toEqual([]);
  });

  it("refuses a malformed file, naming the file and the field", () => {
    const parse = (templates: unknown) => () => parseTemplateFiles([file(templates)]);
    expect(parse([template({}, { severity: "Terrible" })])).toThrow(
      /^templates\/fire\.json: 0\.content\.severity: must be one of Extreme, Severe/,
    );
    expect(parse([template({}, { headline: { "zh-Hant": "火警", en: "Fire" } })])).toThrow(
      "templates/fire.json: 0.content.headline.pt: is required",
    );
    expect(parse([template(), template({ expiresInHours: "3" })])).toThrow(
      "templates/fire.json: 1.expiresInHours: must be a number",
    );
    expect(parse([template({ colour: "red" })])).toThrow('templates/fire.json: 0.colour: unknown field "colour"');
    expect(parse([template({ id: "Fire Alarm" })])).toThrow(/^templates\/fire\.json: 0\.id: must be lower-case/);
    expect(parse({ id: "fire" })).toThrow("templates/fire.json: must be a JSON array of templates");
    expect(parse([])).toThrow("templates/fire.json: must list at least one template");
  });

  it("refuses a file that is not JSON", () => {
    expect(() => parseTemplateFiles([{ name: "templates/fire.json", text: '[{"id": "fire",' }])).toThrow(
      /^templates\/fire\.json: not valid JSON/,
    );
  });

  it("refuses a template id used twice", () => {
    expect(() => parseTemplateFiles([file([template()]), file([template()], "templates/other.json")])).toThrow(
      'templates/other.json: template id "fire" is already used in templates/fire.json',
    );
  });
});
