import type { Pool } from "@hub/common";

/**
 * Puts a plate on the watch list directly in the database, as an active entry approved by a second person (what the
 * API leaves after a proposal and its approval, migration 0031), expiring in a day. For tests about what a hit does;
 * the watch-list API itself is tested in watch-list.test.ts. Returns the entry's reference, or undefined when the
 * plate already had a live entry.
 */
export async function watchPlate(
  pool: Pool,
  plate: string,
  options: { caseReference?: string; reason?: string } = {},
): Promise<string | undefined> {
  const result = await pool.query<{ reference: string }>(
    `INSERT INTO plate_watch_list (plate_text, reason, case_reference, added_by, expires_at, status, decided_by,
       decided_at)
     VALUES ($1, $2, $3, 'inv-1', now() + interval '1 day', 'active', 'sup-1', now())
     ON CONFLICT DO NOTHING RETURNING reference`,
    [plate, options.reason ?? "stolen vehicle", options.caseReference ?? "PJ-TEST-0001"],
  );
  return result.rows[0]?.reference;
}
