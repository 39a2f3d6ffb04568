import type { PoolClient } from "@hub/common";
import type { RuleSet } from "../services/rules.js";

/**
 * The rules this correlator runs, written to correlation_rules at its start (in one transaction), for the gateway's
 * read-only Rules view. Rules no longer in the file are removed: the table lists what runs now.
 */
export class RulesCatalogRepository {
  async replace(client: PoolClient, rules: RuleSet): Promise<void> {
    await client.query(
      `INSERT INTO correlation_rules (id, rules_version, definition, loaded_at)
       SELECT id, $1, definition, now() FROM unnest($2::text[], $3::jsonb[]) AS r(id, definition)
       ON CONFLICT (id) DO UPDATE SET rules_version = EXCLUDED.rules_version, definition = EXCLUDED.definition,
         loaded_at = EXCLUDED.loaded_at`,
      [rules.version, rules.rules.map((rule) => rule.id), rules.rules.map((rule) => JSON.stringify(rule))],
    );
    await client.query("DELETE FROM correlation_rules WHERE NOT (id = ANY($1::text[]))", [
      rules.rules.map((rule) => rule.id),
    ]);
  }
}
