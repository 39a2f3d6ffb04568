import { type CaseSearchRequest, OBJECT_CLASSES, type ObjectClass, RULE_TYPES, type RuleType } from "@hub/contracts";
import { TIME_ZONE } from "../i18n/i18n";
import type { AreaProblem, AreaResult } from "./draw";
import { epochToWallTime, wallTimeToEpoch } from "./wall-time";

/** The case-lookup form as typed: strings as the inputs hold them, the window in Macao's wall time. */
export interface CaseForm {
  caseReference: string;
  purpose: string;
  /** datetime-local values ("2026-03-01T10:30"), Macao time. */
  from: string;
  to: string;
  objectClasses: ObjectClass[];
  ruleTypes: RuleType[];
  plate: string;
  /** Comma- or space-separated. */
  cameraIds: string;
  incidentId: string;
}

/** Where a problem is shown: next to one of these, or above the form (null). */
export type FormField =
  | "caseReference"
  | "purpose"
  | "window"
  | "area"
  | "objectClasses"
  | "ruleTypes"
  | "plate"
  | "cameraIds"
  | "incidentId";

export type FormProblem =
  | "caseReference"
  | "purpose"
  | "windowInvalid"
  | "windowOrder"
  | "plate"
  | "cameraIds"
  | "incidentId"
  | AreaProblem;

export type BuildResult =
  | { ok: true; request: CaseSearchRequest }
  | { ok: false; field: FormField; problem: FormProblem };

export const CASE_REFERENCE = /^[A-Za-z0-9./_-]{3,64}$/;
export const PURPOSE_MIN = 10;
export const PURPOSE_MAX = 500;
/** The gateway's default maximum window (GATEWAY_CASE_MAX_WINDOW_H); it decides, this is only for the hint. */
export const MAX_WINDOW_HOURS = 24;
const PLATE = /^[A-Z0-9*?-]{1,16}$/;
const CAMERA_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CAMERA_IDS = 500;

export const isCaseReference = (text: string): boolean => CASE_REFERENCE.test(text.trim());
export const isPurpose = (text: string): boolean => {
  const length = text.trim().length;
  return length >= PURPOSE_MIN && length <= PURPOSE_MAX;
};
/** Nothing runs without both: the audit trail needs them. */
export const canSearch = (form: Pick<CaseForm, "caseReference" | "purpose">): boolean =>
  isCaseReference(form.caseReference) && isPurpose(form.purpose);

/** The camera ids typed, split on commas and white space, without blanks or repeats. */
export function parseCameraIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter((id) => id !== ""))];
}

/** A plate pattern as the gateway takes it: upper case, no spaces; "*" any run, "?" one character. */
export function normalizePlate(text: string): string {
  return text.replace(/\s+/g, "").toUpperCase();
}

export function isPlatePattern(pattern: string): boolean {
  return PLATE.test(pattern) && pattern.replace(/[*?]/g, "").length >= 2;
}

/**
 * The request for the form and the drawn area, or the first problem (in the form's order). Empty filters are left
 * out; the window's wall times are read in Macao's zone and sent as UTC. The window's length is the gateway's to
 * judge (its maximum is configurable), so it is not checked here.
 */
export function buildCaseSearch(form: CaseForm, area: AreaResult, timeZone = TIME_ZONE): BuildResult {
  const fail = (field: FormField, problem: FormProblem): BuildResult => ({ ok: false, field, problem });
  const caseReference = form.caseReference.trim();
  if (!CASE_REFERENCE.test(caseReference)) return fail("caseReference", "caseReference");
  const purpose = form.purpose.trim();
  if (!isPurpose(purpose)) return fail("purpose", "purpose");
  const from = wallTimeToEpoch(form.from, timeZone);
  const to = wallTimeToEpoch(form.to, timeZone);
  if (from === null || to === null) return fail("window", "windowInvalid");
  if (to <= from) return fail("window", "windowOrder");

  const incidentId = form.incidentId.trim().toLowerCase();
  if (incidentId !== "" && !UUID.test(incidentId)) return fail("incidentId", "incidentId");
  // Without an area the gateway searches around the incident (if one is named).
  if (!area.ok && !(area.problem === "noArea" && incidentId !== "")) return fail("area", area.problem);

  const request: CaseSearchRequest = {
    caseReference,
    purpose,
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
  };
  if (area.ok) request.area = area.area;
  if (incidentId !== "") request.incidentId = incidentId;

  const cameraIds = parseCameraIds(form.cameraIds);
  if (cameraIds.length > MAX_CAMERA_IDS || cameraIds.some((id) => !CAMERA_ID.test(id)))
    return fail("cameraIds", "cameraIds");
  if (cameraIds.length > 0) request.cameraIds = cameraIds;

  // In the contract's order, whatever order they were ticked in.
  const objectClasses = OBJECT_CLASSES.filter((name) => form.objectClasses.includes(name));
  if (objectClasses.length > 0) request.objectClasses = objectClasses;
  const ruleTypes = RULE_TYPES.filter((name) => form.ruleTypes.includes(name));
  if (ruleTypes.length > 0) request.ruleTypes = ruleTypes;

  const plate = normalizePlate(form.plate);
  if (plate !== "") {
    if (!isPlatePattern(plate)) return fail("plate", "plate");
    request.plate = plate;
  }
  return { ok: true, request };
}

/** The form field a gateway problem's `field` ("body.window.to", "body.area.polygon[3][0]") belongs to. */
export function fieldOfProblem(field: string | undefined): FormField | null {
  if (!field) return null;
  const name = /^body\.([A-Za-z]+)/.exec(field)?.[1];
  switch (name) {
    case "caseReference":
    case "purpose":
    case "window":
    case "area":
    case "objectClasses":
    case "ruleTypes":
    case "plate":
    case "cameraIds":
    case "incidentId":
      return name;
    default:
      return null;
  }
}

export const WINDOW_PRESETS_H = [1, 2, 24] as const;

/** The last `hours` up to `now`, as the window's two inputs (Macao time, to the minute). */
export function presetWindow(hours: number, now: number, timeZone = TIME_ZONE): { from: string; to: string } {
  const to = Math.floor(now / 60_000) * 60_000;
  return { from: epochToWallTime(to - hours * 3600_000, timeZone), to: epochToWallTime(to, timeZone) };
}

export function emptyCaseForm(now: number, timeZone = TIME_ZONE): CaseForm {
  return {
    caseReference: "",
    purpose: "",
    ...presetWindow(1, now, timeZone),
    objectClasses: [],
    ruleTypes: [],
    plate: "",
    cameraIds: "",
    incidentId: "",
  };
}
