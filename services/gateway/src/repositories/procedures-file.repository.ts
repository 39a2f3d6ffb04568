import { readFileSync } from "node:fs";
import { type LocalizedText, localizedTextSchema } from "@hub/contracts";
import { z } from "zod";

export interface ProcedureStep {
  id: string;
  title: LocalizedText;
}

/** Standard operating procedures per incident kind: the ordered steps an operator ticks. */
export type Procedures = ReadonlyMap<string, readonly ProcedureStep[]>;

const fileSchema = z.strictObject({
  version: z.literal(1),
  kinds: z.record(
    z.string().min(1),
    z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9_-]{1,64}$/, "must be 1..64 of a-z, 0-9, _ and -"),
          title: localizedTextSchema.extend({
            "zh-Hant": z.string().trim().min(1),
            pt: z.string().trim().min(1),
            en: z.string().trim().min(1),
          }),
        }),
      )
      .max(50)
      .refine((steps) => new Set(steps.map((step) => step.id)).size === steps.length, "step ids must be unique"),
  ),
});

/** Reads and checks the procedures file once, at start; a bad file stops the gateway with every problem named. */
export function loadProcedures(file: string): Procedures {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`GATEWAY_PROCEDURES_FILE ${file}: ${(error as Error).message}`);
  }
  return parseProcedures(json, `GATEWAY_PROCEDURES_FILE ${file}`);
}

/** Checks a procedures document; the error names every problem, prefixed with `source`. */
export function parseProcedures(json: unknown, source: string): Procedures {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`${source}: ${problems}`);
  }
  return new Map(Object.entries(parsed.data.kinds));
}
