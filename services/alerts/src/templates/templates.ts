import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AlertContent, AlertTemplate } from "@hub/contracts";
import { parseTemplateFiles } from "./template-schema.js";

/**
 * Starting points for the drafter, modelled on the warnings Macao's Meteorological and Geophysical Bureau (SMG) and
 * the Civil Protection Operations Centre publish. The drafter edits the text (times, places, water levels) before
 * submitting. Severity, urgency and certainty escalate with the signal within each group.
 *
 * The templates are data: services/alerts/templates/*.json, one file per group of warnings, in all three languages
 * (see the README there). They are read and checked once, when this module loads: a malformed file stops the service
 * at start-up with the file's name and the field at fault.
 */

/** The files in the order the picker lists them. */
const TEMPLATE_FILES = [
  "tropical-cyclone.json",
  "storm-surge.json",
  "rainstorm.json",
  "thunderstorm.json",
  "civil-protection.json",
] as const;

/** The alerts package's own folder (the nearest with a package.json), whether this runs from src/ or dist/src/. */
function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
  }
  throw new Error(`no package.json above ${here}`);
}

function loadTemplates(): AlertTemplate[] {
  const dir = path.join(packageRoot(), "templates");
  return parseTemplateFiles(
    TEMPLATE_FILES.map((file) => ({ name: `templates/${file}`, text: readFileSync(path.join(dir, file), "utf8") })),
  );
}

export const TEMPLATES: readonly AlertTemplate[] = loadTemplates();

/** A fresh draft's content (a deep copy: editing it never changes the template). */
export function contentFromTemplate(template: AlertTemplate, now: Date): AlertContent {
  const content = structuredClone(template.content);
  return {
    ...content,
    templateId: template.id,
    incidentId: null,
    expires: new Date(now.getTime() + template.expiresInHours * 3600_000).toISOString(),
  };
}

/**
 * The template an alert drafted from an incident starts from when the drafter picks none, by the correlator's
 * incident kind; public security for any other kind or none. Floods start at the lowest storm-surge level: the
 * drafter raises it with the measured water depth.
 */
const TEMPLATE_FOR_INCIDENT_KIND: Readonly<Record<string, string>> = {
  fire: "fire",
  flood: "storm-surge-blue",
};
const DEFAULT_TEMPLATE_ID = "public-security";

export function templateForIncidentKind(kind: string | undefined): AlertTemplate {
  const id = (kind !== undefined && TEMPLATE_FOR_INCIDENT_KIND[kind]) || DEFAULT_TEMPLATE_ID;
  const template = TEMPLATES.find((candidate) => candidate.id === id);
  if (!template) throw new Error(`template ${id} is missing`);
  return template;
}
