-- Finished case exports live in the database with their job (issue 13: every service runs as several instances).
-- Until now the zip was written to GATEWAY_EXPORT_DIR on the gateway that built it, so behind a load balancer the
-- download could reach a gateway without the file, unless every instance mounted a shared (ReadWriteMany) volume.
-- Now the zip is streamed into ~1 MiB chunks here, read back chunk by chunk (no instance holds a whole export in
-- memory), and deleted with its job (ON DELETE CASCADE) when the sweep removes an expired one. Exports are bounded
-- (GATEWAY_EXPORT_MAX_ROWS) and short-lived (GATEWAY_EXPORT_KEEP_S), so the database's size barely changes.
CREATE TABLE export_chunks (
  job_id uuid NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (job_id, seq)
);
-- A zip is deflated already: store the chunks out of line without trying to compress them again.
ALTER TABLE export_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- The file name no longer names a file: a job's bytes are its chunks.
COMMENT ON COLUMN export_jobs.file_name IS 'the name of the export (its bytes are in export_chunks)';
