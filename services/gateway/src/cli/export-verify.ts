#!/usr/bin/env node
/**
 * Verifies a case export: every file's size and SHA-256 against manifest.json, and manifest.json's Ed25519 signature.
 *
 *   npm run export:verify -- case-<id>.zip --key hub-export-key.pem
 *
 * --key is the hub's public key as published by the hub (GET /api/v1/exports/public-key, or the operator's copy).
 * Without it the key inside the zip is used, which proves only that the files match the manifest as signed by
 * *some* key: say so in any report.
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { unzipSync } from "fflate";

/** Results go to standard output (progress and errors to standard error). */
const say = (line: string) => process.stdout.write(`${line}\n`);

const { values, positionals } = parseArgs({ options: { key: { type: "string" } }, allowPositionals: true });
const file = positionals[0];
const problems: string[] = [];
try {
  if (!file) throw new Error("usage: npm run export:verify -- <export.zip> [--key <public-key.pem>]");
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
  };
  const keyPem = values.key ? readFileSync(values.key) : files["hub-public-key.pem"];
  if (!keyPem) throw new Error("no public key: pass --key");
  const signed = verify(
    null,
    manifestBytes,
    createPublicKey(Buffer.from(keyPem)),
    Buffer.from(Buffer.from(signature).toString("utf8").trim(), "base64"),
  );
  if (!signed) problems.push("manifest.sig does not verify: manifest.json was changed or signed by another key");
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
      `export verified: case ${manifest.caseReference}, ${manifest.detections} detections, exported by ${manifest.exportedBy} at ${manifest.exportedAt}; ${manifest.files.length} files match; signature valid${values.key ? "" : " (with the key inside the zip: pass --key to check it is the hub's)"}`,
    );
  } else {
    for (const problem of problems) say(`FAILED ${problem}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`export:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
