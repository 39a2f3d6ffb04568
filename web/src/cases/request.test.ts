import { describe, expect, it } from "vitest";
import type { AreaResult } from "./draw";
import {
  buildCaseSearch,
  type CaseForm,
  canSearch,
  emptyCaseForm,
  fieldOfProblem,
  parseCameraIds,
  presetWindow,
} from "./request";

const circle: AreaResult = { ok: true, area: { circle: { lat: 22.1937, lon: 113.5399, radiusM: 300 } } };
const noArea: AreaResult = { ok: false, problem: "noArea" };

function form(overrides: Partial<CaseForm> = {}): CaseForm {
  return {
    caseReference: "PJ-2026-004512",
    purpose: "Robbery near Senado Square, witness statement",
    from: "2026-03-01T10:00",
    to: "2026-03-01T12:30",
    objectClasses: [],
    ruleTypes: [],
    plate: "",
    cameraIds: "",
    incidentId: "",
    ...overrides,
  };
}

describe("canSearch", () => {
  it("needs a case reference of 3..64 allowed characters and a purpose of 10..500", () => {
    expect(canSearch(form())).toBe(true);
    expect(canSearch(form({ caseReference: "PJ" }))).toBe(false);
    expect(canSearch(form({ caseReference: "PJ 2026" }))).toBe(false);
    expect(canSearch(form({ caseReference: "PJ#1" }))).toBe(false);
    expect(canSearch(form({ caseReference: "x".repeat(65) }))).toBe(false);
    expect(canSearch(form({ caseReference: " PJ/2026.1_a " }))).toBe(true);
    expect(canSearch(form({ purpose: "too short" }))).toBe(false);
    // Spaces around do not count towards the 10.
    expect(canSearch(form({ purpose: "   123456789   " }))).toBe(false);
    expect(canSearch(form({ purpose: "1234567890" }))).toBe(true);
    expect(canSearch(form({ purpose: "p".repeat(501) }))).toBe(false);
  });
});

describe("buildCaseSearch", () => {
  it("trims, reads the window in Macao time and sends it as UTC, and leaves empty filters out", () => {
    const result = buildCaseSearch(
      form({ caseReference: "  PJ-2026-004512 ", purpose: "  Robbery near Senado Square  " }),
      circle,
    );
    expect(result).toEqual({
      ok: true,
      request: {
        caseReference: "PJ-2026-004512",
        purpose: "Robbery near Senado Square",
        window: { from: "2026-03-01T02:00:00.000Z", to: "2026-03-01T04:30:00.000Z" },
        area: circle.ok ? circle.area : undefined,
      },
    });
    // No keys for empty filters at all (the gateway refuses empty lists).
    expect(Object.keys(result.ok ? result.request : {}).sort()).toEqual(["area", "caseReference", "purpose", "window"]);
  });

  it("takes the filters: classes and rules in the contract's order, camera ids split and deduplicated, plate upper case", () => {
    const result = buildCaseSearch(
      form({
        objectClasses: ["vehicle", "person"],
        ruleTypes: ["wrong_way", "line_crossed"],
        cameraIds: " cam-1, cam-2 cam-1,,\ncam-3 ",
        plate: " mk-12-* ",
        incidentId: " 7F1E9C1A-0A7B-4C1B-9F00-0123456789AB ",
      }),
      circle,
    );
    expect(result.ok && result.request).toMatchObject({
      objectClasses: ["person", "vehicle"],
      ruleTypes: ["line_crossed", "wrong_way"],
      cameraIds: ["cam-1", "cam-2", "cam-3"],
      plate: "MK-12-*",
      incidentId: "7f1e9c1a-0a7b-4c1b-9f00-0123456789ab",
    });
  });

  it("names the first problem and its field", () => {
    expect(buildCaseSearch(form({ caseReference: "a" }), circle)).toEqual({
      ok: false,
      field: "caseReference",
      problem: "caseReference",
    });
    expect(buildCaseSearch(form({ purpose: "short" }), circle)).toMatchObject({ field: "purpose" });
    expect(buildCaseSearch(form({ from: "" }), circle)).toMatchObject({ field: "window", problem: "windowInvalid" });
    expect(buildCaseSearch(form({ to: "2026-03-01T10:00" }), circle)).toMatchObject({ problem: "windowOrder" });
    expect(buildCaseSearch(form({ to: "2026-03-01T09:00" }), circle)).toMatchObject({ problem: "windowOrder" });
    expect(buildCaseSearch(form(), { ok: false, problem: "polygonOpen" })).toEqual({
      ok: false,
      field: "area",
      problem: "polygonOpen",
    });
    expect(buildCaseSearch(form({ plate: "*" }), circle)).toMatchObject({ field: "plate" });
    expect(buildCaseSearch(form({ plate: "M*" }), circle)).toMatchObject({ field: "plate" });
    expect(buildCaseSearch(form({ plate: "MK_12" }), circle)).toMatchObject({ field: "plate" });
    expect(buildCaseSearch(form({ cameraIds: "cam 1/2" }), circle)).toMatchObject({ field: "cameraIds" });
    expect(buildCaseSearch(form({ incidentId: "incident-7" }), circle)).toMatchObject({ field: "incidentId" });
  });

  it("leaves the window's length to the gateway (its maximum is configurable)", () => {
    const result = buildCaseSearch(form({ from: "2026-03-01T00:00", to: "2026-03-02T06:00" }), circle);
    expect(result.ok && result.request.window).toEqual({
      from: "2026-02-28T16:00:00.000Z",
      to: "2026-03-01T22:00:00.000Z",
    });
  });

  it("needs an area unless an incident is named (then the gateway uses the incident's place)", () => {
    expect(buildCaseSearch(form(), noArea)).toEqual({ ok: false, field: "area", problem: "noArea" });
    const id = "7f1e9c1a-0a7b-4c1b-9f00-0123456789ab";
    const result = buildCaseSearch(form({ incidentId: id }), noArea);
    expect(result.ok && result.request.incidentId).toBe(id);
    expect(result.ok && "area" in result.request).toBe(false);
    // A half-typed circle is still a problem, incident or not.
    expect(buildCaseSearch(form({ incidentId: id }), { ok: false, problem: "circleRadius" })).toMatchObject({
      field: "area",
    });
  });
});

