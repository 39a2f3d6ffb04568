import type { AlertContent, Language } from "@hub/contracts";

/** Characters of the body a phone's notification shows before it cuts the text (a common lock-screen length). */
export const PHONE_BODY_MAX = 180;

export interface PhoneCard {
  title: string;
  body: string;
  /** The body was cut: the rest is shown when the notification is opened. */
  truncated: boolean;
}

/** Cuts `text` to `max` characters (code points, so Chinese and emoji are not split), ending with "…". */
export function truncate(text: string, max: number): { text: string; truncated: boolean } {
  const chars = Array.from(text);
  if (chars.length <= max) return { text, truncated: false };
  return {
    text: `${chars
      .slice(0, Math.max(0, max - 1))
      .join("")
      .trimEnd()}…`,
    truncated: true,
  };
}

/**
 * What a phone shows of an alert in one language: the event as the title, the headline then the description as the
 * body. A missing translation is shown as missing (empty), not replaced by another language.
 */
export function phoneCard(
  content: Pick<AlertContent, "event" | "headline" | "description">,
  language: Language,
): PhoneCard {
  const headline = content.headline[language].trim();
  const description = content.description[language].trim();
  const { text, truncated } = truncate([headline, description].filter(Boolean).join("\n"), PHONE_BODY_MAX);
  return { title: content.event[language].trim(), body: text, truncated };
}
