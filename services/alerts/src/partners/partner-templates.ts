import type { AlertTemplate } from "@hub/contracts";
import type { PartnerFeedConfig } from "../partner-feeds.config.js";
import { TEMPLATES } from "../templates/templates.js";
import type { PartnerCap } from "./partner-cap.js";

/**
 * The template a partner's signal starts from: the feed's first rule that matches one of its `<info>` blocks (by
 * event, case-insensitive, or by one eventCode), else a template carrying one of the signal's eventCodes itself
 * (SMG's "MO-SMG-signal" = "8NE" → tc-8ne), else the feed's default template, else none.
 */
export function templateForSignal(
  cap: PartnerCap,
  feed: Pick<PartnerFeedConfig, "rules" | "defaultTemplateId">,
  templates: readonly AlertTemplate[] = TEMPLATES,
): AlertTemplate | undefined {
  const codes = cap.infos.flatMap((info) => info.eventCodes);
  const events = cap.infos.map((info) => info.event.toLowerCase());
  const byId = (id: string | null) => (id === null ? undefined : templates.find((template) => template.id === id));
  for (const rule of feed.rules) {
    const matches = rule.event
      ? events.includes(rule.event.toLowerCase())
      : codes.some((code) => code.valueName === rule.eventCode?.valueName && code.value === rule.eventCode?.value);
    if (matches) return byId(rule.templateId);
  }
  const own = templates.find((template) =>
    template.content.eventCodes.some((mine) =>
      codes.some((code) => code.valueName === mine.valueName && code.value === mine.value),
    ),
  );
  return own ?? byId(feed.defaultTemplateId);
}
