import {
  type AlertCircle,
  type AlertContent,
  type AlertTemplate,
  type CapCategory,
  type CapCertainty,
  type CapResponseType,
  type CapSeverity,
  type CapUrgency,
  type DistrictCode,
  LANGUAGES,
  type Language,
  type LocalizedText,
} from "@hub/contracts";
import { epochToWallTime, wallTimeToEpoch } from "../cases/wall-time";
import { TIME_ZONE } from "../i18n/i18n";

/**
 * The alert editor's form: the CAP content as the inputs hold it. Onset and expiry are datetime-local values read
 * as Macao wall time (whatever the browser's zone), sent as UTC ISO-8601.
 */

export const LOCALIZED_FIELDS = ["event", "headline", "description", "instruction"] as const;
export type LocalizedField = (typeof LOCALIZED_FIELDS)[number];

export interface AreaForm {
  /** A stable key for React while areas are added and removed (not sent). */
  key: string;
  description: LocalizedText;
  polygons: [number, number][][];
  circles: AlertCircle[];
  districts: DistrictCode[];
}

export interface AlertForm {
  templateId: string | null;
  incidentId: string | null;
  categories: CapCategory[];
  responseTypes: CapResponseType[];
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  event: LocalizedText;
  headline: LocalizedText;
  description: LocalizedText;
  instruction: LocalizedText;
  eventCodes: { valueName: string; value: string }[];
  /** datetime-local, Macao time; "" = effective when sent. */
  onset: string;
  /** datetime-local, Macao time. */
  expires: string;
  areas: AreaForm[];
}

/**
 * Where a problem is shown: a form field key. "expires", "categories", "event.en", "areas.0",
 * "areas.0.description.pt", … (the same names the service's problem `field` uses under "content.").
 */
export type FieldKey = string;

export type ContentProblem =
  | "onsetInvalid"
  | "expiresInvalid"
  | "expiresPast"
  | "expiresBeforeOnset"
  | "textMissing"
  | "categoriesMissing"
  | "areasMissing"
  | "areaDescriptionMissing"
  | "areaEmpty";

export type BuildResult =
  | { ok: true; content: AlertContent }
  | { ok: false; field: FieldKey; problem: ContentProblem; language?: Language };

export const emptyText = (): LocalizedText => ({ "zh-Hant": "", pt: "", en: "" });
export const DEFAULT_EXPIRES_HOURS = 6;

let areaKeys = 0;
const nextAreaKey = () => `area-${++areaKeys}`;

export function emptyArea(): AreaForm {
  return { key: nextAreaKey(), description: emptyText(), polygons: [], circles: [], districts: [] };
}

/** A blank alert: expires in six hours (rounded up to the next quarter hour). */
export function emptyForm(now: number, timeZone = TIME_ZONE): AlertForm {
  const quarter = 15 * 60_000;
  const expires = Math.ceil((now + DEFAULT_EXPIRES_HOURS * 3600_000) / quarter) * quarter;
  return {
    templateId: null,
    incidentId: null,
    categories: [],
    responseTypes: [],
    urgency: "Expected",
    severity: "Moderate",
    certainty: "Likely",
    event: emptyText(),
    headline: emptyText(),
    description: emptyText(),
    instruction: emptyText(),
    eventCodes: [],
    onset: "",
    expires: epochToWallTime(expires, timeZone),
    areas: [emptyArea()],
  };
}

const copyText = (text: LocalizedText | undefined): LocalizedText => ({
  "zh-Hant": text?.["zh-Hant"] ?? "",
  pt: text?.pt ?? "",
  en: text?.en ?? "",
});

/** An ISO instant as a Macao datetime-local value ("" for null or nonsense). */
export function isoToWallTime(iso: string | null, timeZone = TIME_ZONE): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? "" : epochToWallTime(ms, timeZone);
}

/** A Macao datetime-local value as an ISO instant, or null when it is not a real date and time. */
export function wallTimeToIso(value: string, timeZone = TIME_ZONE): string | null {
  const ms = wallTimeToEpoch(value, timeZone);
  return ms === null ? null : new Date(ms).toISOString();
}

/** The form for content from the service (a message, a prefill). */
export function formOfContent(content: AlertContent, timeZone = TIME_ZONE): AlertForm {
  return {
    templateId: content.templateId,
    incidentId: content.incidentId,
    categories: [...content.categories],
    responseTypes: [...content.responseTypes],
    urgency: content.urgency,
    severity: content.severity,
    certainty: content.certainty,
    event: copyText(content.event),
    headline: copyText(content.headline),
    description: copyText(content.description),
    instruction: copyText(content.instruction),
    eventCodes: content.eventCodes.map((code) => ({ ...code })),
    onset: isoToWallTime(content.onset, timeZone),
    expires: isoToWallTime(content.expires, timeZone),
    areas: content.areas.map((area) => ({
      key: nextAreaKey(),
      description: copyText(area.description),
      polygons: area.polygons.map((ring) => ring.map(([lon, lat]): [number, number] => [lon, lat])),
      circles: area.circles.map((circle) => ({
        center: [circle.center[0], circle.center[1]],
        radiusKm: circle.radiusKm,
      })),
      districts: [...area.districts],
    })),
  };
}

