import { describe, expect, it } from "vitest";
import { newAlertContent, text } from "../testing/alert-factories";
import { PHONE_BODY_MAX, phoneCard, truncate } from "./phone";

describe("phoneCard", () => {
  it("shows the event as title and the headline then the description, in the language asked for", () => {
    const card = phoneCard(newAlertContent({ description: text("Winds", "Ventos", "強風") }), "pt");
    expect(card).toEqual({ title: "Sinal n.º 8", body: "Içado o sinal n.º 8\nVentos", truncated: false });
  });

  it("does not fill a missing translation from another language", () => {
    const content = newAlertContent({ description: { "zh-Hant": "強風", pt: "", en: "Winds" } });
    expect(phoneCard(content, "pt").body).toBe("Içado o sinal n.º 8");
  });

  it("cuts a long body at a character count that counts Chinese characters as one", () => {
    const long = "颱".repeat(PHONE_BODY_MAX + 20);
    const card = phoneCard(newAlertContent({ headline: text("h", "h", long), description: text("") }), "zh-Hant");
    expect(card.truncated).toBe(true);
    expect(Array.from(card.body)).toHaveLength(PHONE_BODY_MAX);
    expect(card.body.endsWith("…")).toBe(true);
  });
});

describe("truncate", () => {
  it("leaves text that fits alone", () => {
    expect(truncate("abc", 3)).toEqual({ text: "abc", truncated: false });
    expect(truncate("abcd", 3)).toEqual({ text: "ab…", truncated: true });
  });
});
