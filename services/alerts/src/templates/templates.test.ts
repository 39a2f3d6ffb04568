import {
  type AlertContent,
  type AlertTemplate,
  CAP_CERTAINTIES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
  DISTRICT_CODES,
  LANGUAGES,
} from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { parseAlertContent } from "../services/content-schema.js";
import { contentFromTemplate, TEMPLATES, templateForIncidentKind } from "./templates.js";

const NOW = new Date("2025-08-01T10:00:00Z");
const PARISHES = DISTRICT_CODES.filter((code) => code !== "MO-INNER-HARBOUR");

function template(id: string): AlertTemplate {
  const found = TEMPLATES.find((t) => t.id === id);
  if (!found) throw new Error(`no template ${id}`);
  return found;
}

function eventCode(t: AlertTemplate): string | undefined {
  return t.content.eventCodes[0]?.value;
}

/** Ranks where a higher number is more serious (the contract lists each scale from most to least). */
const rank = {
  severity: (t: AlertTemplate) => CAP_SEVERITIES.length - CAP_SEVERITIES.indexOf(t.content.severity),
  urgency: (t: AlertTemplate) => CAP_URGENCIES.length - CAP_URGENCIES.indexOf(t.content.urgency),
  certainty: (t: AlertTemplate) => CAP_CERTAINTIES.length - CAP_CERTAINTIES.indexOf(t.content.certainty),
};

function nonDecreasing(values: number[]): boolean {
  return values.every((value, index) => index === 0 || value >= (values[index - 1] ?? value));
}

