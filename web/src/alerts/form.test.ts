import { describe, expect, it } from "vitest";
import { newAlertContent, newTemplate, text } from "../testing/alert-factories";
import { iso, T0 } from "../testing/factories";
import {
  type AlertForm,
  buildContent,
  emptyArea,
  emptyForm,
  fieldOfProblem,
  formOfContent,
  formOfTemplate,
  isoToWallTime,
  toggled,
  wallTimeToIso,
} from "./form";

const NOW = T0; // 2025-06-01T08:00Z = 16:00 in Macao

function completeForm(overrides: Partial<AlertForm> = {}): AlertForm {
  return { ...formOfContent(newAlertContent({ expires: iso(NOW + 3 * 3600_000) })), ...overrides };
}

describe("Macao wall time of onset and expiry", () => {
  it("shows an instant in Macao time and reads it back as the same instant", () => {
    expect(isoToWallTime("2025-06-01T20:30:00.000Z")).toBe("2025-06-02T04:30");
    expect(wallTimeToIso("2025-06-02T04:30")).toBe("2025-06-01T20:30:00.000Z");
    expect(isoToWallTime(null)).toBe("");
    expect(isoToWallTime("not a time")).toBe("");
    expect(wallTimeToIso("2025-02-30T10:00")).toBeNull();
  });

  it("sends the expiry typed in Macao time as UTC, whatever zone the form is built in", () => {
    const form = completeForm({ expires: "2025-06-02T00:15" });
    const built = buildContent(form, { complete: true, now: NOW });
    expect(built.ok && built.content.expires).toBe("2025-06-01T16:15:00.000Z");
  });

  it("starts a blank alert expiring six hours ahead, on a quarter hour, in Macao time", () => {
    const form = emptyForm(NOW + 7 * 60_000); // 16:07 Macao
    expect(form.expires).toBe("2025-06-01T22:15");
    expect(form.areas).toHaveLength(1);
  });

  it("makes a template's draft expire expiresInHours from now", () => {
    const template = newTemplate({ expiresInHours: 12 });
    const form = formOfTemplate(template, NOW);
    expect(form.expires).toBe("2025-06-02T04:00");
    expect(form.templateId).toBe(template.id);
    expect(form.incidentId).toBeNull();
  });
});

