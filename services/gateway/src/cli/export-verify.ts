#!/usr/bin/env node
/**
 * Verifies a case export against a key you trust: manifest.json's Ed25519 signature, then every file's size and
 * SHA-256 against the manifest.
 *
 *   npm run export:verify -- case-<id>.zip --key hub-export-key.pem
 *   npm run export:verify -- case-<id>.zip --fingerprint 3f9a…(64 hex)
 *
 * The trusted key is the hub's public key (GET /api/v1/exports/public-key, or the copy the hub's operators hand
 * out), given as a PEM file (--key, or HUB_EXPORT_PUBLIC_KEY_FILE) or as the SHA-256 of its SPKI DER encoding
 * (--fingerprint, or HUB_EXPORT_KEY_FINGERPRINT; the gateway logs it at start-up). Without one the command refuses:
 * the key inside the zip proves nothing, since whoever altered the files can re-sign the manifest with a key of
 * their own and put that key in the zip. With only a fingerprint, the key inside the zip is used if, and only if,
 * its fingerprint is the trusted one.
 *
 * Exit 0: verified. Exit 1: the export does not verify (each problem named). Exit 2: could not check (no trusted
 * key, unreadable file).
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "@hub/common";
import { unzipSync } from "fflate";
import { z } from "zod";
import { keyFingerprint } from "../services/export-archive.js";

/** Results go to standard output (progress and errors to standard error). */
const say = (line: string) => process.stdout.write(`${line}\n`);

const USAGE = "usage: npm run export:verify -- <export.zip> (--key <hub-public-key.pem> | --fingerprint <sha256 hex>)";

const { values, positionals } = parseArgs({
  options: { key: { type: "string" }, fingerprint: { type: "string" } },
  allowPositionals: true,
});
const problems: string[] = [];
try {
  const env = loadConfig(
    z.object({
      HUB_EXPORT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
      HUB_EXPORT_KEY_FINGERPRINT: z.string().optional(),
    }),
  );
  const file = positionals[0];
  if (!file) throw new Error(USAGE);
  const keyFile = values.key ?? env.HUB_EXPORT_PUBLIC_KEY_FILE;
  const fingerprint = (values.fingerprint ?? env.HUB_EXPORT_KEY_FINGERPRINT)?.replaceAll(":", "").toLowerCase();
  if (!keyFile && !fingerprint)
    throw new Error(
      "refusing to verify without a trusted key: pass --key <hub public key PEM> or --fingerprint <its SHA-256> " +
        "(or set HUB_EXPORT_PUBLIC_KEY_FILE / HUB_EXPORT_KEY_FINGERPRINT). The key inside the zip is never trusted: " +
        "anyone who changed the files could have re-signed them with a key of their own.",
    );
  if (fingerprint !== undefined && !/^[0-9a-f]{64}$/.test(fingerprint))
    throw new Error("--fingerprint must be a SHA-256 in hex (64 digits, colons allowed)");

  const files = unzipSync(readFileSync(file));
  const manifestBytes = files["manifest.json"];
  const signature = files["manifest.sig"];
  if (!manifestBytes || !signature) throw new Error("manifest.json or manifest.sig is missing: not a hub export");
  const manifest = JSON.parse(Buffer.from(manifestBytes).toString("utf8")) as {
    files: { name: string; bytes: number; sha256: string }[];
    caseReference: string;
    exportedBy: string;
    exportedAt: string;
    detections: number;
    signature?: { keyFingerprint?: string };
  };

  let trusted: KeyObject | undefined;
  if (keyFile) {
    trusted = createPublicKey(readFileSync(keyFile));
    if (fingerprint && keyFingerprint(trusted) !== fingerprint)
      throw new Error(`the key in ${keyFile} does not have the fingerprint given (${keyFingerprint(trusted)})`);
  } else {
    // Only a fingerprint: the zip's copy of the key is usable when it is exactly the trusted key.
    const enclosed = files["hub-public-key.pem"];
    const candidate = enclosed ? createPublicKey(Buffer.from(enclosed)) : undefined;
    if (candidate && keyFingerprint(candidate) === fingerprint) trusted = candidate;
  }
  const trustedPrint = trusted ? keyFingerprint(trusted) : fingerprint;
  const signedBy = manifest.signature?.keyFingerprint;
  const signed =
    trusted !== undefined &&
    verify(null, manifestBytes, trusted, Buffer.from(Buffer.from(signature).toString("utf8").trim(), "base64"));
  if (!signed)
    problems.push(
      `manifest.sig does not verify with the trusted key ${trustedPrint}: manifest.json was changed or signed by another key` +
        (signedBy && signedBy !== trustedPrint ? ` (the manifest names key ${signedBy})` : ""),
    );
  for (const entry of manifest.files) {
    const bytes = files[entry.name];
    if (!bytes) {
      problems.push(`${entry.name}: listed in the manifest but missing`);
      continue;
    }
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (bytes.length !== entry.bytes || digest !== entry.sha256)
      problems.push(`${entry.name}: does not match the manifest (size or SHA-256 differs)`);
  }
  const listed = new Set([
    ...manifest.files.map((entry) => entry.name),
    "manifest.json",
    "manifest.sig",
    "hub-public-key.pem",
  ]);
  for (const name of Object.keys(files)) if (!listed.has(name)) problems.push(`${name}: not in the manifest`);
  if (problems.length === 0) {
    say(
      `export verified: case ${manifest.caseReference}, ${manifest.detections} detections, exported by ${manifest.exportedBy} at ${manifest.exportedAt}; ${manifest.files.length} files match; signature valid with the trusted key ${trustedPrint}`,
    );
  } else {
    for (const problem of problems) say(`FAILED ${problem}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`export:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
