import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { auditKeyFingerprint } from "@hub/common";

/**
 * Development only: the key that signs the audit chain's checkpoints, made once into the data folder (as the other
 * development secrets are) and kept, so checkpoints stay verifiable across restarts; the checkpoints go to a file
 * beside it. Production brings its own key file (AUDIT_CHECKPOINT_KEY_FILE), kept off the database host.
 */
export function devAuditCheckpoints(dataDir: string): { env: Record<string, string>; fingerprint: string } {
  const keyFile = join(dataDir, "dev-audit-checkpoint-key.pem");
  if (!existsSync(keyFile)) {
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  }
  const fingerprint = auditKeyFingerprint(createPrivateKey(readFileSync(keyFile)));
  return {
    env: { AUDIT_CHECKPOINT_KEY_FILE: keyFile, AUDIT_CHECKPOINT_FILE: join(dataDir, "audit-checkpoints.jsonl") },
    fingerprint,
  };
}
