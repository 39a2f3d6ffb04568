-- Registry of devices, cameras and sensors. Plain tables: small, updated in place.
CREATE EXTENSION IF NOT EXISTS timescaledb;

-- A site is an edge connector (a police station's NVR, a district's sensor gateway) that publishes for the
-- cameras and sensors it owns. Credentials are stored only as SHA-256 hashes of random 256-bit tokens.
CREATE TABLE sites (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE device_credentials (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id),
  token_sha256 text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE cameras (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id),
  name text NOT NULL,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  h3_cell text NOT NULL,
  district text NOT NULL,
  phase smallint NOT NULL CHECK (phase BETWEEN 1 AND 5),
  bearing_deg double precision NOT NULL CHECK (bearing_deg >= 0 AND bearing_deg < 360),
  fov_angle_deg double precision NOT NULL CHECK (fov_angle_deg > 0 AND fov_angle_deg <= 360),
  range_m double precision NOT NULL CHECK (range_m > 0),
  state text NOT NULL DEFAULT 'unspecified',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_site_idx ON cameras (site_id);
CREATE INDEX cameras_h3_idx ON cameras (h3_cell);

CREATE TABLE sensors (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id),
  name text NOT NULL,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  h3_cell text NOT NULL,
  district text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sensors_site_idx ON sensors (site_id);

-- OGC SensorThings datastreams: one measured quantity of a sensor.
CREATE TABLE sensor_datastreams (
  sensor_id text NOT NULL REFERENCES sensors (id) ON DELETE CASCADE,
  id text NOT NULL,
  kind text NOT NULL,
  unit text NOT NULL,
  PRIMARY KEY (sensor_id, id)
);
