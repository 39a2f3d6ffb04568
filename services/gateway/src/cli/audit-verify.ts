#!/usr/bin/env node
/**
 * Checks the audit trail's hash chain from the first entry to the last.
 *
 *   DATABASE_URL=postgres://… npm run audit:verify
 *
 * Exit 0 and the number of entries and the last hash (worth noting down: a later run must end with the same entry
 * or one after it), or exit 1 naming the first entry that does not follow from the one before it.
 */
import { createLogger, createPool, databaseConfigShape, loadConfig, verifyAuditChain } from "@hub/common";
import { z } from "zod";

/** Results go to standard output (progress and errors to standard error). */
const say = (line: string) => process.stdout.write(`${line}\n`);

const config = loadConfig(z.object(databaseConfigShape));
const pool = createPool(config.DATABASE_URL, 1, createLogger("audit-verify", "warn"), config);
try {
  const result = await verifyAuditChain(pool, (checked) => process.stderr.write(`\r  checked ${checked} entries…`));
  process.stderr.write("\n");
  if (result.ok) {
    say(`audit trail intact: ${result.entries} entries, last hash ${result.lastHash}`);
  } else {
    say(
      `audit trail BROKEN at entry ${result.brokenAt}: ${result.reason} (${result.entries} entries before it are intact)`,
    );
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await pool.end();
}
