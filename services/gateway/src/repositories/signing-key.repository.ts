import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Logger } from "@hub/common";
import { keyFingerprint } from "../services/export-archive.js";

/** The hub's export signing key: Ed25519, from a PEM file in production, made up per process otherwise. */
export function loadSigningKey(
  file: string | undefined,
  logger: Logger,
): { privateKey: KeyObject; publicKeyPem: string } {
  const privateKey = file ? createPrivateKey(readFileSync(file)) : generateKeyPairSync("ed25519").privateKey;
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new Error("GATEWAY_EXPORT_KEY_FILE must hold an Ed25519 private key");
  if (!file) logger.warn("export signing key generated for this process (set GATEWAY_EXPORT_KEY_FILE to keep one)");
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  // What export:verify --fingerprint takes: worth writing down where the exports' recipients can find it.
  logger.info({ fingerprint: keyFingerprint(privateKey) }, "export signing key");
  return { privateKey, publicKeyPem };
}
