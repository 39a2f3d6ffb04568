import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capDateTime, signCap } from "@hub/alerts";
import { type DevSignal, devPartnerFeedCertificate, partnerCapXml } from "@hub/infra";

/** An RSA key and self-signed certificate for a partner (or an impostor), in a fresh temporary folder. */
export function partnerSigner(): { key: string; cert: string; certFile: string } {
  const { keyFile, certFile } = devPartnerFeedCertificate(mkdtempSync(join(tmpdir(), "partner-signer-")));
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

/** A signal of the typhoon kind (signal No. 8 NE unless overridden), with a unique identifier. */
export function newSignal(overrides: Partial<DevSignal> = {}): DevSignal {
  const sent = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    identifier: `SMG-TEST-${randomUUID()}`,
    sent,
    event: "Tropical Cyclone Signal No. 8 (Northeast)",
    eventCode: { valueName: "MO-SMG-signal", value: "8NE" },
    headline: "Signal No. 8 Northeast hoisted",
    description: "Gale force winds from the northeast.",
    instruction: "Stay indoors.",
    expires: new Date(sent.getTime() + 6 * 3600_000),
    ...overrides,
  };
}

/** The signal's CAP document, signed by `signer`. */
export function signedCap(signal: DevSignal, signer: { key: string; cert: string }): string {
  return signCap(partnerCapXml(signal), signer.key, signer.cert);
}

/** "sender,identifier,sent" of a signal, as a CAP `<references>` entry names it. */
export function referenceTo(signal: DevSignal): string {
  return `${signal.sender ?? "smg.gov.mo"},${signal.identifier},${capDateTime(signal.sent)}`;
}

/** The value of one Prometheus sample in a /metrics text (0 when absent). */
export async function metricValue(opsPort: number, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf("}"));
    if (wanted.every((pair) => labelText.split(",").includes(pair))) total += Number(line.split(" ").at(-1));
  }
  return total;
}