describe("fieldOfProblem", () => {
  it("maps the gateway's field paths to the form's fields", () => {
    expect(fieldOfProblem("body.window.to")).toBe("window");
    expect(fieldOfProblem("body.window")).toBe("window");
    expect(fieldOfProblem("body.area.polygon")).toBe("area");
    expect(fieldOfProblem("body.area.polygon[3][0]")).toBe("area");
    expect(fieldOfProblem("body.cameraIds[2]")).toBe("cameraIds");
    expect(fieldOfProblem("body.plate")).toBe("plate");
    expect(fieldOfProblem("body.purpose")).toBe("purpose");
    expect(fieldOfProblem("body.limit")).toBeNull();
    expect(fieldOfProblem("query.cursor")).toBeNull();
    expect(fieldOfProblem(undefined)).toBeNull();
  });
});

describe("windows", () => {
  it("presets end now (to the minute) in Macao time", () => {
    const now = Date.parse("2026-03-01T04:30:42.000Z"); // 12:30:42 in Macao
    expect(presetWindow(1, now)).toEqual({ from: "2026-03-01T11:30", to: "2026-03-01T12:30" });
    expect(presetWindow(24, now)).toEqual({ from: "2026-02-28T12:30", to: "2026-03-01T12:30" });
    expect(emptyCaseForm(now)).toMatchObject({ from: "2026-03-01T11:30", to: "2026-03-01T12:30", purpose: "" });
  });

  it("a preset's window is accepted as it is", () => {
    const now = Date.parse("2026-03-01T04:30:00.000Z");
    const result = buildCaseSearch(form(presetWindow(2, now)), circle);
    expect(result.ok && result.request.window).toEqual({
      from: "2026-03-01T02:30:00.000Z",
      to: "2026-03-01T04:30:00.000Z",
    });
  });

  it("splits camera ids on commas, semicolons and white space", () => {
    expect(parseCameraIds("a,b;c d\te\n\nf,,")).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(parseCameraIds("  ")).toEqual([]);
  });
});
