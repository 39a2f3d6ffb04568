import { firstProblem } from "@hub/common";
import { type AlertContent, alertContentSchema } from "@hub/contracts";

/**
 * `AlertContent` as received over HTTP, checked with the contract's schema (@hub/contracts); whether `expires` lies
 * in the future is not checked here: that depends on when the message is approved.
 */
export type AlertContentParseResult = { ok: true; value: AlertContent } | { ok: false; field: string; message: string };

/** Validates content received over HTTP; on failure, the first problem with its dotted path ("content.areas.0…"). */
export function parseAlertContent(input: unknown): AlertContentParseResult {
  const parsed = alertContentSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, ...firstProblem(parsed.error, "content", "dots") };
}