describe("buildContent", () => {
  it("round-trips content from the service unchanged", () => {
    const content = newAlertContent({
      onset: "2025-06-01T09:00:00.000Z",
      expires: "2025-06-01T12:00:00.000Z",
      areas: [
        {
          description: text("Taipa"),
          polygons: [
            [
              [113.55, 22.15],
              [113.56, 22.15],
              [113.56, 22.16],
              [113.55, 22.15],
            ],
          ],
          circles: [{ center: [113.54, 22.19], radiusKm: 1.5 }],
          districts: ["MO-TAI"],
        },
      ],
    });
    const built = buildContent(formOfContent(content), { complete: true, now: NOW });
    expect(built).toEqual({ ok: true, content });
  });

  it("trims the texts and drops blank event codes", () => {
    const form = completeForm({
      headline: { "zh-Hant": " 八號 ", pt: "Sinal\n", en: "  Signal" },
      eventCodes: [
        { valueName: "MO-SMG-signal", value: "8NE" },
        { valueName: "", value: "x" },
      ],
    });
    const built = buildContent(form, { complete: true, now: NOW });
    if (!built.ok) throw new Error(built.problem);
    expect(built.content.headline).toEqual({ "zh-Hant": "八號", pt: "Sinal", en: "Signal" });
    expect(built.content.eventCodes).toEqual([{ valueName: "MO-SMG-signal", value: "8NE" }]);
  });

  it("refuses an expiry that is not a date, or not after the onset, even for a draft", () => {
    expect(buildContent(completeForm({ expires: "" }), { complete: false, now: NOW })).toMatchObject({
      ok: false,
      field: "expires",
      problem: "expiresInvalid",
    });
    expect(
      buildContent(completeForm({ onset: "2025-06-01T18:00", expires: "2025-06-01T18:00" }), {
        complete: false,
        now: NOW,
      }),
    ).toMatchObject({ ok: false, field: "expires", problem: "expiresBeforeOnset" });
    expect(buildContent(completeForm({ onset: "tomorrow" }), { complete: false, now: NOW })).toMatchObject({
      ok: false,
      field: "onset",
    });
  });

  it("saves an incomplete draft, but submits only a complete alert", () => {
    const form = completeForm({ headline: { "zh-Hant": "八號", pt: "", en: "Signal 8" }, categories: [] });
    expect(buildContent(form, { complete: false, now: NOW }).ok).toBe(true);
    expect(buildContent(form, { complete: true, now: NOW })).toMatchObject({
      ok: false,
      field: "headline.pt",
      problem: "textMissing",
      language: "pt",
    });
    form.headline.pt = "Sinal 8";
    expect(buildContent(form, { complete: true, now: NOW })).toMatchObject({ field: "categories" });
  });

  it("submits only an expiry still in the future (Macao 15:59 is before 16:00 = now)", () => {
    const past = completeForm({ expires: "2025-06-01T15:59" });
    expect(buildContent(past, { complete: true, now: NOW })).toMatchObject({
      field: "expires",
      problem: "expiresPast",
    });
    expect(buildContent(past, { complete: false, now: NOW }).ok).toBe(true);
  });

  it("needs every area to have a description in all three languages and a place", () => {
    const area = { ...emptyArea(), description: text("Coloane") };
    const noPlace = completeForm({ areas: [completeForm().areas[0] ?? area, area] });
    expect(buildContent(noPlace, { complete: true, now: NOW })).toMatchObject({
      field: "areas.1",
      problem: "areaEmpty",
    });
    const noEnglish = completeForm({
      areas: [{ ...area, districts: ["MO-COL"], description: { "zh-Hant": "路環", pt: "Coloane", en: " " } }],
    });
    expect(buildContent(noEnglish, { complete: true, now: NOW })).toMatchObject({
      field: "areas.0.description.en",
      problem: "areaDescriptionMissing",
    });
    expect(buildContent(completeForm({ areas: [] }), { complete: true, now: NOW })).toMatchObject({
      field: "areas",
    });
  });
});

describe("fieldOfProblem", () => {
  it("names the form field of a service problem, with or without the body/content prefix", () => {
    expect(fieldOfProblem("content.areas.0.polygons.1")).toBe("areas.0");
    expect(fieldOfProblem("body.content.areas.2.circles.0.radiusKm")).toBe("areas.2");
    expect(fieldOfProblem("content.areas.1.description.pt")).toBe("areas.1.description.pt");
    expect(fieldOfProblem("content.areas.1.description")).toBe("areas.1");
    expect(fieldOfProblem("content.areas")).toBe("areas");
    expect(fieldOfProblem("content.headline.zh-Hant")).toBe("headline.zh-Hant");
    expect(fieldOfProblem("content.instruction")).toBe("instruction");
    expect(fieldOfProblem("content.expires")).toBe("expires");
    expect(fieldOfProblem("content.categories.0")).toBe("categories");
  });

  it("names no field for what the form does not have", () => {
    expect(fieldOfProblem(undefined)).toBeNull();
    expect(fieldOfProblem("revision")).toBeNull();
    expect(fieldOfProblem("body.alertId")).toBeNull();
    expect(fieldOfProblem("content.headlines")).toBeNull();
  });
});

describe("toggled", () => {
  const ORDER = ["Geo", "Met", "Safety", "Fire"] as const;

  it("adds and removes a value, keeping the given order and no duplicates", () => {
    expect(toggled(["Fire"], "Met", true, ORDER)).toEqual(["Met", "Fire"]);
    expect(toggled(["Met", "Fire"], "Met", true, ORDER)).toEqual(["Met", "Fire"]);
    expect(toggled(["Geo", "Met", "Fire"], "Met", false, ORDER)).toEqual(["Geo", "Fire"]);
    expect(toggled([], "Safety", false, ORDER)).toEqual([]);
  });
});
