-- Camera health (README "Camera health"): silent cameras and availability.
--
-- last_heard_at: the newest status report or detection of the camera (the correlator's clock of the event, i.e. the
-- camera's observed_at). A detection moves it only when it is at least 15 seconds newer, so a busy camera costs one
-- row update per quarter minute, not one per detection batch.
-- silent_since: set by the correlator's sweep when last_heard_at (or created_at, for a camera never heard) is older
-- than CORRELATOR_CAMERA_SILENT_AFTER_S; cleared when the camera is heard again. The sweep is one conditional UPDATE
-- (WHERE silent_since IS NULL …): with several correlators, the row lock lets exactly one of them change a camera and
-- publish it, the other's UPDATE re-checks the condition and skips the row.
-- health_changed_at: when the hub last changed its verdict (silent, heard again), the version of that change against
-- the camera's status reports (the map keeps the newest).
ALTER TABLE cameras ADD COLUMN last_heard_at timestamptz;
ALTER TABLE cameras ADD COLUMN silent_since timestamptz;
ALTER TABLE cameras ADD COLUMN health_changed_at timestamptz;
UPDATE cameras SET last_heard_at = last_status_at;
CREATE INDEX cameras_heard_idx ON cameras (coalesce(last_heard_at, created_at)) WHERE silent_since IS NULL;

-- Availability per camera per 5 minutes: how many reports, how many of them online or degraded (video reaching the
-- hub), and the last reported state. The camera list computes availability over 24 hours and 7 days from it: the
-- share of the window's 5-minute intervals (since the camera's registration, if later) whose last report was online
-- or degraded; an interval without any report (silent) counts as unavailable.
CREATE MATERIALIZED VIEW camera_status_5m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '5 minutes', observed_at) AS bucket,
  camera_id,
  count(*) AS report_count,
  count(*) FILTER (WHERE state IN ('online', 'degraded')) AS available_count,
  last(state, observed_at) AS last_state
FROM camera_status
GROUP BY bucket, camera_id
WITH NO DATA;

-- Same reach as the other aggregates (0015_aggregate_history.sql): 7 days 6 hours, inside the shortest camera_status
-- retention the correlator accepts (8 days).
SELECT add_continuous_aggregate_policy('camera_status_5m',
  start_offset => INTERVAL '7 days 06:00:00',
  end_offset => INTERVAL '5 minutes',
  schedule_interval => INTERVAL '5 minutes');
