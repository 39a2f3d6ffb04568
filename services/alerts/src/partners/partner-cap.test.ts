import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { capDateTime } from "../services/cap.js";
import { signCap } from "../services/cap-signature.js";
import { PartnerRefusal, parseAtomFeed, readPartnerCap } from "./partner-cap.js";
import { templateForSignal } from "./partner-templates.js";

// verifyCap takes a certificate or a public key: a key pair is enough here (the integration tests use certificates).
const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicKey = pair.publicKey.export({ type: "spki", format: "pem" }).toString();

const sent = new Date("2026-08-01T10:00:00Z");
function alertXml({ msgType = "Alert", references = "", codes = "", event = "Red Rainstorm Signal" } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SMG-1</identifier>
  <sender>smg.gov.mo</sender>
  <sent>${capDateTime(sent)}</sent>
  <status>Actual</status>
  <msgType>${msgType}</msgType>
  <scope>Public</scope>${references ? `\n  <references>${references}</references>` : ""}
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>${event}</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>${codes}
    <headline>Red rainstorm</headline>
  </info>
</alert>
`;
}

const refusal = (run: () => unknown): PartnerRefusal => {
  try {
    run();
  } catch (err) {
    if (err instanceof PartnerRefusal) return err;
    throw err;
  }
  throw new Error("not refused");
};

describe("parseAtomFeed", () => {
  it("reads linked CAP documents of the feed's own origin only, and embedded alerts", () => {
    const signed = signCap(alertXml(), key, null).replace(/^<\?xml[^>]*>\s*/, "");
    const feed = `<feed xmlns="http://www.w3.org/2005/Atom">
  <entry><id>a</id><updated>2026-08-01T10:00:00Z</updated>
    <link rel="alternate" type="application/cap+xml" href="/cap/a.xml"/></entry>
  <entry><id>b</id><updated>2026-08-01T10:00:00Z</updated>
    <link rel="alternate" type="application/cap+xml" href="http://169.254.169.254/latest/meta-data"/></entry>
  <entry><id>c</id><updated>2026-08-01T10:00:00Z</updated><content type="application/cap+xml">${signed}</content></entry>
</feed>`;
    const entries = parseAtomFeed(feed, "https://smg.example/feed.atom");
    expect(entries.map((entry) => entry.capUrl)).toEqual(["https://smg.example/cap/a.xml", null]);
    // The embedded alert, taken out of the feed, still verifies: its signature covers the alert alone.
    const embedded = entries[1]?.embedded as string;
    expect(readPartnerCap(embedded, [publicKey]).identifier).toBe("SMG-1");
  });

  it("refuses what is not an Atom feed, malformed XML and a DOCTYPE", () => {
    expect(refusal(() => parseAtomFeed("<rss/>", "https://smg.example/f")).message).toMatch(/not an Atom <feed>/);
    expect(refusal(() => parseAtomFeed("<feed><entry></feed>", "https://smg.example/f")).kind).toBe("malformed");
    const entity = '<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed>&x;</feed>';
    expect(refusal(() => parseAtomFeed(entity, "https://smg.example/f")).message).toMatch(/DOCTYPE/);
  });
});

describe("readPartnerCap", () => {
  it("reads a signed alert: header, references, infos and event codes", () => {
    const codes = "\n    <eventCode><valueName>MO-SMG-signal</valueName><value>8NE</value></eventCode>";
    const references = `smg.gov.mo,SMG-0,${capDateTime(sent)}`;
    const cap = readPartnerCap(signCap(alertXml({ msgType: "Update", references, codes }), key, null), [publicKey]);
    expect(cap).toMatchObject({ identifier: "SMG-1", sender: "smg.gov.mo", msgType: "Update", sent });
    expect(cap.references).toEqual([{ sender: "smg.gov.mo", identifier: "SMG-0", sent: capDateTime(sent) }]);
    expect(cap.infos[0]?.eventCodes).toEqual([{ valueName: "MO-SMG-signal", value: "8NE" }]);
    expect(templateForSignal(cap, { rules: [], defaultTemplateId: null })?.id).toBe("tc-8ne");
    // A rule of the feed comes first.
    expect(
      templateForSignal(cap, {
        rules: [{ event: "red rainstorm signal", templateId: "rainstorm-red" }],
        defaultTemplateId: null,
      })?.id,
    ).toBe("rainstorm-red");
  });

  it("refuses unsigned, other keys, altered text, and signed documents that are not valid CAP 1.2", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    expect(refusal(() => readPartnerCap(alertXml(), [publicKey])).kind).toBe("unsigned");
    expect(refusal(() => readPartnerCap(signCap(alertXml(), other.toString(), null), [publicKey])).kind).toBe(
      "bad-signature",
    );
    const altered = signCap(alertXml(), key, null).replace("Red rainstorm<", "All clear<");
    expect(refusal(() => readPartnerCap(altered, [publicKey])).kind).toBe("bad-signature");
    const noReferences = signCap(alertXml({ msgType: "Cancel" }), key, null);
    expect(refusal(() => readPartnerCap(noReferences, [publicKey])).message).toBe(
      "invalid CAP 1.2: <references> is missing",
    );
    const badSeverity = signCap(alertXml().replace("Severe", "Dire"), key, null);
    expect(refusal(() => readPartnerCap(badSeverity, [publicKey])).message).toMatch(/<severity> "Dire" is not one of/);
    const ack = signCap(alertXml({ msgType: "Ack", references: `smg.gov.mo,SMG-0,${capDateTime(sent)}` }), key, null);
    expect(refusal(() => readPartnerCap(ack, [publicKey])).kind).toBe("unsupported");
  });
});
