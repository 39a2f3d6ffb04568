-- Decommissioning a camera (README "Camera health"): a supervisor or administrator retires it with a reason. Nothing
-- is deleted: its status history, detections and case-assist records stay. From decommissioned_at on it leaves the
-- map and the camera list's default results, the correlator's silent sweep and absence rule skip it, its late
-- events raise no camera-fault incident, ingest refuses its new events, and case assist covers with it only times
-- before decommissioned_at. Final for the id: registering it again updates its details but does not bring it back.
ALTER TABLE cameras ADD COLUMN decommissioned_at timestamptz;
ALTER TABLE cameras ADD COLUMN decommissioned_by text;
ALTER TABLE cameras ADD COLUMN decommissioned_reason text CHECK (length(decommissioned_reason) BETWEEN 1 AND 500);
ALTER TABLE cameras ADD CONSTRAINT cameras_decommissioned_check
  CHECK ((decommissioned_at IS NULL) = (decommissioned_by IS NULL)
     AND (decommissioned_at IS NULL) = (decommissioned_reason IS NULL));

-- The gateway only reads cameras; this is its one write on them (owner's rights, narrow purpose). updated_at moves so
-- ingest's registry refresh sees the change. Returns the time, or raises no_data_found (unknown camera) or
-- object_not_in_prerequisite_state (already decommissioned).
CREATE FUNCTION decommission_camera(p_camera text, p_by text, p_reason text)
RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_at timestamptz;
BEGIN
  SELECT decommissioned_at INTO v_at FROM cameras WHERE id = p_camera FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no camera %', p_camera USING ERRCODE = 'no_data_found';
  END IF;
  IF v_at IS NOT NULL THEN
    RAISE EXCEPTION 'camera % is already decommissioned', p_camera USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  UPDATE cameras SET decommissioned_at = now(), decommissioned_by = p_by, decommissioned_reason = p_reason,
         updated_at = now()
   WHERE id = p_camera
  RETURNING decommissioned_at INTO v_at;
  RETURN v_at;
END $$;
REVOKE ALL ON FUNCTION decommission_camera(text, text, text) FROM PUBLIC;

-- The silent sweep reads only cameras in service.
DROP INDEX cameras_heard_idx;
CREATE INDEX cameras_heard_idx ON cameras (coalesce(last_heard_at, created_at))
  WHERE silent_since IS NULL AND decommissioned_at IS NULL;
