import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { CAP_NAMESPACE } from "../services/cap.js";
import { signatureCount, verifyCap } from "../services/cap-signature.js";

/**
 * Reading a partner agency's feed: the Atom document and each CAP 1.2 alert in it (linked or embedded). Pure: no
 * I/O. Whatever cannot be trusted or read throws a {@link PartnerRefusal} whose message is the reason a drafter sees.
 */

const ATOM_NAMESPACE = "http://www.w3.org/2005/Atom";
/** At most this many entries of one feed are read per poll (newest first, as feeds list them). */
export const MAX_FEED_ENTRIES = 100;

export class PartnerRefusal extends Error {
  override readonly name = "PartnerRefusal";
  constructor(
    /** Short machine-readable cause, the metrics label. */
    readonly kind: "malformed" | "unsigned" | "bad-signature" | "invalid-cap" | "too-large" | "unsupported",
    reason: string,
  ) {
    super(reason);
  }
}

export interface FeedEntry {
  id: string;
  updated: string;
  /** The linked CAP document, or null when the alert is embedded. */
  capUrl: string | null;
  /** The embedded `<alert>`, serialized, or null when linked. */
  embedded: string | null;
}

export interface PartnerInfo {
  language: string;
  event: string;
  headline: string | null;
  description: string | null;
  instruction: string | null;
  eventCodes: { valueName: string; value: string }[];
  expires: Date | null;
}

export interface PartnerCap {
  identifier: string;
  sender: string;
  sent: Date;
  msgType: "Alert" | "Update" | "Cancel";
  /** "sender,identifier,sent" entries. */
  references: { sender: string; identifier: string; sent: string }[];
  referencesText: string | null;
  infos: PartnerInfo[];
}

function parseXml(text: string, what: string): Document {
  if (/<!DOCTYPE/i.test(text)) throw new PartnerRefusal("malformed", `${what}: a DOCTYPE is not accepted`);
  const problems: string[] = [];
  const note = (message: string) => problems.push(message.replace(/^\[xmldom \w+\]\s*/, "").split("\n")[0] ?? "");
  const document = new DOMParser({ errorHandler: { warning: note, error: note, fatalError: note } }).parseFromString(
    text,
    "application/xml",
  );
  if (problems.length > 0 || !document?.documentElement)
    throw new PartnerRefusal("malformed", `${what}: malformed XML (${problems[0] ?? "no root element"})`);
  return document;
}

const children = (parent: Element, namespace: string, name: string): Element[] =>
  Array.from(parent.childNodes).filter(
    (node): node is Element =>
      node.nodeType === 1 && (node as Element).localName === name && (node as Element).namespaceURI === namespace,
  );

const textOf = (element: Element | undefined): string | null => {
  const text = element?.textContent?.trim();
  return text ? text : null;
};

/** The entries of an Atom feed: each links (or embeds) one CAP document. */
export function parseAtomFeed(text: string, feedUrl: string): FeedEntry[] {
  const root = parseXml(text, "feed").documentElement as Element;
  if (root.localName !== "feed" || root.namespaceURI !== ATOM_NAMESPACE)
    throw new PartnerRefusal("malformed", `feed: the root element is not an Atom <feed> (${root.nodeName})`);
  const origin = new URL(feedUrl).origin;
  const entries: FeedEntry[] = [];
  for (const entry of children(root, ATOM_NAMESPACE, "entry").slice(0, MAX_FEED_ENTRIES)) {
    const id = textOf(children(entry, ATOM_NAMESPACE, "id")[0]) ?? "";
    const updated = textOf(children(entry, ATOM_NAMESPACE, "updated")[0]) ?? "";
    const content = children(entry, ATOM_NAMESPACE, "content")[0];
    const embeddedAlert = content ? children(content, CAP_NAMESPACE, "alert")[0] : undefined;
    if (embeddedAlert) {
      entries.push({ id, updated, capUrl: null, embedded: new XMLSerializer().serializeToString(embeddedAlert) });
      continue;
    }
    const links = children(entry, ATOM_NAMESPACE, "link");
    const link =
      links.find((l) => /cap\+xml/i.test(l.getAttribute("type") ?? "")) ??
      links.find((l) => (l.getAttribute("rel") ?? "alternate") === "alternate");
    const href = link?.getAttribute("href");
    if (!href) continue;
    let url: URL;
    try {
      url = new URL(href, feedUrl);
    } catch {
      continue;
    }
    // The feed itself is not signed: it may only point at the partner's own origin, never at another host.
    if (url.origin !== origin) continue;
    entries.push({ id, updated, capUrl: url.toString(), embedded: null });
  }
  return entries;
}

const CAP_TOKEN = /^[^\s,&<]+$/;
const CAP_TIME = /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/;
const STATUSES = ["Actual", "Exercise", "System", "Test", "Draft"];
const SCOPES = ["Public", "Restricted", "Private"];
const CATEGORIES = [
  "Geo",
  "Met",
  "Safety",
  "Security",
  "Rescue",
  "Fire",
  "Health",
  "Env",
  "Transport",
  "Infra",
  "CBRNE",
  "Other",
];
const URGENCIES = ["Immediate", "Expected", "Future", "Past", "Unknown"];
const SEVERITIES = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
const CERTAINTIES = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