/** A template's content as a form; it expires `expiresInHours` from now. */
export function formOfTemplate(template: AlertTemplate, now: number, timeZone = TIME_ZONE): AlertForm {
  const expires = new Date(now + template.expiresInHours * 3600_000).toISOString();
  return formOfContent({ ...template.content, templateId: template.id, incidentId: null, expires }, timeZone);
}

const trimText = (text: LocalizedText): LocalizedText => ({
  "zh-Hant": text["zh-Hant"].trim(),
  pt: text.pt.trim(),
  en: text.en.trim(),
});

const missingLanguage = (text: LocalizedText): Language | undefined =>
  LANGUAGES.find((language) => text[language].trim() === "");

export interface BuildOptions {
  /**
   * Submitting for approval: everything a published alert needs (all three languages of the event and headline,
   * a category, an area with a description and a place, an expiry in the future). A draft may be saved without.
   */
  complete: boolean;
  now: number;
  timeZone?: string;
}

/** The content to send, or the first problem and the field to show it at. */
export function buildContent(form: AlertForm, options: BuildOptions): BuildResult {
  const timeZone = options.timeZone ?? TIME_ZONE;
  let onset: string | null = null;
  if (form.onset.trim() !== "") {
    onset = wallTimeToIso(form.onset, timeZone);
    if (onset === null) return { ok: false, field: "onset", problem: "onsetInvalid" };
  }
  const expires = wallTimeToIso(form.expires, timeZone);
  if (expires === null) return { ok: false, field: "expires", problem: "expiresInvalid" };
  if (onset !== null && Date.parse(expires) <= Date.parse(onset))
    return { ok: false, field: "expires", problem: "expiresBeforeOnset" };

  if (options.complete) {
    if (Date.parse(expires) <= options.now) return { ok: false, field: "expires", problem: "expiresPast" };
    for (const name of ["event", "headline"] as const) {
      const language = missingLanguage(form[name]);
      if (language) return { ok: false, field: `${name}.${language}`, problem: "textMissing", language };
    }
    if (form.categories.length === 0) return { ok: false, field: "categories", problem: "categoriesMissing" };
    if (form.areas.length === 0) return { ok: false, field: "areas", problem: "areasMissing" };
    for (const [index, area] of form.areas.entries()) {
      const language = missingLanguage(area.description);
      if (language)
        return {
          ok: false,
          field: `areas.${index}.description.${language}`,
          problem: "areaDescriptionMissing",
          language,
        };
      if (area.polygons.length + area.circles.length + area.districts.length === 0)
        return { ok: false, field: `areas.${index}`, problem: "areaEmpty" };
    }
  }

  return {
    ok: true,
    content: {
      templateId: form.templateId,
      incidentId: form.incidentId,
      categories: [...form.categories],
      responseTypes: [...form.responseTypes],
      urgency: form.urgency,
      severity: form.severity,
      certainty: form.certainty,
      event: trimText(form.event),
      headline: trimText(form.headline),
      description: trimText(form.description),
      instruction: trimText(form.instruction),
      eventCodes: form.eventCodes.filter((code) => code.valueName.trim() !== "" && code.value.trim() !== ""),
      onset,
      expires,
      areas: form.areas.map((area) => ({
        description: trimText(area.description),
        polygons: area.polygons,
        circles: area.circles,
        districts: area.districts,
      })),
    },
  };
}

const LANGUAGE_PATTERN = "(zh-Hant|pt|en)";
const LOCALIZED = new RegExp(`^(event|headline|description|instruction)(?:\\.${LANGUAGE_PATTERN})?(?:\\.|$)`);
const AREA_DESCRIPTION = new RegExp(`^areas\\.(\\d+)\\.description(?:\\.${LANGUAGE_PATTERN})?(?:\\.|$)`);
const TOP_LEVEL = new Set([
  "categories",
  "responseTypes",
  "urgency",
  "severity",
  "certainty",
  "onset",
  "expires",
  "eventCodes",
]);

/**
 * The form field a service problem names ("content.areas.0.polygons.1", "body.content.expires"), or null when it
 * names none the form has (shown above the actions then).
 */
export function fieldOfProblem(field: string | undefined): FieldKey | null {
  if (!field) return null;
  const path = field.replace(/^body\./, "").replace(/^content\./, "");
  const localized = LOCALIZED.exec(path);
  if (localized) return localized[2] ? `${localized[1]}.${localized[2]}` : (localized[1] ?? null);
  const description = AREA_DESCRIPTION.exec(path);
  if (description)
    return description[2] ? `areas.${description[1]}.description.${description[2]}` : `areas.${description[1]}`;
  const area = /^areas\.(\d+)(?:\.|$)/.exec(path);
  if (area) return `areas.${area[1]}`;
  const top = /^([A-Za-z]+)/.exec(path)?.[1];
  if (top === "areas") return "areas";
  return top && TOP_LEVEL.has(top) ? top : null;
}

/** `list` with `item` on or off, in the order of `order` (CAP lists categories and response types in its order). */
export function toggled<T extends string>(list: readonly T[], item: T, on: boolean, order: readonly T[]): T[] {
  const chosen = new Set(list);
  if (on) chosen.add(item);
  else chosen.delete(item);
  return order.filter((value) => chosen.has(value));
}
