import { ValidationError } from "./errors.js";

/**
 * A site's recorder (README "Video evidence"): how the gateway reaches recorded video of the site's cameras. URL
 * templates with placeholders, so that one shape fits Frigate, Milestone XProtect, ZoneMinder and anything else that
 * serves a clip or a still at a URL. Pure: the ingest CLI validates with it, the gateway fills with it.
 */
export const RECORDER_KINDS = ["frigate", "milestone", "zoneminder", "generic"] as const;
export type RecorderKind = (typeof RECORDER_KINDS)[number];
export const TIME_FORMATS = ["iso8601", "unix"] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

export interface SiteRecorder {
  kind: RecorderKind;
  /** {camera}, {from} and {to} required. */
  clipUrlTemplate: string;
  /** {camera} and {at} required; optional (then the clip viewer shows no still frames). */
  stillUrlTemplate: string | null;
  timeFormat: TimeFormat;
}

export const MAX_TEMPLATE_LENGTH = 1024;
const PLACEHOLDER = /\{([a-z_]+)\}/g;
const KNOWN = new Set(["camera", "from", "to", "at", "event"]);

/** The kind's time format when none is given: Frigate and ZoneMinder take Unix seconds, the others ISO 8601. */
export function defaultTimeFormat(kind: RecorderKind): TimeFormat {
  return kind === "frigate" || kind === "zoneminder" ? "unix" : "iso8601";
}

function checkTemplate(template: string, field: string, required: readonly string[]): void {
  if (template.length > MAX_TEMPLATE_LENGTH) {
    throw new ValidationError(field, `must be at most ${MAX_TEMPLATE_LENGTH} characters`);
  }
  const found = new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string));
  for (const name of found) {
    if (!KNOWN.has(name)) throw new ValidationError(field, `unknown placeholder {${name}}`);
  }
  for (const name of required) {
    if (!found.has(name)) throw new ValidationError(field, `must contain {${name}}`);
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, "x"));
  } catch {
    throw new ValidationError(field, "must be an absolute http:// or https:// URL template");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError(field, "must use http or https");
  }
  if (url.username || url.password) throw new ValidationError(field, "must not carry a user name or password");
  // The host is fixed: a placeholder there would let a camera name choose where the gateway connects.
  if (/^[a-z]+:\/\/[^/?#]*\{/i.test(template)) {
    throw new ValidationError(field, "must not put a placeholder in the host");
  }
}

/** Checks a recorder's settings; errors name the field ("clip_url_template", …). */
export function validateSiteRecorder(recorder: SiteRecorder): SiteRecorder {
  if (!RECORDER_KINDS.includes(recorder.kind)) {
    throw new ValidationError("kind", `must be one of ${RECORDER_KINDS.join(", ")}`);
  }
  if (!TIME_FORMATS.includes(recorder.timeFormat)) {
    throw new ValidationError("time_format", `must be one of ${TIME_FORMATS.join(", ")}`);
  }
  checkTemplate(recorder.clipUrlTemplate, "clip_url_template", ["camera", "from", "to"]);
  if (recorder.stillUrlTemplate) checkTemplate(recorder.stillUrlTemplate, "still_url_template", ["camera", "at"]);
  return recorder;
}

function formatTime(time: Date, format: TimeFormat): string {
  return format === "unix" ? String(Math.floor(time.getTime() / 1000)) : time.toISOString();
}

/** The template with its placeholders replaced (each value URI-encoded, so a value cannot change the URL's shape). */
export function fillRecorderTemplate(
  template: string,
  values: { camera: string; from?: Date; to?: Date; at?: Date; event?: string },
  format: TimeFormat,
): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as keyof typeof values];
    if (value === undefined) return whole;
    return encodeURIComponent(value instanceof Date ? formatTime(value, format) : value);
  });
}

/** The origins (scheme://host:port) a site's recorder answers on: the only places the gateway fetches from. */
export function recorderOrigins(recorder: SiteRecorder): Set<string> {
  const origins = new Set<string>();
  for (const template of [recorder.clipUrlTemplate, recorder.stillUrlTemplate]) {
    if (template) origins.add(new URL(template.replace(PLACEHOLDER, "x")).origin);
  }
  return origins;
}