/**
 * A partner's CAP document, once its signature verifies with one of the trusted certificates (never the key in its
 * own `<KeyInfo>`) and it is a CAP 1.2 alert with what a draft needs: the header fields and at least one `<info>`.
 */
export function readPartnerCap(text: string, trustedCerts: readonly string[]): PartnerCap {
  const root = parseXml(text, "CAP document").documentElement as Element;
  if (root.localName !== "alert" || root.namespaceURI !== CAP_NAMESPACE)
    throw new PartnerRefusal(
      "invalid-cap",
      `not a CAP 1.2 <alert> (root ${root.nodeName} in ${root.namespaceURI ?? "no namespace"})`,
    );
  const signatures = signatureCount(text);
  if (signatures === 0) throw new PartnerRefusal("unsigned", "unsigned: the CAP document carries no XML signature");
  if (!trustedCerts.some((cert) => verifyCap(text, cert)))
    throw new PartnerRefusal(
      "bad-signature",
      signatures > 1
        ? "signature: more than one XML signature"
        : "signature: does not verify with the partner's trusted certificate (signed by another key, or altered)",
    );
  return validCap(root);
}

function validCap(root: Element): PartnerCap {
  const invalid = (field: string, problem: string) =>
    new PartnerRefusal("invalid-cap", `invalid CAP 1.2: <${field}> ${problem}`);
  const one = (parent: Element, name: string, required: boolean): string | null => {
    const found = children(parent, CAP_NAMESPACE, name);
    if (found.length > 1) throw invalid(name, "appears more than once");
    const value = textOf(found[0]);
    if (required && value === null) throw invalid(name, "is missing");
    return value;
  };
  const oneOf = (parent: Element, name: string, allowed: readonly string[]) => {
    const value = one(parent, name, true) as string;
    if (!allowed.includes(value)) throw invalid(name, `"${value}" is not one of ${allowed.join(", ")}`);
    return value;
  };
  const time = (value: string, field: string) => {
    if (!CAP_TIME.test(value) || Number.isNaN(Date.parse(value)))
      throw invalid(field, `"${value}" is not a CAP date-time`);
    return new Date(value);
  };
  const identifier = one(root, "identifier", true) as string;
  if (!CAP_TOKEN.test(identifier)) throw invalid("identifier", "has spaces, commas, < or &");
  const sender = one(root, "sender", true) as string;
  if (!CAP_TOKEN.test(sender)) throw invalid("sender", "has spaces, commas, < or &");
  const sent = time(one(root, "sent", true) as string, "sent");
  oneOf(root, "status", STATUSES);
  const msgType = oneOf(root, "msgType", ["Alert", "Update", "Cancel", "Ack", "Error"]);
  if (msgType === "Ack" || msgType === "Error")
    throw new PartnerRefusal("unsupported", `msgType ${msgType}: only Alert, Update and Cancel are drafted`);
  oneOf(root, "scope", SCOPES);
  const referencesText = one(root, "references", msgType !== "Alert");
  const references: PartnerCap["references"] = [];
  for (const entry of referencesText?.split(/\s+/) ?? []) {
    const [refSender, refIdentifier, refSent, ...rest] = entry.split(",");
    if (!refSender || !refIdentifier || !refSent || rest.length > 0 || !CAP_TIME.test(refSent))
      throw invalid("references", `"${entry}" is not sender,identifier,sent`);
    references.push({ sender: refSender, identifier: refIdentifier, sent: refSent });
  }
  const infoElements = children(root, CAP_NAMESPACE, "info");
  if (infoElements.length === 0) throw invalid("info", "is missing: there is nothing to draft from");
  const infos = infoElements.map((info): PartnerInfo => {
    const categories = children(info, CAP_NAMESPACE, "category").map((c) => textOf(c) ?? "");
    if (categories.length === 0) throw invalid("category", "is missing");
    for (const category of categories) {
      if (!CATEGORIES.includes(category)) throw invalid("category", `"${category}" is not a CAP category`);
    }
    const event = one(info, "event", true) as string;
    oneOf(info, "urgency", URGENCIES);
    oneOf(info, "severity", SEVERITIES);
    oneOf(info, "certainty", CERTAINTIES);
    const expires = one(info, "expires", false);
    return {
      language: one(info, "language", false) ?? "en-US",
      event,
      headline: one(info, "headline", false),
      description: one(info, "description", false),
      instruction: one(info, "instruction", false),
      eventCodes: children(info, CAP_NAMESPACE, "eventCode").map((code) => ({
        valueName: textOf(children(code, CAP_NAMESPACE, "valueName")[0]) ?? "",
        value: textOf(children(code, CAP_NAMESPACE, "value")[0]) ?? "",
      })),
      expires: expires ? time(expires, "expires") : null,
    };
  });
  return { identifier, sender, sent, msgType: msgType as PartnerCap["msgType"], references, referencesText, infos };
}
