import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AuditCheckpoint,
  type AuditHead,
  auditEntryHash,
  auditKeyFingerprint,
  type Pool,
  readAuditHead,
  type StoredAuditEntry,
  signAuditCheckpoint,
  topics,
} from "@hub/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, TEST_PASSWORD, type TestStack } from "../support/gateway.js";
import { infra, migratedPool, readTopic, settles } from "../support/hub.js";

/**
 * Finding 7 of the security review (audit integrity), tried as the attackers would: a client forging
 * X-Forwarded-For to choose the source address written to the audit trail, and a database owner who drops the
 * append-only trigger to cut the tail off the chain, or to rewrite a row and re-hash every row after it (the best
 * forgery possible without the checkpoint key). Signed checkpoints of the chain's head, published by the gateway
 * to a file and to Kafka, make `audit:verify` catch both.
 */
let pool: Pool;

beforeAll(async () => {
  pool = await migratedPool();
});

afterAll(async () => {
  await pool?.end();
});

const FORGED = "203.0.113.9";

async function signIn(url: string, username: string, forwardedFor?: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  expect(response.status).toBe(200);
}

async function lastSignIn(username: string): Promise<{ id: string; source_ip: string | null }> {
  const result = await pool.query(
    "SELECT id::text AS id, source_ip FROM audit_log WHERE action = 'sign_in' AND actor = $1 ORDER BY audit_log.id DESC LIMIT 1",
    [username],
  );
  return result.rows[0];
}

describe("the source address in the audit trail", () => {
  it("is the peer's own address whatever X-Forwarded-For says, unless the peer is a configured proxy", async () => {
    const direct = await startTestStack();
    try {
      await signIn(direct.url, "supervisor", FORGED);
      const row = await lastSignIn("supervisor");
      expect(row.source_ip).not.toContain(FORGED);
      expect(row.source_ip).toMatch(/127\.0\.0\.1/);
    } finally {
      await direct.stop();
    }

    const behindProxy = await startTestStack({ GATEWAY_TRUSTED_PROXIES: "127.0.0.1" });
    try {
      // The client's own hop is forged; the trusted proxy (here: this test, on loopback) appended the real one.
      await signIn(behindProxy.url, "supervisor", `198.51.100.1, ${FORGED}`);
      expect((await lastSignIn("supervisor")).source_ip).toBe(FORGED);
    } finally {
      await behindProxy.stop();
    }
  });
});