describe("TEMPLATES", () => {
  it("have unique ids", () => {
    const ids = TEMPLATES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("cover Macao's tropical cyclone signals, storm surge, rainstorm and civil-protection warnings", () => {
    const codes = (group: string) => TEMPLATES.filter((t) => t.group === group).map(eventCode);
    expect(codes("tropical-cyclone")).toEqual(["1", "3", "8NE", "8SE", "8SW", "8NW", "9", "10"]);
    expect(codes("storm-surge")).toEqual(["blue", "yellow", "orange", "red", "black"]);
    expect(codes("rainstorm")).toEqual(["yellow", "red", "black"]);
    for (const id of ["thunderstorm", "fire", "public-security", "all-clear"]) expect(template(id).group).toBe(id);
  });

  it("every template's content passes the HTTP schema once its areas are filled", () => {
    for (const t of TEMPLATES) {
      const content = contentFromTemplate(t, NOW);
      if (content.areas.length === 0)
        content.areas.push({
          description: { "zh-Hant": "現場", pt: "Local", en: "Scene" },
          polygons: [],
          circles: [{ center: [113.5402, 22.1937], radiusKm: 0.2 }],
          districts: [],
        });
      const parsed = parseAlertContent(content);
      expect(parsed, t.id).toEqual({ ok: true, value: content });
    }
  });

  it("write each language differently (no untranslated copies)", () => {
    const cjk = /\p{Script=Han}/u;
    for (const t of TEMPLATES) {
      for (const field of ["event", "headline", "description", "instruction"] as const) {
        const text = t.content[field];
        expect(text["zh-Hant"], `${t.id} ${field}`).toMatch(cjk);
        expect(text.pt, `${t.id} ${field}`).not.toMatch(cjk);
        expect(text.pt, `${t.id} ${field}`).not.toBe(text.en);
      }
      for (const language of LANGUAGES) expect(t.name[language].trim(), t.id).not.toBe("");
    }
  });

  it("escalate severity, urgency and certainty with the signal", () => {
    for (const group of ["tropical-cyclone", "storm-surge", "rainstorm"]) {
      const series = TEMPLATES.filter((t) => t.group === group);
      for (const measure of [rank.severity, rank.urgency, rank.certainty])
        expect(nonDecreasing(series.map(measure)), group).toBe(true);
      const first = series[0];
      const last = series[series.length - 1];
      if (!first || !last) throw new Error(`empty group ${group}`);
      expect(rank.severity(last)).toBeGreaterThan(rank.severity(first));
    }
    expect(template("tc-10").content.severity).toBe("Extreme");
    expect(template("storm-surge-black").content.severity).toBe("Extreme");
  });

  it("use the expected categories and response types", () => {
    for (const t of TEMPLATES.filter((t) => ["tropical-cyclone", "storm-surge", "rainstorm"].includes(t.group)))
      expect(t.content.categories).toEqual(["Met"]);
    expect(template("fire").content.categories).toEqual(["Fire"]);
    expect(template("public-security").content.categories).toEqual(["Security"]);
    expect(template("all-clear").content.responseTypes).toEqual(["AllClear"]);
    expect(template("tc-1").content.responseTypes).toEqual(["Monitor"]);
    expect(template("tc-3").content.responseTypes).toEqual(["Prepare"]);
    expect(template("tc-8sw").content.responseTypes).toEqual(["Shelter"]);
    expect(template("storm-surge-red").content.responseTypes).toContain("Evacuate");
    expect(template("storm-surge-black").content.responseTypes).toContain("Evacuate");
  });

  it("default weather warnings to all of Macao's parishes, storm surge to growing low-lying areas", () => {
    for (const t of TEMPLATES.filter((t) => ["tropical-cyclone", "rainstorm", "thunderstorm"].includes(t.group))) {
      expect(t.content.areas).toHaveLength(1);
      expect(t.content.areas[0]?.districts, t.id).toEqual(PARISHES);
    }
    const surge = TEMPLATES.filter((t) => t.group === "storm-surge");
    let previous: string[] = [];
    for (const t of surge) {
      const districts = t.content.areas.flatMap((area) => area.districts);
      expect(districts, t.id).toContain("MO-INNER-HARBOUR");
      expect(districts, t.id).toEqual(expect.arrayContaining(previous));
      previous = districts;
    }
    expect(template("fire").content.areas).toEqual([]);
    expect(template("public-security").content.areas).toEqual([]);
  });

  it("state the storm surge's water depth above road level for each colour", () => {
    const depths: Record<string, string> = {
      blue: "less than 0.5 m",
      yellow: "0.5 to 1 m",
      orange: "1 to 1.5 m",
      red: "1.5 to 2.5 m",
      black: "more than 2.5 m",
    };
    for (const t of TEMPLATES.filter((t) => t.group === "storm-surge")) {
      const depth = depths[eventCode(t) ?? ""];
      expect(depth, t.id).toBeDefined();
      expect(t.content.description.en).toContain(`${depth} above road level`);
      expect(t.content.headline.en).toContain(depth);
    }
  });
});

describe("contentFromTemplate", () => {
  it("sets the template id, no incident, and expires expiresInHours after now", () => {
    const t = template("rainstorm-red");
    const content: AlertContent = contentFromTemplate(t, NOW);
    expect(content.templateId).toBe("rainstorm-red");
    expect(content.incidentId).toBeNull();
    expect(Date.parse(content.expires) - NOW.getTime()).toBe(t.expiresInHours * 3600_000);
    expect(content.headline).toEqual(t.content.headline);
  });

  it("returns a copy: editing the draft never changes the template", () => {
    const t = template("storm-surge-yellow");
    const before = JSON.stringify(t);
    const content = contentFromTemplate(t, NOW);
    content.headline.en = "edited";
    content.areas[0]?.districts.push("MO-COL");
    content.eventCodes.pop();
    expect(JSON.stringify(t)).toBe(before);
  });
});

describe("templateForIncidentKind", () => {
  it("starts a fire incident's alert from the fire warning, a flood's from the lowest storm surge", () => {
    expect(templateForIncidentKind("fire").id).toBe("fire");
    expect(templateForIncidentKind("flood").id).toBe("storm-surge-blue");
  });

  it("starts any other kind, or none, from the public-security warning", () => {
    for (const kind of ["crowd", "watch_list", "traffic", "camera_fault", "something-new", undefined]) {
      expect(templateForIncidentKind(kind).id, String(kind)).toBe("public-security");
    }
  });
});
