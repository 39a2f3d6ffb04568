import { ValidationError } from "@hub/common";
import {
  type AlertAreaInput,
  type AlertCircle,
  type AlertContent,
  type CapMessageType,
  DISTRICT_GEOCODE_NAME,
  LANGUAGES,
  type Language,
  type LocalizedText,
} from "@hub/contracts";
import { districtByCode } from "../templates/districts.js";

/**
 * CAP 1.2 documents (OASIS, 2010), valid against the stricter schema in services/alerts/schema/cap1.2.xsd: one `<info>` per
 * language, elements in the schema's sequence order. Pure and deterministic: the same input gives the same bytes,
 * which a signature and the public feed's caching both rely on.
 */
export const CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2";

export type CapStatus = "Actual" | "Exercise" | "System" | "Test" | "Draft";

export interface CapMessageInput {
  identifier: string;
  sender: string;
  sent: Date;
  status: CapStatus;
  msgType: CapMessageType;
  /** "sender,identifier,sent" entries, space separated (see {@link capReference}). */
  references: string | null;
  senderName: LocalizedText;
  /** URL of the public alert page. */
  web: string | null;
  contact: string | null;
  /** e.g. the incident whose evidence the alert is based on. */
  note: string | null;
  content: AlertContent;
}

/** CAP's identifier and sender: no whitespace, commas, `<` or `&`. */
const CAP_TOKEN = /^[^\s,&<]+$/;
const CAP_TIME = "\\d\\d\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[-,+]\\d\\d:\\d\\d";
const CAP_REFERENCE = `[^\\s,&<]+,[^\\s,&<]+,${CAP_TIME}`;
/** The schema's pattern for `<references>` (XSD patterns are implicitly anchored). */
const CAP_REFERENCES = new RegExp(`^\\s*${CAP_REFERENCE}(\\s+${CAP_REFERENCE})*\\s*$`);

const MACAO_OFFSET_MS = 8 * 3600_000;
const EARTH_RADIUS_KM = 6371.0088;

