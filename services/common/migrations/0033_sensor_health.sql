-- Sensor health (README "Sensors"): silent sensors, as 0022_camera_health.sql does for cameras.
--
-- last_heard_at: the newest reading of the sensor (its observed_at). A reading moves it only when at least 15 seconds
-- newer, so a sensor with several datastreams costs one row update per quarter minute, not one per batch.
-- silent_since: set by the correlator's sweep when last_heard_at (or created_at, for a sensor never heard) is older
-- than CORRELATOR_SENSOR_SILENT_AFTER_S; cleared when a reading is heard again. Both are conditional UPDATEs, so with
-- several correlators exactly one changes a given sensor.
-- health_changed_at: when the hub last changed its verdict (silent, heard again).
ALTER TABLE sensors ADD COLUMN last_heard_at timestamptz;
ALTER TABLE sensors ADD COLUMN silent_since timestamptz;
ALTER TABLE sensors ADD COLUMN health_changed_at timestamptz;
UPDATE sensors s SET last_heard_at = (SELECT max(observed_at) FROM sensor_readings r WHERE r.sensor_id = s.id);
CREATE INDEX sensors_heard_idx ON sensors (coalesce(last_heard_at, created_at)) WHERE silent_since IS NULL;
