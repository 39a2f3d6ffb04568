-- Case evidence exports (gateway): the state of every export job, shared by all gateway instances. The zip itself is
-- streamed to GATEWAY_EXPORT_DIR under `file_name` (relative to that directory, so instances that mount a shared
-- volume at different paths agree); the row says who may fetch it, for which case and purpose, how far it got and
-- when it goes. Running jobs beat `heartbeat_at`; one whose gateway died stops beating and is failed by the sweep.
CREATE TABLE export_jobs (
  id uuid PRIMARY KEY,
  owner text NOT NULL,
  record_id uuid NOT NULL,
  case_reference text NOT NULL,
  purpose text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'ready', 'failed')),
  total_rows bigint NOT NULL DEFAULT 0,
  progress_rows bigint NOT NULL DEFAULT 0,
  file_name text NOT NULL,
  bytes bigint,
  sha256 text,
  error text,
  instance_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  expires_at timestamptz NOT NULL
);
-- The concurrency limits count running jobs, per owner and in all.
CREATE INDEX export_jobs_running_idx ON export_jobs (owner) WHERE state = 'running';
CREATE INDEX export_jobs_expires_idx ON export_jobs (expires_at);
