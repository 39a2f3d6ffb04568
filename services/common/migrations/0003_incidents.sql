-- Incidents, their evidence, and case-assist records: plain tables outside any retention policy (legal hold).
-- Evidence is copied here from the hypertables, so dropping old raw chunks can never delete what a case relies on.

CREATE TABLE incidents (
  id uuid PRIMARY KEY,
  -- The rule that opened it, and the rule's canonical key for "the same situation" (e.g. its H3 cell and time
  -- bucket): every correlator instance derives the same key, so concurrent or repeated evaluation updates one row.
  rule_id text NOT NULL,
  rule_version integer NOT NULL,
  correlation_key text NOT NULL,
  kind text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('minor', 'moderate', 'severe', 'extreme')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  title text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  h3_cell text NOT NULL,
  first_event_at timestamptz NOT NULL,
  last_event_at timestamptz NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_by text,
  acknowledged_at timestamptz,
  resolved_by text,
  resolved_at timestamptz,
  -- Incremented on every change; published with each change so consumers can drop stale updates.
  version integer NOT NULL DEFAULT 1,
  UNIQUE (rule_id, correlation_key)
);
CREATE INDEX incidents_open_idx ON incidents (status, last_event_at DESC) WHERE status <> 'resolved';
CREATE INDEX incidents_cell_idx ON incidents (h3_cell, last_event_at DESC);

CREATE TABLE incident_evidence (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  event_id text NOT NULL,
  event_kind text NOT NULL CHECK (event_kind IN ('detection', 'sensor_reading', 'camera_status')),
  observed_at timestamptz NOT NULL,
  source_id text NOT NULL,
  -- The whole event row as stored, kept for as long as the incident is.
  event jsonb NOT NULL,
  -- Arrived after the rule's lateness bound but merged because the incident was still open.
  late boolean NOT NULL DEFAULT false,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, event_id)
);

-- Events that arrived later than a rule's lateness bound and matched no open incident: recorded, never dropped.
CREATE TABLE late_events (
  event_id text NOT NULL,
  event_kind text NOT NULL,
  observed_at timestamptz NOT NULL,
  rule_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL,
  PRIMARY KEY (event_id, rule_id)
);

-- Plates investigators are looking for. A sighting anywhere opens a case-assist hit.
CREATE TABLE plate_watch_list (
  plate_text text PRIMARY KEY,
  reason text NOT NULL,
  case_reference text,
  added_by text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now()
);

-- For an incident or a police case: which cameras covered the area and time, what they saw. The inputs are kept
-- with the result so that the record can be reproduced.
CREATE TABLE case_assist_records (
  id uuid PRIMARY KEY,
  incident_id uuid REFERENCES incidents (id),
  case_reference text,
  requested_by text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL CHECK (window_end > window_start),
  area jsonb NOT NULL,
  inputs jsonb NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_assist_incident_idx ON case_assist_records (incident_id);
CREATE INDEX case_assist_case_idx ON case_assist_records (case_reference);

-- The registry's view of each camera's last report, maintained by the correlator (absence rule, map).
ALTER TABLE cameras ADD COLUMN last_status_at timestamptz;
ALTER TABLE cameras ADD COLUMN last_state_change_at timestamptz;
