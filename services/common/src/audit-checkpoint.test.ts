import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  auditKeyFingerprint,
  checkAuditCheckpoint,
  compareWithCheckpoint,
  signAuditCheckpoint,
} from "./audit-checkpoint.js";

const head = { seq: "42", hash: "a".repeat(64), rows: "42" };
const { privateKey } = generateKeyPairSync("ed25519");
const trusted = new Set([auditKeyFingerprint(privateKey)]);

describe("audit checkpoints", () => {
  it("accepts a checkpoint signed by a trusted key", () => {
    const checkpoint = signAuditCheckpoint(head, privateKey, new Date("2026-01-01T00:00:00Z"));
    expect(checkpoint).toMatchObject({ chain: "audit_log", seq: "42", rows: "42", at: "2026-01-01T00:00:00.000Z" });
    expect(checkAuditCheckpoint(JSON.parse(JSON.stringify(checkpoint)), trusted)).toEqual({ ok: true, checkpoint });
  });

  it("refuses a changed field, a bad signature, an unknown key and a key swapped under a trusted id", () => {
    const checkpoint = signAuditCheckpoint(head, privateKey);
    expect(checkAuditCheckpoint({ ...checkpoint, seq: "41" }, trusted)).toEqual({ ok: false, reason: "bad signature" });
    const signature = Buffer.from(checkpoint.signature, "base64");
    signature[0] = (signature[0] ?? 0) ^ 1;
    expect(checkAuditCheckpoint({ ...checkpoint, signature: signature.toString("base64") }, trusted)).toEqual({
      ok: false,
      reason: "bad signature",
    });
    const other = signAuditCheckpoint(head, generateKeyPairSync("ed25519").privateKey);
    expect(checkAuditCheckpoint(other, trusted)).toMatchObject({ ok: false, untrusted: true });
    const impostor = checkAuditCheckpoint({ ...other, keyId: checkpoint.keyId }, trusted);
    expect(impostor).toMatchObject({ ok: false, reason: /not the trusted key/ });
    expect(impostor).not.toHaveProperty("untrusted");
    expect(checkAuditCheckpoint({ seq: "1" }, trusted)).toMatchObject({ ok: false, reason: /well-formed/ });
    expect(checkAuditCheckpoint(null, trusted)).toMatchObject({ ok: false });
  });

  it("tells truncation from rewriting", () => {
    const checkpoint = signAuditCheckpoint(head, privateKey);
    expect(compareWithCheckpoint(checkpoint, { headSeq: "50", hashAt: head.hash })).toEqual({ ok: true });
    expect(compareWithCheckpoint(checkpoint, { headSeq: "40", hashAt: undefined })).toMatchObject({
      ok: false,
      kind: "truncated",
    });
    expect(compareWithCheckpoint(checkpoint, { headSeq: null, hashAt: undefined })).toMatchObject({
      kind: "truncated",
    });
    expect(compareWithCheckpoint(checkpoint, { headSeq: "50", hashAt: undefined })).toMatchObject({
      kind: "truncated",
      reason: /entry 42.*is missing/,
    });
    expect(compareWithCheckpoint(checkpoint, { headSeq: "50", hashAt: "b".repeat(64) })).toMatchObject({
      kind: "rewritten",
    });
  });
});
