-- Incident history (issue 14): closed incidents searched newest first by their first event, a page at a time
-- (keyset on first_event_at, id); the search always names the closed states literally, so this partial index serves.
CREATE INDEX incidents_history_idx ON incidents (first_event_at DESC, id DESC)
  WHERE status IN ('resolved', 'false_alarm');
-- False alarms per rule in the last 7 and 30 days (the Rules view).
CREATE INDEX incidents_false_alarms_idx ON incidents (rule_id, first_event_at) WHERE status = 'false_alarm';
