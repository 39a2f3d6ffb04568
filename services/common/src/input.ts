import type { z } from "zod";
import { ValidationError } from "./errors.js";

/** How array indexes are written in a field path: "body.objectClasses[0]" or "content.areas.0". */
export type IndexStyle = "brackets" | "dots";

/** The first problem zod found, as the field path under `root` and a message for the problem document. */
export function firstProblem(
  error: z.ZodError,
  root: string,
  indexes: IndexStyle = "brackets",
): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: root, message: "is invalid" };
  const path = [...issue.path];
  // An unknown key is reported at the object holding it; the problem names the key itself.
  if (issue.code === "unrecognized_keys") path.push(issue.keys[0] ?? "");
  let field = root;
  for (const segment of path) {
    if (typeof segment === "number") field += indexes === "brackets" ? `[${segment}]` : `.${segment}`;
    else field += field ? `.${String(segment)}` : String(segment);
  }
  const message =
    issue.code === "unrecognized_keys" ? `unknown field ${JSON.stringify(issue.keys[0] ?? "")}` : issue.message;
  return { field, message };
}

/**
 * Checks input received at an edge (a request body, query or parameter) against its contract schema and returns
 * the parsed value; the first problem becomes a ValidationError naming the field ("body.window.from", "query.limit").
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  root: string,
  indexes: IndexStyle = "brackets",
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { field, message } = firstProblem(parsed.error, root, indexes);
  throw new ValidationError(field, message);
}
