import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { contentFromTemplate, TEMPLATES } from "../templates/templates.js";
import { buildCapXml } from "./cap.js";
import { signCap, verifyCap } from "./cap-signature.js";

const XSD = fileURLToPath(new URL("../../schema/cap1.2.xsd", import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), "cap-signature-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function newKeyPair(): { key: string; publicKey: string } {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    key: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

/** A self-signed certificate for `key` (node:crypto cannot make one; openssl can). */
function selfSignedCert(key: string): string {
  const keyFile = join(workDir, "key.pem");
  const certFile = join(workDir, "cert.pem");
  writeFileSync(keyFile, key);
  const run = spawnSync(
    "openssl",
    ["req", "-new", "-x509", "-key", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=cpoc.gov.mo test"],
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`openssl req: ${run.stderr}`);
  return readFileSync(certFile, "utf8");
}

const signer = newKeyPair();
const template = TEMPLATES.find((t) => t.id === "storm-surge-red");
if (!template) throw new Error("no storm-surge-red template");
const content = contentFromTemplate(template, new Date("2025-08-01T10:00:00Z"));
const HEADLINE = content.headline.en;
const unsigned = buildCapXml({
  identifier: "MO-CPOC-2025-0042",
  sender: "cpoc.gov.mo",
  sent: new Date("2025-08-01T10:00:00Z"),
  status: "Actual",
  msgType: "Alert",
  references: null,
  senderName: {
    "zh-Hant": "民防行動中心",
    pt: "Centro de Operações de Protecção Civil",
    en: "Civil Protection Operations Centre",
  },
  web: "https://alerts.example.mo/public/alerts",
  contact: null,
  note: null,
  content,
});

function validates(xml: string): boolean {
  const file = join(workDir, `doc-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const run = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8" });
  return run.status === 0 && run.stderr.includes(`${file} validates`);
}

// RSA-2048 key generation, openssl and xmllint processes: a second or more on a busy machine, so these state their
// own budget instead of relying on the default 5 s.
describe("signCap / verifyCap", { timeout: 30_000 }, () => {
  const signed = signCap(unsigned, signer.key, null);

  it("appends an RSA-SHA256 enveloped signature over the whole document as the last child of <alert>", () => {
    expect(signed.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(signed.trimEnd()).toMatch(/<\/Signature><\/alert>$/);
    expect(signed).toContain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
    expect(signed).toContain('<Reference URI="">');
    expect(signed).toContain('Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"');
    expect(signed).toContain('<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>');
    expect(signed).not.toContain("<KeyInfo");
    // The document is byte for byte the same up to the signature.
    expect(signed.slice(0, signed.indexOf("<Signature"))).toBe(unsigned.slice(0, unsigned.lastIndexOf("</alert>")));
  });

  it("still validates against the CAP 1.2 schema", () => {
    expect(validates(unsigned)).toBe(true);
    expect(validates(signed)).toBe(true);
  });

  it("verifies with the signer's public key", () => {
    expect(verifyCap(signed, signer.publicKey)).toBe(true);
  });

  it("fails when the headline is tampered with", () => {
    expect(signed).toContain(HEADLINE);
    const tampered = signed.replace(HEADLINE, HEADLINE.replace("Red", "Blue"));
    expect(tampered).not.toBe(signed);
    expect(verifyCap(tampered, signer.publicKey)).toBe(false);
  });

  it("fails with another key, without a signature, or with two signatures", () => {
    expect(verifyCap(signed, newKeyPair().publicKey)).toBe(false);
    expect(verifyCap(unsigned, signer.publicKey)).toBe(false);
    const signature = signed.slice(signed.indexOf("<Signature"), signed.lastIndexOf("</alert>"));
    const twice = signed.replace("</alert>", `${signature}</alert>`);
    expect(verifyCap(twice, signer.publicKey)).toBe(false);
    expect(verifyCap("not xml", signer.publicKey)).toBe(false);
  });

  it.skipIf(!hasOpenssl)("ignores a certificate an attacker puts in <KeyInfo>", () => {
    const attacker = newKeyPair();
    const attackerCert = selfSignedCert(attacker.key);
    const forged = signCap(
      signed.replace(/<Signature[\s\S]*<\/Signature>/, "").replace("Red", "Blue"),
      attacker.key,
      attackerCert,
    );
    expect(forged).toContain("<X509Certificate>");
    expect(verifyCap(forged, signer.publicKey)).toBe(false);
    expect(verifyCap(forged, attackerCert)).toBe(true);
  });

  it.skipIf(!hasOpenssl)("publishes the certificate in <KeyInfo> when given one, and verifies with it", () => {
    const cert = selfSignedCert(signer.key);
    const withCert = signCap(unsigned, signer.key, cert);
    expect(withCert).toContain("<KeyInfo><X509Data><X509Certificate>");
    expect(validates(withCert)).toBe(true);
    expect(verifyCap(withCert, cert)).toBe(true);
    expect(verifyCap(withCert, signer.publicKey)).toBe(true);
  });

  it("signs deterministically (PKCS#1 v1.5): the same document and key give the same bytes", () => {
    expect(signCap(unsigned, signer.key, null)).toBe(signed);
  });
});
