import { createHash } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "./database.js";

/**
 * The tamper-evident audit trail (table audit_log, migration 0006). Entries get consecutive ids and each carries
 * SHA-256(previous hash + its canonical content), so changing, deleting or inserting a row anywhere breaks the chain
 * from there on; `verifyAuditChain` finds the first broken entry. Appends are serialized by a transaction-scoped
 * advisory lock, so concurrent writers (several gateways) still form one chain.
 */
export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null | undefined;
  /** Whether personal data (plates, detections of people or vehicles) was shown. */
  personalData?: boolean;
  caseReference?: string | null | undefined;
  purpose?: string | null | undefined;
  criteria?: unknown;
  resultCount?: number | null | undefined;
  detail?: Record<string, unknown>;
  sourceIp?: string | null | undefined;
}

export const AUDIT_GENESIS_HASH = "0".repeat(64);
const AUDIT_LOCK = 853_2012;

/** JSON with object keys sorted at every level: the same value always gives the same text (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** An audit_log row as stored. */
export interface StoredAuditEntry {
  id: string;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  personal_data: boolean;
  case_reference: string | null;
  purpose: string | null;
  criteria: unknown;
  result_count: number | null;
  detail: unknown;
  source_ip: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash a row must carry, given the previous row's hash. */
export function auditEntryHash(prevHash: string, row: Omit<StoredAuditEntry, "prev_hash" | "hash">): string {
  const content = canonicalJson({
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    personalData: row.personal_data,
    caseReference: row.case_reference,
    purpose: row.purpose,
    criteria: row.criteria ?? null,
    resultCount: row.result_count,
    detail: row.detail ?? {},
    sourceIp: row.source_ip,
  });
  return createHash("sha256").update(`${prevHash}\n${content}`).digest("hex");
}

/** Appends one entry to the chain in its own transaction; returns its id and hash. */
export async function appendAudit(pool: pg.Pool, entry: AuditEntry): Promise<{ id: string; hash: string }> {
  return withTransaction(pool, (client) => appendAuditIn(client, entry));
}

/**
 * Appends one entry inside the caller's transaction, so the entry and the change it records commit (or roll back)
 * together. The chain's lock is then held until that transaction ends: keep such transactions short.
 */
export async function appendAuditIn(client: pg.PoolClient, entry: AuditEntry): Promise<{ id: string; hash: string }> {
  // Correct with several instances on a real server: every writer takes this lock before reading the head, and holds
  // it to COMMIT, so appends are one at a time; the head query below is a new statement, so (READ COMMITTED, the
  // only isolation the hub uses) its snapshot includes the entry the previous holder committed. Were a caller to
  // run this in a REPEATABLE READ transaction that had read earlier, two entries would claim the same id: the
  // primary key refuses the second rather than fork the chain.
  await client.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK]);
  // bigint comes back as a string (pg's default for int8): exact, compared as BigInt below.
  const last = await client.query<{ id: string; hash: string }>(
    "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
  );
  const prevHash = last.rows[0]?.hash ?? AUDIT_GENESIS_HASH;
  const row = {
    id: String(BigInt(last.rows[0]?.id ?? "0") + 1n),
    at: new Date(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    personal_data: entry.personalData ?? false,
    case_reference: entry.caseReference ?? null,
    purpose: entry.purpose ?? null,
    // Stored as jsonb, hashed in canonical form: what is read back hashes the same.
    criteria: entry.criteria === undefined ? null : JSON.parse(canonicalJson(entry.criteria)),
    result_count: entry.resultCount ?? null,
    detail: JSON.parse(canonicalJson(entry.detail ?? {})),
    source_ip: entry.sourceIp ?? null,
  };
  const hash = auditEntryHash(prevHash, row);
  await client.query(
    `INSERT INTO audit_log (id, at, actor, action, subject, personal_data, case_reference, purpose, criteria,
         result_count, detail, source_ip, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      row.id,
      row.at,
      row.actor,
      row.action,
      row.subject,
      row.personal_data,
      row.case_reference,
      row.purpose,
      row.criteria === null ? null : JSON.stringify(row.criteria),
      row.result_count,
      JSON.stringify(row.detail),
      row.source_ip,
      prevHash,
      hash,
    ],
  );
  return { id: row.id, hash };
}

export type AuditVerification =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; entries: number; brokenAt: string; reason: string };

/** Walks the whole chain in id order; the first entry that does not follow from the one before is named. */
export async function verifyAuditChain(
  pool: pg.Pool,
  onProgress?: (checked: number) => void,
): Promise<AuditVerification> {
  let prevHash = AUDIT_GENESIS_HASH;
  let expectedId = 1n;
  let checked = 0;
  for (;;) {
    const page = await pool.query<StoredAuditEntry>("SELECT * FROM audit_log WHERE id >= $1 ORDER BY id LIMIT 5000", [
      expectedId.toString(),
    ]);
    for (const row of page.rows) {
      const id = BigInt(row.id);
      if (id !== expectedId)
        return {
          ok: false,
          entries: checked,
          brokenAt: row.id,
          reason: `entry ${expectedId}${id - expectedId > 1n ? `..${id - 1n}` : ""} is missing (deleted?)`,
        };
      if (row.prev_hash !== prevHash)
        return { ok: false, entries: checked, brokenAt: row.id, reason: "does not point to the previous entry's hash" };
      if (auditEntryHash(prevHash, row) !== row.hash)
        return {
          ok: false,
          entries: checked,
          brokenAt: row.id,
          reason: "its content does not match its hash (altered?)",
        };
      prevHash = row.hash;
      expectedId += 1n;
      checked += 1;
    }
    onProgress?.(checked);
    if (page.rows.length < 5000) return { ok: true, entries: checked, lastHash: prevHash };
  }
}

/**
 * The chain's last entry, or null while it is empty. Ids are consecutive from 1 (appendAuditIn gives them,
 * verifyAuditChain insists on them), so the head's id is also the number of rows, without counting them.
 */
export async function readAuditHead(
  db: Pick<pg.Pool, "query">,
): Promise<{ seq: string; hash: string; rows: string } | null> {
  const result = await db.query<{ id: string; hash: string }>(
    // ORDER BY the column, not the text alias of the same name (text order puts "9" after "24").
    "SELECT id::text AS id, hash FROM audit_log ORDER BY audit_log.id DESC LIMIT 1",
  );
  const head = result.rows[0];
  return head ? { seq: head.id, hash: head.hash, rows: head.id } : null;
}

/** The hashes stored at these ids (ids with no row are absent from the map). */
export async function auditHashesAt(db: Pick<pg.Pool, "query">, ids: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 5000) {
    const result = await db.query<{ id: string; hash: string }>(
      "SELECT id::text AS id, hash FROM audit_log WHERE id = ANY($1::bigint[])",
      [ids.slice(start, start + 5000)],
    );
    for (const row of result.rows) found.set(row.id, row.hash);
  }
  return found;
}
