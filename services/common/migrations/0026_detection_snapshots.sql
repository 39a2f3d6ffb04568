-- A detection's still image at its site's recorder (Detection.snapshot_uri), fetched only by the gateway for an
-- audited view. Nullable, no default: adding it rewrites nothing.
ALTER TABLE detections ADD COLUMN snapshot_uri text;
