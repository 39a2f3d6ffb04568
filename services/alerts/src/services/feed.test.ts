import { describe, expect, it } from "vitest";
import { atomFeed } from "./feed.js";

const text = (value: string) => ({ "zh-Hant": value, pt: value, en: value });

describe("atomFeed", () => {
  it("lists each message with a link to its CAP document, escaping text", () => {
    const xml = atomFeed({
      feedUrl: "https://alerts.example/cap/feed.atom",
      title: text("Warnings"),
      author: "Civil Protection Operations Centre",
      updated: new Date("2026-11-24T08:00:00Z"),
      entries: [
        {
          identifier: "MO-CPC-1",
          sent: new Date("2026-11-24T08:00:00Z"),
          msgType: "Alert",
          capUrl: "https://alerts.example/cap/messages/MO-CPC-1.xml",
          content: { severity: "Severe", headline: text("Signal 8 <now> & later"), event: text("Signal 8") } as never,
        },
      ],
    });
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).toContain(
      '<link rel="alternate" type="application/cap+xml" href="https://alerts.example/cap/messages/MO-CPC-1.xml"/>',
    );
    expect(xml).toContain("[Severe] Signal 8 &#60;now&#62; &#38; later");
    expect(xml).not.toContain("<now>");
    expect(xml.match(/<entry>/g)).toHaveLength(1);
  });
});
