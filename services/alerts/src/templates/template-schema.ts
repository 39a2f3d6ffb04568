import type { AlertTemplate } from "@hub/contracts";
import { alertContentSchema } from "@hub/contracts";
import { z } from "zod";

/**
 * The schema of the template data files (services/alerts/templates/*.json): each a JSON array of templates. A
 * template's content is checked field by field with the same rules as an alert's content received over HTTP, less
 * what each draft gets of its own (templateId, incidentId, expires); its areas may be empty, for the drafter to fill
 * with the scene (a fire, a security incident).
 */

const { templateId, incidentId: _incidentId, expires: _expires, areas, ...contentFields } = alertContentSchema.shape;

const templateContentSchema = z.strictObject(
  { ...contentFields, areas: z.array(areas.element, { error: "must be an array of areas" }) },
  { error: "must be an object" },
);

const slug = z
  .string({ error: "must be a string" })
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case letters and digits joined by hyphens, e.g. storm-surge");

const templateSchema = z.strictObject(
  {
    // It becomes the draft's templateId: the same limits.
    id: templateId.unwrap().pipe(slug),
    group: slug,
    // Shown in the picker as briefly as an event name.
    name: contentFields.event,
    content: templateContentSchema,
    expiresInHours: z
      .number({ error: "must be a number" })
      .int("must be a whole number of hours")
      .positive("must be at least 1 hour"),
  },
  { error: "must be a template object { id, group, name, content, expiresInHours }" },
);

const templateFileSchema = z
  .array(templateSchema, { error: "must be a JSON array of templates" })
  .min(1, "must list at least one template");

export interface TemplateFile {
  /** Named in errors, e.g. "templates/rainstorm.json". */
  name: string;
  text: string;
}

/**
 * The templates of the given files, in order; throws on the first problem, naming the file and the field
 * ("templates/rainstorm.json: 1.content.severity: must be one of …"), so a bad edit stops the service at start-up.
 */
export function parseTemplateFiles(files: readonly TemplateFile[]): AlertTemplate[] {
  const templates: AlertTemplate[] = [];
  const fileOf = new Map<string, string>();
  for (const file of files) {
    for (const template of parseTemplateFile(file)) {
      const earlier = fileOf.get(template.id);
      if (earlier !== undefined)
        throw new Error(`${file.name}: template id ${JSON.stringify(template.id)} is already used in ${earlier}`);
      fileOf.set(template.id, file.name);
      templates.push(template);
    }
  }
  return templates;
}

function parseTemplateFile(file: TemplateFile): AlertTemplate[] {
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch (err) {
    throw new Error(`${file.name}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = templateFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new Error(`${file.name}: is invalid`);
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    throw new Error(`${file.name}: ${[...path, key].join(".")}: unknown field ${JSON.stringify(key)}`);
  }
  throw new Error(`${file.name}: ${path.length > 0 ? `${path.join(".")}: ` : ""}${issue.message}`);
}
