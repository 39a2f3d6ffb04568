-- Incident history (issue 14): closed incidents searched newest first by their first event, a page at a time
-- (keyset on first_event_at, id); the search always names the closed states literally, so this partial index serves.
CREATE INDEX incidents_history_idx ON incidents (first_event_at DESC, id DESC)
  WHERE status IN ('resolved', 'false_alarm');
-- False alarms per rule in the last 7 and 30 days (the Rules view).
CREATE INDEX incidents_false_alarms_idx ON incidents (rule_id, first_event_at) WHERE status = 'false_alarm';

-- The correlation rules the correlator runs, as it loaded them (rewritten at its start), so the gateway can list
-- them read-only beside their false alarms without reading the correlator's file. `definition` is the rule as the
-- rules file gives it (titles in every language included).
CREATE TABLE correlation_rules (
  id text PRIMARY KEY,
  rules_version integer NOT NULL,
  definition jsonb NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
