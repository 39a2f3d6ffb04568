-- The incident workflow (issue 14): open ("new" on the dashboard) → acknowledged → dispatched → on_scene → resolved,
-- or false_alarm. resolved and false_alarm are closed: new events open a new incident rather than reopen one.
ALTER TABLE incidents DROP CONSTRAINT incidents_status_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_status_check
  CHECK (status IN ('open', 'acknowledged', 'dispatched', 'on_scene', 'resolved', 'false_alarm'));

DROP INDEX incidents_open_idx;
CREATE INDEX incidents_open_idx ON incidents (status, last_event_at DESC) WHERE status NOT IN ('resolved', 'false_alarm');
