#!/usr/bin/env node
/**
 * Checks the audit trail's hash chain from the first entry to the last, then against the signed checkpoints of its
 * head published outside the database (a file and/or the Kafka topic hub.audit-checkpoints.v1).
 *
 *   DATABASE_URL=postgres://… \
 *   AUDIT_CHECKPOINT_FILE=/var/lib/hub/audit-checkpoints.jsonl AUDIT_CHECKPOINT_KAFKA_BROKERS=kafka:9092 \
 *   AUDIT_CHECKPOINT_PUBLIC_KEY_FILE=audit-checkpoint.pub.pem   (or AUDIT_CHECKPOINT_FINGERPRINTS=<sha256 hex>,…) \
 *   npm run audit:verify
 *
 * The trusted key comes from the person running the check, never from the database or the checkpoint store.
 * Exit 0: the chain is intact and agrees with every trusted checkpoint. Exit 1: the chain is broken, truncated or
 * rewritten, a checkpoint is refused (bad signature, unknown key), or checkpoints were asked for and none is there.
 * Exit 2: the check could not run. Without a checkpoint source only the chain is checked, and it says so.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type AuditCheckpoint,
  auditHashesAt,
  auditKeyFingerprint,
  brokerList,
  checkAuditCheckpoint,
  compareWithCheckpoint,
  createKafka,
  createLogger,
  createPool,
  databaseConfigShape,
  loadConfig,
  readAuditHead,
  verifyAuditChain,
} from "@hub/common";
import { z } from "zod";
import {
  type FoundCheckpoint,
  readCheckpointFile,
  readCheckpointTopic,
} from "../repositories/audit-checkpoint.repository.js";

/** Results go to standard output (progress and errors to standard error). */
const say = (line: string) => process.stdout.write(`${line}\n`);

const config = loadConfig(
  z.object({
    ...databaseConfigShape,
    /** The checkpoint file the gateway appends to (AUDIT_CHECKPOINT_FILE of the gateway). */
    AUDIT_CHECKPOINT_FILE: z.string().optional(),
    /** Read the checkpoints from the Kafka topic too, on these brokers. */
    AUDIT_CHECKPOINT_KAFKA_BROKERS: brokerList.optional(),
    /** The trusted public key (PEM; a private key file is accepted and only its public half used). */
    AUDIT_CHECKPOINT_PUBLIC_KEY_FILE: z.string().optional(),
    /** Trusted key fingerprints (SHA-256 of the SPKI DER, hex), comma-separated: old and new during a rotation. */
    AUDIT_CHECKPOINT_FINGERPRINTS: z.string().optional(),
  }),
);
const logger = createLogger("audit-verify", "warn");

function trustedFingerprints(): Set<string> {
  const trusted = new Set(
    (config.AUDIT_CHECKPOINT_FINGERPRINTS ?? "")
      .split(",")
      .map((fingerprint) =>
        fingerprint
          .trim()
          .toLowerCase()
          .replace(/^sha256:/, ""),
      )
      .filter(Boolean),
  );
  if (config.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE) {
    const pem = readFileSync(config.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      key = createPublicKey(createPrivateKey(pem));
    }
    trusted.add(auditKeyFingerprint(key));
  }
  return trusted;
}

const pool = createPool(config.DATABASE_URL, 1, logger, config);
try {
  const result = await verifyAuditChain(pool, (checked) => process.stderr.write(`\r  checked ${checked} entries…`));
  process.stderr.write("\n");
  if (!result.ok) {
    say(
      `audit trail BROKEN at entry ${result.brokenAt}: ${result.reason} (${result.entries} entries before it are intact)`,
    );
    process.exitCode = 1;
  } else if (!config.AUDIT_CHECKPOINT_FILE && !config.AUDIT_CHECKPOINT_KAFKA_BROKERS) {
    say(`audit trail intact: ${result.entries} entries, last hash ${result.lastHash}`);
    say(
      "checkpoints NOT checked (set AUDIT_CHECKPOINT_FILE and/or AUDIT_CHECKPOINT_KAFKA_BROKERS): a truncated or re-hashed chain would pass",
    );
  } else {
    process.exitCode = await checkCheckpoints(result.entries, result.lastHash);
  }
} catch (error) {
  console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await pool.end();
}

async function checkCheckpoints(entries: number, lastHash: string): Promise<number> {
  const trusted = trustedFingerprints();
  if (trusted.size === 0) {
    say(
      "audit:verify needs a trusted checkpoint key: AUDIT_CHECKPOINT_PUBLIC_KEY_FILE or AUDIT_CHECKPOINT_FINGERPRINTS " +
        "(never taken from the database or the checkpoints themselves)",
    );
    return 2;
  }
  const found: FoundCheckpoint[] = [];
  if (config.AUDIT_CHECKPOINT_FILE) found.push(...(await readCheckpointFile(config.AUDIT_CHECKPOINT_FILE)));
  if (config.AUDIT_CHECKPOINT_KAFKA_BROKERS) {
    const kafka = createKafka({ brokers: config.AUDIT_CHECKPOINT_KAFKA_BROKERS, clientId: "hub-audit-verify" }, logger);
    found.push(...(await readCheckpointTopic(kafka, logger)));
  }
  const problems: string[] = [];
  const good = new Map<string, AuditCheckpoint>();
  let ignored = 0;
  for (const { where, value } of found) {
    const trust = checkAuditCheckpoint(value, trusted);
    if (!trust.ok && trust.untrusted) ignored += 1;
    else if (!trust.ok) problems.push(`checkpoint REFUSED (${where}): ${trust.reason}`);
    else if (!good.has(`${trust.checkpoint.seq}/${trust.checkpoint.hash}`))
      good.set(`${trust.checkpoint.seq}/${trust.checkpoint.hash}`, trust.checkpoint);
  }
  const checkpoints = [...good.values()];
  const head = await readAuditHead(pool);
  const stored = await auditHashesAt(
    pool,
    checkpoints.map((checkpoint) => checkpoint.seq),
  );
  for (const checkpoint of checkpoints) {
    const comparison = compareWithCheckpoint(checkpoint, {
      headSeq: head?.seq ?? null,
      hashAt: stored.get(checkpoint.seq),
    });
    if (!comparison.ok) problems.push(`audit trail ${comparison.kind.toUpperCase()}: ${comparison.reason}`);
  }
  const latest = checkpoints.reduce<AuditCheckpoint | undefined>(
    (newest, checkpoint) => (!newest || BigInt(checkpoint.seq) > BigInt(newest.seq) ? checkpoint : newest),
    undefined,
  );
  if (!latest) problems.push("no trusted checkpoint found: a truncated or re-hashed chain cannot be ruled out");
  // At most a few lines per kind: a rewrite makes every later checkpoint disagree.
  for (const problem of problems.slice(0, 20)) say(problem);
  if (problems.length > 20) say(`… and ${problems.length - 20} more`);
  if (ignored > 0) say(`${ignored} checkpoint(s) signed by keys not trusted here were ignored`);
  if (problems.length > 0) return 1;
  say(`audit trail intact: ${entries} entries, last hash ${lastHash}`);
  say(
    `agrees with ${checkpoints.length} signed checkpoint(s); the latest covers entry ${latest?.seq} (signed ${latest?.at}, key ${latest?.keyId})`,
  );
  return 0;
}
