-- Events from Kafka, stored by the correlator: TimescaleDB hypertables partitioned by event time.
--
-- Chunk intervals follow the expected rates: detections arrive at 200-5,000/s (0.7-18 M rows an hour), so one
-- chunk per hour keeps a chunk and its indexes well inside memory; sensor readings (~10/s) and camera status
-- (~30/s) are small, one chunk per day.
--
-- Every row keeps the producer's event_id; (event_id, observed_at) is unique, so a redelivered message is a no-op
-- (INSERT ... ON CONFLICT DO NOTHING). observed_at is part of the key because a hypertable's unique indexes must
-- include its time column.

CREATE TABLE detections (
  observed_at timestamptz NOT NULL,
  event_id text NOT NULL,
  camera_id text NOT NULL,
  site_id text NOT NULL,
  object_class text NOT NULL,
  confidence real NOT NULL,
  box_left real,
  box_top real,
  box_right real,
  box_bottom real,
  track_id text,
  attributes jsonb,
  plate_text text,
  plate_region text,
  plate_confidence real,
  rule_type text,
  rule_name text,
  rule_count integer,
  rule_dwell_seconds integer,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  h3_cell text NOT NULL,
  ingested_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('detections', by_range('observed_at', INTERVAL '1 hour'));
CREATE UNIQUE INDEX detections_event_uq ON detections (event_id, observed_at);
CREATE INDEX detections_camera_idx ON detections (camera_id, observed_at DESC);
CREATE INDEX detections_cell_idx ON detections (h3_cell, observed_at DESC);
CREATE INDEX detections_plate_idx ON detections (plate_text, observed_at DESC) WHERE plate_text IS NOT NULL;

CREATE TABLE sensor_readings (
  observed_at timestamptz NOT NULL,
  event_id text NOT NULL,
  sensor_id text NOT NULL,
  datastream_id text NOT NULL,
  kind text NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  site_id text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  h3_cell text NOT NULL,
  ingested_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('sensor_readings', by_range('observed_at', INTERVAL '1 day'));
CREATE UNIQUE INDEX sensor_readings_event_uq ON sensor_readings (event_id, observed_at);
CREATE INDEX sensor_readings_sensor_idx ON sensor_readings (sensor_id, datastream_id, observed_at DESC);
CREATE INDEX sensor_readings_cell_idx ON sensor_readings (h3_cell, observed_at DESC);

CREATE TABLE camera_status (
  observed_at timestamptz NOT NULL,
  event_id text NOT NULL,
  camera_id text NOT NULL,
  state text NOT NULL,
  degradation_reason text,
  detail text,
  signal_loss boolean NOT NULL,
  scene_change boolean NOT NULL,
  site_id text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  h3_cell text NOT NULL,
  ingested_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('camera_status', by_range('observed_at', INTERVAL '1 day'));
CREATE UNIQUE INDEX camera_status_event_uq ON camera_status (event_id, observed_at);
CREATE INDEX camera_status_camera_idx ON camera_status (camera_id, observed_at DESC);

-- Exactly-once in effect: the consumer writes its rows and the next offset of each partition in one transaction,
-- and on start and on every rebalance resumes from here, not from Kafka's committed offsets.
CREATE TABLE consumer_offsets (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Transactional outbox: rows written in the same transaction as the change they announce, relayed to Kafka
-- afterwards, so a consumer of the announced topic never sees a change the database does not have.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  key text NOT NULL,
  value bytea NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;
