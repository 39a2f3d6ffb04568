import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CAP_NAMESPACE, capDateTime, signCap } from "@hub/alerts";

/**
 * Development and tests only: a stand-in for a partner agency's CAP feed (README "Warnings from partner agencies"),
 * so a drafter sees a partner's warning become a draft on one machine. It serves an Atom feed at /feed.atom (with an
 * ETag, answering 304 to If-None-Match) whose entries link CAP 1.2 documents at /cap/{name}.xml, signed with a
 * development key. Tests put any document they like (unsigned, malformed, signed by another key) with `put`.
 */
export interface DevPartnerFeed {
  /** The Atom feed. */
  url: string;
  /** Adds or replaces the entry `name`, linking `/cap/{name}.xml` with this body. */
  put(name: string, body: string, updated?: Date): void;
  /** Adds or replaces an entry whose CAP document is embedded in the feed (`alert` without an XML declaration). */
  embed(name: string, alert: string, updated?: Date): void;
  /** Replaces the whole feed document with `body` (or back to the generated one with null). */
  setFeedBody(body: string | null): void;
  /** Paths requested so far (method, path and the status answered). */
  requests(): string[];
  close(): Promise<void>;
}

export interface DevSignal {
  identifier: string;
  sender?: string;
  sent: Date;
  msgType?: "Alert" | "Update" | "Cancel";
  references?: string;
  event: string;
  eventCode?: { valueName: string; value: string };
  headline: string;
  description: string;
  instruction?: string;
  expires?: Date;
  status?: string;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** A CAP 1.2 alert (unsigned), one `<info>` in English and one in Chinese with the same codes. */
export function partnerCapXml(signal: DevSignal): string {
  const info = (language: string, prefix: string) =>
    [
      "  <info>",
      `    <language>${language}</language>`,
      "    <category>Met</category>",
      `    <event>${escapeXml(signal.event)}</event>`,
      "    <urgency>Expected</urgency>",
      "    <severity>Severe</severity>",
      "    <certainty>Likely</certainty>",
      ...(signal.eventCode
        ? [
            `    <eventCode><valueName>${escapeXml(signal.eventCode.valueName)}</valueName><value>${escapeXml(signal.eventCode.value)}</value></eventCode>`,
          ]
        : []),
      ...(signal.expires ? [`    <expires>${capDateTime(signal.expires)}</expires>`] : []),
      "    <senderName>Meteorological and Geophysical Bureau (development stand-in)</senderName>",
      `    <headline>${escapeXml(prefix + signal.headline)}</headline>`,
      `    <description>${escapeXml(prefix + signal.description)}</description>`,
      ...(signal.instruction ? [`    <instruction>${escapeXml(prefix + signal.instruction)}</instruction>`] : []),
      "    <area><areaDesc>Macao</areaDesc></area>",
      "  </info>",
    ].join("\n");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<alert xmlns="${CAP_NAMESPACE}">`,
    `  <identifier>${escapeXml(signal.identifier)}</identifier>`,
    `  <sender>${escapeXml(signal.sender ?? "smg.gov.mo")}</sender>`,
    `  <sent>${capDateTime(signal.sent)}</sent>`,
    `  <status>${signal.status ?? "Exercise"}</status>`,
    `  <msgType>${signal.msgType ?? "Alert"}</msgType>`,
    "  <scope>Public</scope>",
    ...(signal.references ? [`  <references>${escapeXml(signal.references)}</references>`] : []),
    info("en-US", ""),
    info("zh-Hant", "（中文）"),
    "</alert>",
    "",
  ].join("\n");
}

/**
 * The development partner's RSA key and self-signed certificate, made once into `dir` with openssl (node:crypto
 * cannot issue X.509) and kept. Its subject and file names carry the public development prefix, so a production
 * configuration that trusts it is refused.
 */
export function devPartnerFeedCertificate(dir: string): { keyFile: string; certFile: string } {
  const keyFile = join(dir, "insecure-development-partner-feed-key.pem");
  const certFile = join(dir, "insecure-development-partner-feed-cert.pem");
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "3650"],
        ...["-subj", "/CN=insecure-development partner feed (development only)"],
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  }
  return { keyFile, certFile };
}

/** Two signals of the hour (a repeat within the hour is the same signal): typhoon signal No. 8 NE, red rainstorm. */
export function devSignals(now: Date): DevSignal[] {
  const hour = new Date(Math.floor(now.getTime() / 3600_000) * 3600_000);
  const stamp = hour.toISOString().slice(0, 13).replace(/\D/g, "");
  return [
    {
      identifier: `SMG-DEV-TC-${stamp}`,
      sent: hour,
      event: "Tropical Cyclone Signal No. 8 (Northeast)",
      eventCode: { valueName: "MO-SMG-signal", value: "8NE" },
      headline: "Signal No. 8 Northeast hoisted (development stand-in)",
      description: "A tropical cyclone is affecting Macao with gale force winds from the northeast.",
      instruction: "Stay indoors.",
      expires: new Date(hour.getTime() + 12 * 3600_000),
    },
    {
      identifier: `SMG-DEV-RS-${stamp}`,
      sent: hour,
      event: "Red Rainstorm Signal",
      eventCode: { valueName: "MO-SMG-rainstorm", value: "red" },
      headline: "Red rainstorm signal (development stand-in)",
      description: "Heavy rain has fallen or is expected to fall generally over Macao.",
      expires: new Date(hour.getTime() + 6 * 3600_000),
    },
  ];
}

export async function startDevPartnerFeed(options: {
  port: number;
  host?: string;
  /** Signs the initial signals (PEM text). */
  signer?: { key: string; cert: string };
  signals?: DevSignal[];
}): Promise<DevPartnerFeed> {
  const seen: string[] = [];
  const entries = new Map<string, { body: string; updated: Date; embedded: boolean }>();
  let feedBody: string | null = null;
  let url = "";
  const atom = () => {
    const sorted = [...entries].sort(([, a], [, b]) => b.updated.getTime() - a.updated.getTime());
    const updated = sorted[0]?.[1].updated ?? new Date(0);
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<feed xmlns="http://www.w3.org/2005/Atom">',
      "  <id>urn:dev:partner-feed</id>",
      "  <title>Partner warnings (development stand-in)</title>",
      `  <updated>${updated.toISOString()}</updated>`,
      ...sorted.map(([name, entry]) =>
        [
          "  <entry>",
          `    <id>urn:dev:partner-feed:${escapeXml(name)}</id>`,
          `    <title>${escapeXml(name)}</title>`,
          `    <updated>${entry.updated.toISOString()}</updated>`,
          entry.embedded
            ? `    <content type="application/cap+xml">${entry.body}</content>`
            : `    <link rel="alternate" type="application/cap+xml" href="${url}/cap/${encodeURIComponent(name)}.xml"/>`,
          "  </entry>",
        ].join("\n"),
      ),
      "</feed>",
      "",
    ].join("\n");
  };
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://partner").pathname;
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      seen.push(`${request.method} ${path} ${status}`);
      response.writeHead(status, { "content-type": type, ...headers });
      response.end(status === 304 ? undefined : body);
    };
    if (request.method !== "GET") return send(405, "text/plain", "method not allowed\n");
    if (path === "/feed.atom") {
      const body = feedBody ?? atom();
      const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
      if (request.headers["if-none-match"] === etag) return send(304, "application/atom+xml", "", { etag });
      return send(200, "application/atom+xml; charset=utf-8", body, { etag });
    }
    const match = /^\/cap\/(.+)\.xml$/.exec(path);
    const entry = match?.[1] ? entries.get(decodeURIComponent(match[1])) : undefined;
    if (entry && !entry.embedded) return send(200, "application/cap+xml; charset=utf-8", entry.body);
    return send(404, "text/plain", "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const feed: DevPartnerFeed = {
    url: `${url}/feed.atom`,
    put: (name, body, updated = new Date()) => entries.set(name, { body, updated, embedded: false }),
    embed: (name, alert, updated = new Date()) => entries.set(name, { body: alert, updated, embedded: true }),
    setFeedBody: (body) => {
      feedBody = body;
    },
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  for (const signal of options.signals ?? []) {
    const xml = partnerCapXml(signal);
    const signer = options.signer;
    feed.put(signal.identifier, signer ? signCap(xml, signer.key, signer.cert) : xml, signal.sent);
  }
  return feed;
}

/** For `npm start`: the stand-in with the development signals, and the ALERTS_PARTNER_FEEDS that trusts it. */
export async function startDevPartnerFeedForHub(options: {
  port: number;
  dataDir: string;
}): Promise<{ feed: DevPartnerFeed; env: Record<string, string> }> {
  const { keyFile, certFile } = devPartnerFeedCertificate(options.dataDir);
  const feed = await startDevPartnerFeed({
    port: options.port,
    signer: { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") },
    signals: devSignals(new Date()),
  });
  const partners = [
    {
      id: "smg-dev",
      name: {
        "zh-Hant": "地球物理氣象局（開發替身）",
        pt: "SMG (substituto de desenvolvimento)",
        en: "SMG (development stand-in)",
      },
      url: feed.url,
      trustedCertFiles: [certFile],
      pollIntervalMs: 30_000,
    },
  ];
  return { feed, env: { ALERTS_PARTNER_FEEDS: JSON.stringify(partners) } };
}
