-- The incident workflow (issue 14): who works an incident and how far it got. Every step is a row of
-- incident_activity (append-only: the correlator may only insert), with who and when; the incident row keeps the
-- current assignment, CAD reference and, once merged, the incident it was merged into.
ALTER TABLE incidents ADD COLUMN assigned_operator text;
ALTER TABLE incidents ADD COLUMN assigned_unit text;
-- The case or job number in the computer-aided dispatch system (PSP, fire services), free text.
ALTER TABLE incidents ADD COLUMN cad_reference text;
ALTER TABLE incidents ADD COLUMN merged_into uuid REFERENCES incidents (id);

CREATE TABLE incident_activity (
  id bigserial PRIMARY KEY,
  incident_id uuid NOT NULL REFERENCES incidents (id),
  kind text NOT NULL CHECK (kind IN ('transition', 'assignment', 'note', 'sop_step', 'merge')),
  actor text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  -- transition: from and to, and the reason (required for false_alarm).
  from_status text,
  to_status text,
  reason text,
  -- assignment: the assignment as it stands after this step.
  assigned_operator text,
  assigned_unit text,
  cad_reference text,
  -- note: free text, may hold personal data (every write and read is audited by the gateway).
  note text,
  -- sop_step: a step of the kind's standard operating procedure, ticked (true) or unticked (false).
  step_id text,
  step_done boolean,
  -- merge: the other incident (merged into it, or merged from it).
  other_incident_id uuid REFERENCES incidents (id),
  CHECK (kind <> 'transition' OR (from_status IS NOT NULL AND to_status IS NOT NULL)),
  CHECK (kind <> 'transition' OR to_status <> 'false_alarm' OR length(trim(reason)) > 0),
  CHECK (kind <> 'note' OR length(trim(note)) > 0),
  CHECK (kind <> 'sop_step' OR (step_id IS NOT NULL AND step_done IS NOT NULL)),
  CHECK (kind <> 'merge' OR other_incident_id IS NOT NULL)
);
CREATE INDEX incident_activity_incident_idx ON incident_activity (incident_id, at, id);
