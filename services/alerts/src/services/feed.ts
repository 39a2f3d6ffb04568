import type { AlertContent, CapMessageType, LocalizedText } from "@hub/contracts";

export interface FeedEntry {
  identifier: string;
  sent: Date;
  msgType: CapMessageType;
  content: AlertContent;
  capUrl: string;
}

function xmlText(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The public CAP feed as an Atom 1.0 document, the shape public alert aggregators poll: one entry per listed
 * message, linking its CAP document (type application/cap+xml). Titles are English with the other languages in
 * the summary, each marked with its language.
 */
export function atomFeed(options: {
  feedUrl: string;
  title: LocalizedText;
  author: string;
  updated: Date;
  entries: FeedEntry[];
}): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(options.feedUrl)}</id>`,
    `  <title>${xmlText(`${options.title["zh-Hant"]} / ${options.title.pt} / ${options.title.en}`)}</title>`,
    `  <updated>${options.updated.toISOString()}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(options.feedUrl)}"/>`,
    `  <author><name>${xmlText(options.author)}</name></author>`,
  ];
  for (const entry of options.entries) {
    const { content } = entry;
    const prefix = entry.msgType === "Cancel" ? "" : `[${content.severity}] `;
    lines.push(
      "  <entry>",
      `    <id>${xmlText(entry.capUrl)}</id>`,
      `    <title xml:lang="en">${xmlText(prefix + content.headline.en)}</title>`,
      `    <updated>${entry.sent.toISOString()}</updated>`,
      `    <published>${entry.sent.toISOString()}</published>`,
      `    <link rel="alternate" type="application/cap+xml" href="${xmlText(entry.capUrl)}"/>`,
      `    <category term="${xmlText(entry.msgType)}"/>`,
      `    <summary type="text">${xmlText(
        `${content.headline["zh-Hant"]} | ${content.headline.pt} | ${content.headline.en} — ${content.event.en}`,
      )}</summary>`,
      "  </entry>",
    );
  }
  lines.push("</feed>", "");
  return lines.join("\n");
}
