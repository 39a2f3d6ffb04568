-- Police case lookups (gateway): the criteria of each search, with the case-assist record the correlator computed
-- and stored for its area and window (same id). With both, a lookup can be reopened and reproduced.
CREATE TABLE case_lookups (
  id uuid PRIMARY KEY REFERENCES case_assist_records (id),
  case_reference text NOT NULL,
  criteria jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_lookups_case_idx ON case_lookups (case_reference, created_at DESC);
