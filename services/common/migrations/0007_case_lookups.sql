-- Police case lookups (gateway): the criteria of each search, with the case-assist record the correlator computed
-- and stored for its area and window (same id). With both, a lookup can be reopened and reproduced. The total and
-- the plates are those found at search time; later pages are read with the stored criteria.
CREATE TABLE case_lookups (
  id uuid PRIMARY KEY REFERENCES case_assist_records (id),
  case_reference text NOT NULL,
  criteria jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  total integer,
  plates jsonb
);
CREATE INDEX case_lookups_case_idx ON case_lookups (case_reference, created_at DESC);

-- Plates seen by given cameras in a window (the case lookup's plate list and plate searches): only rows with a
-- plate, ~8% of detections.
CREATE INDEX detections_camera_plate_idx ON detections (camera_id, observed_at) WHERE plate_text IS NOT NULL;
