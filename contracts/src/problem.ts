import { z } from "zod";

/** RFC 9457 problem details: the body of every HTTP 4xx/5xx the hub answers. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    /** The offending field, e.g. "body.password", when there is one. */
    field: z.string().optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof problemSchema>;
