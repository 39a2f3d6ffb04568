-- Maintenance windows (README "Camera health"): for one camera or a whole district, from starts_at until ends_at or
-- until a supervisor ends it early (ended_at). While one is in force the correlator opens no camera_fault incident
-- for the cameras it covers (faults observed inside the window), and the map and the camera list show them
-- "in maintenance". Kept after they end: they explain gaps in availability.
CREATE TABLE camera_maintenance (
  id uuid PRIMARY KEY,
  camera_id text REFERENCES cameras (id),
  district text,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_by text,
  ended_at timestamptz,
  CHECK ((camera_id IS NULL) <> (district IS NULL)),
  CHECK (ends_at > starts_at)
);
CREATE INDEX camera_maintenance_camera_idx ON camera_maintenance (camera_id, ends_at) WHERE camera_id IS NOT NULL;
CREATE INDEX camera_maintenance_district_idx ON camera_maintenance (district, ends_at) WHERE district IS NOT NULL;

-- When a window covering the camera is in force at `at`. One definition for the correlator and the gateway.
CREATE FUNCTION camera_in_maintenance(p_camera text, p_district text, p_at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM camera_maintenance m
     WHERE (m.camera_id = p_camera OR m.district = p_district)
       AND p_at >= m.starts_at AND p_at < m.ends_at AND (m.ended_at IS NULL OR p_at < m.ended_at))
$$;