describe("signed checkpoints of the audit chain", () => {
  const verifyCli = fileURLToPath(new URL("../../services/gateway/dist/src/cli/audit-verify.js", import.meta.url));
  let dir: string;
  let keyFile: string;
  let publicKeyFile: string;
  let checkpointFile: string;
  let fingerprint: string;
  const attackerKey = generateKeyPairSync("ed25519").privateKey;

  const verify = (env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      const { AUDIT_CHECKPOINT_FILE: _f, AUDIT_CHECKPOINT_KAFKA_BROKERS: _k, ...inherited } = process.env;
      execFile(
        process.execPath,
        [verifyCli],
        { env: { ...inherited, DATABASE_URL: infra().databaseUrl, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: stdout + stderr }),
      );
    });
  const withFile = (file = checkpointFile) => ({
    AUDIT_CHECKPOINT_FILE: file,
    AUDIT_CHECKPOINT_PUBLIC_KEY_FILE: publicKeyFile,
  });
  const withKafka = () => ({
    AUDIT_CHECKPOINT_KAFKA_BROKERS: infra().brokers.join(","),
    AUDIT_CHECKPOINT_FINGERPRINTS: fingerprint,
  });
  const checkpoints = async (file = checkpointFile): Promise<AuditCheckpoint[]> =>
    (await readFile(file, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditCheckpoint);
  const rowsFrom = async (id: string): Promise<StoredAuditEntry[]> =>
    (await pool.query<StoredAuditEntry>("SELECT * FROM audit_log WHERE id >= $1 ORDER BY id", [id])).rows;

  /** As the database owner would: the append-only trigger off while `work` runs, back on afterwards. */
  async function asDatabaseOwner(work: (db: Pool) => Promise<void>): Promise<void> {
    await pool.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete");
    try {
      await work(pool);
    } finally {
      await pool.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete");
    }
  }

  /** Puts rows back exactly as they were (after an attack), so the shared chain is whole for the other tests. */
  async function restore(original: StoredAuditEntry[]): Promise<void> {
    await asDatabaseOwner(async (db) => {
      await db.query("DELETE FROM audit_log WHERE id >= $1", [original[0]?.id]);
      for (const row of original) {
        const columns = Object.keys(row) as (keyof StoredAuditEntry)[];
        await db.query(
          `INSERT INTO audit_log (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          columns.map((column) =>
            (column === "criteria" || column === "detail") && row[column] !== null
              ? JSON.stringify(row[column])
              : row[column],
          ),
        );
      }
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hub-audit-"));
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    keyFile = join(dir, "checkpoint-key.pem");
    publicKeyFile = join(dir, "checkpoint-key.pub.pem");
    checkpointFile = join(dir, "checkpoints.jsonl");
    await writeFile(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    await writeFile(publicKeyFile, publicKey.export({ type: "spki", format: "pem" }));
    fingerprint = auditKeyFingerprint(publicKey);

    // Audit rows written through the real gateway while it publishes checkpoints, then its shutdown checkpoint.
    const stack: TestStack = await startTestStack({
      AUDIT_CHECKPOINT_KEY_FILE: keyFile,
      AUDIT_CHECKPOINT_FILE: checkpointFile,
      AUDIT_CHECKPOINT_INTERVAL_MS: "300",
    });
    try {
      for (const username of ["operator", "investigator", "supervisor"]) await signIn(stack.url, username);
      await settles(async () => {
        const head = await readAuditHead(pool);
        expect((await checkpoints()).at(-1)?.seq).toBe(head?.seq);
      });
      // Enough rows that the chain's ids pass from one digit to two even when this file runs alone: the head is the
      // highest id, not the highest id in text order ("9" > "24").
      for (const username of ["approver", "drafter", "operator", "investigator", "approver", "drafter", "operator"])
        await signIn(stack.url, username);
    } finally {
      await stack.stop();
    }
  });

  it("are published while the services write, and once more on shutdown, to the file and to Kafka", async () => {
    const head = await readAuditHead(pool);
    // The head is the newest entry, read here without the code under test.
    const newest = await pool.query<{ id: string }>("SELECT max(id)::text AS id FROM audit_log");
    expect(head?.seq).toBe(newest.rows[0]?.id);
    const inFile = await checkpoints();
    expect(inFile.length).toBeGreaterThanOrEqual(2);
    expect(inFile.at(-1)).toMatchObject({ chain: "audit_log", seq: head?.seq, hash: head?.hash, keyId: fingerprint });
    const inKafka = await readTopic({
      topic: topics.auditCheckpoints.name,
      decode: (bytes) => JSON.parse(Buffer.from(bytes).toString("utf8")) as AuditCheckpoint,
      keep: (checkpoint) => checkpoint.keyId === fingerprint,
      until: (records) => records.some((record) => record.value.seq === head?.seq),
    });
    expect(inKafka.find((record) => record.value.seq === head?.seq)).toMatchObject({
      key: fingerprint,
      value: { hash: head?.hash },
    });
  });

  it("let audit:verify pass on the untouched chain, from the file or from Kafka, by key file or fingerprint", async () => {
    const fromFile = await verify(withFile());
    expect(fromFile.code, fromFile.stdout).toBe(0);
    expect(fromFile.stdout).toContain("audit trail intact");
    expect(fromFile.stdout).toContain(`latest covers entry ${(await readAuditHead(pool))?.seq}`);
    const fromKafka = await verify(withKafka());
    expect(fromKafka.code, fromKafka.stdout).toBe(0);
    expect(fromKafka.stdout).toContain("signed checkpoint(s)");
  });

  it("catch a tail cut off by the database owner, which the hash chain alone cannot see", async () => {
    const head = (await readAuditHead(pool)) as { seq: string };
    const tail = await rowsFrom(String(BigInt(head.seq) - 2n));
    try {
      await asDatabaseOwner(async (db) => {
        await db.query("DELETE FROM audit_log WHERE id >= $1", [tail[0]?.id]);
      });
      // The chain that is left is consistent: without a checkpoint nothing looks wrong.
      const chainOnly = await verify();
      expect(chainOnly.code, chainOnly.stdout).toBe(0);
      for (const source of [withFile(), withKafka()]) {
        const result = await verify(source);
        expect(result.code, result.stdout).toBe(1);
        expect(result.stdout).toContain("audit trail TRUNCATED");
        expect(result.stdout).toContain(
          `covers entry ${head.seq}, but the chain ends at entry ${BigInt(head.seq) - 3n}`,
        );
      }
    } finally {
      await restore(tail);
    }
    expect((await verify(withFile())).code).toBe(0);
  });

  it("catch a row rewritten and every later row re-hashed to match (the best forgery without the key)", async () => {
    const head = (await readAuditHead(pool)) as { seq: string };
    const victimId = String(BigInt(head.seq) - 3n);
    const withForgery = join(dir, "with-forgery.jsonl");
    const original = await rowsFrom(victimId);
    try {
      await asDatabaseOwner(async (db) => {
        let prevHash = (await db.query("SELECT hash FROM audit_log WHERE id = $1", [BigInt(victimId) - 1n])).rows[0]
          ?.hash as string;
        for (const row of original) {
          const forged = { ...row, actor: row.id === victimId ? "someone-else" : row.actor, prev_hash: prevHash };
          forged.hash = auditEntryHash(prevHash, forged);
          await db.query("UPDATE audit_log SET actor = $2, prev_hash = $3, hash = $4 WHERE id = $1", [
            row.id,
            forged.actor,
            forged.prev_hash,
            forged.hash,
          ]);
          prevHash = forged.hash;
        }
      });
      // The forger also signs a checkpoint of the new head with the only key it has, and adds it to the file.
      const forgedHead = (await readAuditHead(pool)) as AuditHead;
      await writeFile(
        withForgery,
        `${await readFile(checkpointFile, "utf8")}${JSON.stringify(signAuditCheckpoint(forgedHead, attackerKey))}\n`,
      );
      const chainOnly = await verify();
      expect(chainOnly.code, chainOnly.stdout).toBe(0);
      for (const source of [withFile(withForgery), withKafka()]) {
        const result = await verify(source);
        expect(result.code, result.stdout).toBe(1);
        expect(result.stdout).toContain("audit trail REWRITTEN");
        expect(result.stdout).toContain(`entry ${head.seq} has hash`);
      }
      expect((await verify(withFile(withForgery))).stdout).toContain(
        "1 checkpoint(s) signed by keys not trusted here were ignored",
      );
    } finally {
      await restore(original);
    }
    expect((await verify(withFile())).code).toBe(0);
  });

  it("refuse a checkpoint whose signature is bad or whose key is not the trusted one", async () => {
    const genuine = (await checkpoints()).at(-1) as AuditCheckpoint;
    const signature = Buffer.from(genuine.signature, "base64");
    signature[5] = (signature[5] ?? 0) ^ 0xff;
    const tampered = join(dir, "tampered.jsonl");
    await writeFile(tampered, `${JSON.stringify({ ...genuine, signature: signature.toString("base64") })}\n`);
    const badSignature = await verify(withFile(tampered));
    expect(badSignature.code, badSignature.stdout).toBe(1);
    expect(badSignature.stdout).toContain("checkpoint REFUSED");
    expect(badSignature.stdout).toContain("bad signature");

    // An attacker's own signature presented under the trusted key's fingerprint.
    const impostor = join(dir, "impostor.jsonl");
    const forged = signAuditCheckpoint({ seq: "1", hash: genuine.hash, rows: "1" }, attackerKey);
    await writeFile(impostor, `${JSON.stringify({ ...forged, keyId: fingerprint })}\n`);
    const wrongKey = await verify(withFile(impostor));
    expect(wrongKey.code, wrongKey.stdout).toBe(1);
    expect(wrongKey.stdout).toContain("not the trusted key");

    // No trusted checkpoint at all proves nothing: not a pass.
    const empty = join(dir, "empty.jsonl");
    await writeFile(empty, "");
    const none = await verify(withFile(empty));
    expect(none.code, none.stdout).toBe(1);
    expect(none.stdout).toContain("no trusted checkpoint found");
  });

  it("are checked only against a key the verifier brings, never one found in the store or the database", async () => {
    const noKey = await verify({ AUDIT_CHECKPOINT_FILE: checkpointFile });
    expect(noKey.code, noKey.stdout).toBe(2);
    expect(noKey.stdout).toContain("needs a trusted checkpoint key");
    const otherKey = await verify({
      AUDIT_CHECKPOINT_FILE: checkpointFile,
      AUDIT_CHECKPOINT_FINGERPRINTS: auditKeyFingerprint(attackerKey),
    });
    expect(otherKey.code, otherKey.stdout).toBe(1);
    expect(otherKey.stdout).toContain("no trusted checkpoint found");
  });
});