/** A CAP date-time in Macao time (UTC+08:00, no daylight saving), whole seconds: "2025-08-01T18:00:00+08:00". */
export function capDateTime(date: Date): string {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError("capDateTime: invalid date");
  const local = new Date(Math.floor(time / 1000) * 1000 + MACAO_OFFSET_MS);
  const year = local.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`capDateTime: year ${year} has no four-digit CAP form`);
  const two = (value: number) => String(value).padStart(2, "0");
  return (
    `${String(year).padStart(4, "0")}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
    `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}+08:00`
  );
}

/** One `<references>` entry naming an earlier message. */
export function capReference(sender: string, identifier: string, sent: Date): string {
  checkToken("sender", sender);
  checkToken("identifier", identifier);
  return `${sender},${identifier},${capDateTime(sent)}`;
}

/**
 * A circle as a closed ring of [lon, lat] positions (GeoJSON order, counter-clockwise as RFC 7946 wants for exterior
 * rings), for maps that draw only polygons. Spherical earth; `points` vertices plus the closing one.
 */
export function circleToPolygon(circle: AlertCircle, points = 32): [number, number][] {
  if (!Number.isInteger(points) || points < 3) throw new RangeError("circleToPolygon: points must be an integer ≥ 3");
  const [lon, lat] = circle.center;
  const phi1 = toRadians(lat);
  const lambda1 = toRadians(lon);
  const delta = circle.radiusKm / EARTH_RADIUS_KM;
  const ring: [number, number][] = [];
  for (let index = 0; index < points; index += 1) {
    // Bearing from north, decreasing: north, west, south, east — counter-clockwise on a map.
    const theta = (-2 * Math.PI * index) / points;
    const phi2 = Math.asin(Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta));
    const lambda2 =
      lambda1 +
      Math.atan2(Math.sin(theta) * Math.sin(delta) * Math.cos(phi1), Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2));
    ring.push([round6(toDegrees(lambda2)), round6(toDegrees(phi2))]);
  }
  const first = ring[0] as [number, number];
  ring.push([first[0], first[1]]);
  return ring;
}

/** The CAP 1.2 XML document of one message. Throws a ValidationError for input CAP cannot carry. */
export function buildCapXml(input: CapMessageInput): string {
  checkToken("identifier", input.identifier);
  checkToken("sender", input.sender);
  if (input.references !== null && !CAP_REFERENCES.test(input.references))
    throw new ValidationError("references", 'must be space-separated "sender,identifier,sent" entries');
  if ((input.msgType === "Update" || input.msgType === "Cancel") && input.references === null)
    throw new ValidationError("references", `${input.msgType} messages must reference the message(s) they replace`);
  if (input.content.categories.length === 0)
    throw new ValidationError("content.categories", "CAP needs at least one category");
  if (input.web !== null && !URL.canParse(input.web)) throw new ValidationError("web", "must be an absolute URL");

  const sent = capDateTime(input.sent);
  const out = new XmlWriter();
  out.raw('<?xml version="1.0" encoding="UTF-8"?>');
  out.open(`alert xmlns="${CAP_NAMESPACE}"`, "alert");
  out.leaf("identifier", input.identifier);
  out.leaf("sender", input.sender);
  out.leaf("sent", sent);
  out.leaf("status", input.status);
  out.leaf("msgType", input.msgType);
  out.leaf("scope", "Public");
  if (hasText(input.note)) out.leaf("note", input.note);
  if (input.references !== null) out.leaf("references", input.references.trim());
  for (const language of LANGUAGES) writeInfo(out, input, language, sent);
  out.close();
  return out.toString();
}

function writeInfo(out: XmlWriter, input: CapMessageInput, language: Language, sent: string): void {
  const { content } = input;
  out.open("info");
  out.leaf("language", language);
  for (const category of content.categories) out.leaf("category", category);
  out.leaf("event", content.event[language]);
  for (const responseType of content.responseTypes) out.leaf("responseType", responseType);
  out.leaf("urgency", content.urgency);
  out.leaf("severity", content.severity);
  out.leaf("certainty", content.certainty);
  for (const code of content.eventCodes) {
    out.open("eventCode");
    out.leaf("valueName", code.valueName);
    out.leaf("value", code.value);
    out.close();
  }
  out.leaf("effective", sent);
  if (content.onset !== null) out.leaf("onset", capDateTime(parseTime("content.onset", content.onset)));
  out.leaf("expires", capDateTime(parseTime("content.expires", content.expires)));
  if (hasText(input.senderName[language])) out.leaf("senderName", input.senderName[language]);
  if (hasText(content.headline[language])) out.leaf("headline", content.headline[language]);
  if (hasText(content.description[language])) out.leaf("description", content.description[language]);
  if (hasText(content.instruction[language])) out.leaf("instruction", content.instruction[language]);
  if (input.web !== null) out.leaf("web", input.web);
  if (hasText(input.contact)) out.leaf("contact", input.contact);
  content.areas.forEach((area, index) => {
    writeArea(out, area, language, `content.areas.${index}`);
  });
  out.close();
}

function writeArea(out: XmlWriter, area: AlertAreaInput, language: Language, path: string): void {
  const districts = area.districts.map((code, index) => {
    const district = districtByCode(code);
    if (!district) throw new ValidationError(`${path}.districts.${index}`, `unknown district ${code}`);
    return district;
  });
  out.open("area");
  out.leaf("areaDesc", area.description[language]);
  area.polygons.forEach((ring, index) => {
    out.leaf("polygon", capPolygon(ring, `${path}.polygons.${index}`));
  });
  for (const district of districts) out.leaf("polygon", capPolygon(district.polygon, `${path}.districts`));
  area.circles.forEach((circle, index) => {
    out.leaf("circle", capCircle(circle, `${path}.circles.${index}`));
  });
  for (const district of districts) {
    out.open("geocode");
    out.leaf("valueName", DISTRICT_GEOCODE_NAME);
    out.leaf("value", district.code);
    out.close();
  }
  out.close();
}

/** CAP order is "lat,lon", space separated; our rings are [lon, lat]. */
function capPolygon(ring: readonly (readonly [number, number])[], path: string): string {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length < 4 || !first || !last || first[0] !== last[0] || first[1] !== last[1])
    throw new ValidationError(path, "a CAP polygon is a closed ring of at least 4 positions");
  return ring.map((position) => capPoint(position, path)).join(" ");
}

function capCircle(circle: AlertCircle, path: string): string {
  if (!Number.isFinite(circle.radiusKm) || circle.radiusKm < 0)
    throw new ValidationError(`${path}.radiusKm`, "must be a non-negative number of kilometres");
  return `${capPoint(circle.center, `${path}.center`)} ${decimal(circle.radiusKm, 3)}`;
}

/**
 * "lat,lon" with explicit signs ("+22.19,+113.54"). The schema allows the signs either way, but libxml2 (xmllint,
 * lxml and the many validators built on it) wrongly rejects every `<polygon>` whose last pair starts with a digit: its
 * regex engine mishandles the pattern's `(…\s+){3,}(…)` counter. Signed pairs validate everywhere and parse the
 * same with any float parser.
 */
function capPoint([lon, lat]: readonly [number, number], path: string): string {
  if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180))
    throw new ValidationError(path, "coordinates must be WGS 84 [lon, lat] within ±180, ±90");
  return `${signed(decimal(lat, 6))},${signed(decimal(lon, 6))}`;
}

function signed(value: string): string {
  return value.startsWith("-") ? value : `+${value}`;
}

/** Plain decimal (never exponent notation, which the schema's patterns reject), trailing zeros dropped. */
function decimal(value: number, digits: number): string {
  const fixed = value
    .toFixed(digits)
    .replace(/(\.\d*?)0+$/, "$1")
    .replace(/\.$/, "");
  return fixed === "-0" ? "0" : fixed;
}

function parseTime(path: string, value: string): Date {
  const date = new Date(value);
  if (!Number.isFinite(date.getTime())) throw new ValidationError(path, "must be an ISO-8601 date-time");
  return date;
}

function checkToken(field: string, value: string): void {
  if (!CAP_TOKEN.test(value)) throw new ValidationError(field, "must be non-empty, without spaces, commas, < or &");
}

function hasText(value: string | null): value is string {
  return value !== null && xmlText(value).trim() !== "";
}

function toRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

function toDegrees(radians: number): number {
  return (radians * 180) / Math.PI;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

// ---- XML text ----------------------------------------------------------------------------------------------------

/** Whether a code point may appear in an XML 1.0 document. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Drops characters XML 1.0 cannot carry (control characters, lone surrogates…); line ends become "\n". */
function xmlText(value: string): string {
  let result = "";
  for (const char of value) if (isXmlChar(char.codePointAt(0) ?? 0)) result += char;
  return result.replace(/\r\n?/g, "\n");
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Text content needs only these three; quotes stay as they are, as XML serializers (and so signers) write them. */
function escapeXml(value: string): string {
  return xmlText(value).replace(/[&<>]/g, (char) => ESCAPES[char] ?? char);
}

/** Two-space indented output; every element is either a container or a text leaf (on one line, unless the text has line breaks). */
class XmlWriter {
  private readonly lines: string[] = [];
  private readonly stack: string[] = [];

  raw(line: string): void {
    this.lines.push(line);
  }

  open(tag: string, name = tag): void {
    this.lines.push(`${this.indent()}<${tag}>`);
    this.stack.push(name);
  }

  close(): void {
    const name = this.stack.pop();
    if (name === undefined) throw new Error("XmlWriter: close without open");
    this.lines.push(`${this.indent()}</${name}>`);
  }

  leaf(name: string, value: string): void {
    this.lines.push(`${this.indent()}<${name}>${escapeXml(value)}</${name}>`);
  }

  toString(): string {
    if (this.stack.length > 0) throw new Error(`XmlWriter: unclosed <${this.stack.join("><")}>`);
    return `${this.lines.join("\n")}\n`;
  }

  private indent(): string {
    return "  ".repeat(this.stack.length);
  }
}
