import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { canonicalJson } from "./audit.js";

/**
 * Signed checkpoints of the audit chain's head. The hash chain alone shows that rows were changed by someone who did
 * not re-hash what follows; a database owner can still cut the tail off or rewrite a row and re-hash every row after
 * it. A checkpoint — the head's id and hash, signed with an Ed25519 key that lives outside the database and kept
 * where the database cannot reach (a compacted Kafka topic, an append-only file) — turns both into a detectable
 * mismatch: the checkpointed row is missing, or its hash differs.
 */
export interface AuditCheckpoint {
  /** Which chain: the audit_log table. */
  chain: "audit_log";
  /** Id of the head entry when the checkpoint was taken (ids are consecutive from 1, so also the row count). */
  seq: string;
  /** That entry's hash. */
  hash: string;
  /** Rows in the chain at that moment. */
  rows: string;
  /** ISO time of the checkpoint. */
  at: string;
  /** SHA-256 (hex) of the public key's SPKI DER: the fingerprint a verifier trusts. */
  keyId: string;
  /** The public key (SPKI DER, base64), so a verifier that trusts only the fingerprint can check the signature. */
  publicKey: string;
  /** Ed25519 signature (base64) over the canonical JSON of every other field. */
  signature: string;
}

export type AuditHead = { seq: string; hash: string; rows: string };

/** The fingerprint a verifier is told to trust: SHA-256 (hex) of the public key's SPKI DER. */
export function auditKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

function signedContent(checkpoint: Omit<AuditCheckpoint, "signature">): Buffer {
  const { chain, seq, hash, rows, at, keyId, publicKey } = checkpoint;
  return Buffer.from(canonicalJson({ chain, seq, hash, rows, at, keyId, publicKey }));
}

/** A checkpoint of `head`, signed with the (Ed25519) private key. */
export function signAuditCheckpoint(head: AuditHead, privateKey: KeyObject, at = new Date()): AuditCheckpoint {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("audit checkpoints are signed with an Ed25519 key");
  const publicKey = createPublicKey(privateKey);
  const unsigned = {
    chain: "audit_log" as const,
    seq: head.seq,
    hash: head.hash,
    rows: head.rows,
    at: at.toISOString(),
    keyId: auditKeyFingerprint(publicKey),
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
  };
  return { ...unsigned, signature: sign(null, signedContent(unsigned), privateKey).toString("base64") };
}

/**
 * `untrusted`: well-formed and claiming a key the verifier does not trust (an old key after a rotation, another
 * deployment's): not evidence either way. Any other refusal claims a trusted key it cannot prove: a forgery.
 */
export type CheckpointTrust =
  | { ok: true; checkpoint: AuditCheckpoint }
  | { ok: false; reason: string; untrusted?: true };

/**
 * Whether a checkpoint (as read from a file or a topic: anything) is well-formed, signed by a key the verifier
 * trusts (by fingerprint; a trusted public key file counts as its fingerprint) and its signature is good.
 */
export function checkAuditCheckpoint(value: unknown, trustedFingerprints: ReadonlySet<string>): CheckpointTrust {
  const checkpoint = value as Partial<AuditCheckpoint> | null;
  const fields = ["seq", "hash", "rows", "at", "keyId", "publicKey", "signature"] as const;
  if (
    checkpoint === null ||
    typeof checkpoint !== "object" ||
    checkpoint.chain !== "audit_log" ||
    fields.some((field) => typeof checkpoint[field] !== "string") ||
    !/^[1-9]\d{0,18}$/.test(checkpoint.seq as string) ||
    !/^[0-9a-f]{64}$/.test(checkpoint.hash as string)
  )
    return { ok: false, reason: "not a well-formed audit checkpoint" };
  const cp = checkpoint as AuditCheckpoint;
  if (!trustedFingerprints.has(cp.keyId))
    return { ok: false, untrusted: true, reason: `signed by a key that is not trusted (${cp.keyId})` };
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(cp.publicKey, "base64"), format: "der", type: "spki" });
  } catch {
    return { ok: false, reason: "its public key cannot be read" };
  }
  if (publicKey.asymmetricKeyType !== "ed25519" || auditKeyFingerprint(publicKey) !== cp.keyId)
    return { ok: false, reason: `its public key is not the trusted key ${cp.keyId}` };
  if (!verify(null, signedContent(cp), publicKey, Buffer.from(cp.signature, "base64")))
    return { ok: false, reason: "bad signature" };
  return { ok: true, checkpoint: cp };
}

export type CheckpointComparison = { ok: true } | { ok: false; kind: "truncated" | "rewritten"; reason: string };

/**
 * Compares a trusted checkpoint with what the database holds now: `head` is the chain's current last id, `hashAt`
 * the hash stored at the checkpoint's id (undefined when that row is gone).
 */
export function compareWithCheckpoint(
  checkpoint: AuditCheckpoint,
  now: { headSeq: string | null; hashAt: string | undefined },
): CheckpointComparison {
  const signed = `the checkpoint signed at ${checkpoint.at} (key ${checkpoint.keyId.slice(0, 16)}…)`;
  const head = BigInt(now.headSeq ?? "0");
  if (head < BigInt(checkpoint.seq))
    return {
      ok: false,
      kind: "truncated",
      reason: `${signed} covers entry ${checkpoint.seq}, but the chain ends at entry ${head} (entries removed from the tail)`,
    };
  if (now.hashAt === undefined)
    return { ok: false, kind: "truncated", reason: `entry ${checkpoint.seq}, covered by ${signed}, is missing` };
  if (now.hashAt !== checkpoint.hash)
    return {
      ok: false,
      kind: "rewritten",
      reason: `entry ${checkpoint.seq} has hash ${now.hashAt}, but ${signed} says ${checkpoint.hash} (history rewritten and re-hashed)`,
    };
  return { ok: true };
}
