-- Dashboard aggregates, compression and retention of the event hypertables.
--
-- Migrations run inside a transaction, so every continuous aggregate is created WITH NO DATA (materialising at
-- creation is not allowed in a transaction block); its refresh policy fills it. Verified on TimescaleDB 2.23 (the
-- embedded build and the official one need >= 2.9 for aggregates on aggregates, >= 2.11 for ON CONFLICT into
-- compressed chunks).
--
-- Refresh windows reach back 7 days because the ingest service accepts events up to 7 days old
-- (INGEST_MAX_EVENT_AGE_MS): a late event invalidates its bucket, and the next refresh re-materialises exactly the
-- invalidated buckets inside the window, so the cost follows the late data, not the window's length. The window
-- must stay inside every retention period: a refresh over a range whose raw chunks were dropped would recompute
-- its buckets from nothing. Every end_offset leaves out the bucket still being written, so no run materialises a
-- half-filled bucket only to redo it a moment later; with materialized_only = false the dashboards still see the
-- newest buckets, computed on the fly from the raw rows above the watermark.

-- Detections per camera and class per minute: the live counters and sparklines.
CREATE MATERIALIZED VIEW detections_per_minute
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '1 minute', observed_at) AS bucket,
  camera_id,
  object_class,
  count(*) AS detection_count
FROM detections
GROUP BY bucket, camera_id, object_class
WITH NO DATA;

-- Runs every minute; end_offset 1 minute keeps the current minute out (it is still filling).
SELECT add_continuous_aggregate_policy('detections_per_minute',
  start_offset => INTERVAL '7 days',
  end_offset => INTERVAL '1 minute',
  schedule_interval => INTERVAL '1 minute');

-- Detections per camera and class per hour: trends over days and weeks. Built on the per-minute aggregate
-- (hierarchical continuous aggregate, supported by this build), so an hourly refresh sums at most 60 minute rows
-- per camera and class instead of rescanning up to 18 M raw rows an hour.
CREATE MATERIALIZED VIEW detections_per_hour
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '1 hour', bucket) AS bucket,
  camera_id,
  object_class,
  sum(detection_count)::bigint AS detection_count
FROM detections_per_minute
GROUP BY 1, camera_id, object_class
WITH NO DATA;

-- end_offset 1 hour keeps the current hour out. A bucket closes once an hour; running every 30 minutes keeps the
-- materialised part at most ~1.5 hours behind (the rest comes from the per-minute aggregate in real time) and picks
-- up late-event invalidations the per-minute refresh passed on. It reads the per-minute aggregate's materialised
-- rows, so it runs after that one has caught up (runJobsNow runs them in creation order).
SELECT add_continuous_aggregate_policy('detections_per_hour',
  start_offset => INTERVAL '7 days',
  end_offset => INTERVAL '1 hour',
  schedule_interval => INTERVAL '30 minutes');

-- Sensor statistics per 5 minutes: charts of water level, rainfall, wind. Grouped by kind and unit too so a chart
-- needs no join and a datastream whose unit changed never averages two units together. last() gives the reading
-- at the end of each bucket (what a gauge shows), not just its extremes.
CREATE MATERIALIZED VIEW sensor_stats_5m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '5 minutes', observed_at) AS bucket,
  sensor_id,
  datastream_id,
  kind,
  unit,
  avg(value) AS avg_value,
  min(value) AS min_value,
  max(value) AS max_value,
  count(*) AS reading_count,
  last(value, observed_at) AS last_value
FROM sensor_readings
GROUP BY bucket, sensor_id, datastream_id, kind, unit
WITH NO DATA;

-- end_offset 5 minutes keeps the bucket being written out; one run per bucket.
SELECT add_continuous_aggregate_policy('sensor_stats_5m',
  start_offset => INTERVAL '7 days',
  end_offset => INTERVAL '5 minutes',
  schedule_interval => INTERVAL '5 minutes');

-- Compression. Segmenting by the device keeps each device's rows together (the dashboards' and investigators'
-- queries filter by camera or sensor), ordering by time newest first matches how they read them.
--
-- The unique index (event_id, observed_at) stays enforced on compressed chunks: an INSERT into one checks the
-- compressed batches whose observed_at range (orderby min/max metadata) covers the new row, and ON CONFLICT DO
-- NOTHING still turns a redelivered event into a no-op (tested in test/integration/retention.test.ts). TimescaleDB
-- warns "column event_id should be used for segmenting or ordering": segmenting by event_id would make one-row
-- batches (no compression at all) and ordering by it first would break time-ordered reads, so the warning is
-- accepted; the cost is limited to events arriving after their chunk was compressed, which are rare.
--
-- detections: compressed after 1 day (CORRELATOR_COMPRESS_DETECTIONS_AFTER_HOURS, applied at correlator start-up).
-- By then a 1-hour chunk gets no more live writes, only rare late ones, and it is the bulk of the disk.
ALTER TABLE detections SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'camera_id',
  timescaledb.compress_orderby = 'observed_at DESC'
);
SELECT add_compression_policy('detections', compress_after => INTERVAL '1 day');

-- sensor_readings and camera_status: 1-day chunks, low rates; compressed after 7 days, once the ingest service no
-- longer accepts events for them (INGEST_MAX_EVENT_AGE_MS), so a compressed chunk is never written again.
ALTER TABLE sensor_readings SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'sensor_id',
  timescaledb.compress_orderby = 'observed_at DESC'
);
SELECT add_compression_policy('sensor_readings', compress_after => INTERVAL '7 days');

ALTER TABLE camera_status SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'camera_id',
  timescaledb.compress_orderby = 'observed_at DESC'
);
SELECT add_compression_policy('camera_status', compress_after => INTERVAL '7 days');

-- Retention of the raw events: whole chunks are dropped once all their rows are older than the period (cheap, no
-- row deletes, no bloat). Defaults below; the correlator replaces them with its configured values at start-up
-- (CORRELATOR_RETENTION_*_DAYS). What a case relies on is never lost with them: incidents copy their evidence into
-- incident_evidence (0003_incidents.sql), and the continuous aggregates keep their buckets after the raw rows go.
-- detections: 30 days (personal data from public-space cameras: kept no longer than investigations need).
SELECT add_retention_policy('detections', drop_after => INTERVAL '30 days');
-- camera_status: 90 days (availability reports over a quarter).
SELECT add_retention_policy('camera_status', drop_after => INTERVAL '90 days');
-- sensor_readings: 365 days (a full seasonal cycle: typhoon and rain seasons compared year on year).
SELECT add_retention_policy('sensor_readings', drop_after => INTERVAL '365 days');
