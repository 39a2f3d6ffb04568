-- Correlation rules edited by staff (issue 15): every version of every rule, proposed by one person and approved
-- (or rejected) by another. The approved version of each rule is what every correlator runs; they poll this table
-- and switch without a restart. Version 1 of a rule comes from the correlator's rules file, written only when the
-- table has no version of that rule, so a restart never overwrites what staff changed.
CREATE TABLE correlation_rule_versions (
  rule_id text NOT NULL CHECK (rule_id ~ '^[a-z0-9-]{2,40}$'),
  version integer NOT NULL CHECK (version > 0),
  -- The whole rule, as the rules file writes one (checked by the same schema before it is stored).
  definition jsonb NOT NULL CHECK (definition->>'id' = rule_id),
  status text NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'superseded', 'rejected')),
  change_note text NOT NULL,
  proposed_by text NOT NULL,
  proposed_at timestamptz NOT NULL DEFAULT now(),
  -- Who approved or rejected it, and when. Never its proposer (the two-person rule, here as well as in the gateway);
  -- the rules file ('@rules-file') approves the versions it seeds.
  decided_by text,
  decided_at timestamptz,
  PRIMARY KEY (rule_id, version),
  CHECK ((status IN ('draft', 'pending')) = (decided_by IS NULL)),
  CHECK (decided_by IS NULL OR decided_by <> proposed_by OR proposed_by = '@rules-file')
);
-- At most one approved version per rule: approving supersedes the previous one in the same transaction.
CREATE UNIQUE INDEX correlation_rule_versions_approved_idx ON correlation_rule_versions (rule_id)
  WHERE status = 'approved';

-- The version of its rule that opened an incident (null: opened before rule versions existed). `rule_version` keeps
-- the rules file's version.
ALTER TABLE incidents ADD COLUMN rule_definition_version integer;

-- Replaced by the approved versions above: each correlator rewrote this table from its file at start.
DROP TABLE correlation_rules;
