-- Plates seen by given cameras in a window (the case lookup's plate list, and its plate searches' count and plates):
-- the plate text is kept in the index, so those statements read the index alone (an index-only scan) instead of
-- fetching every plate row from the table (~8% of a busy window's detections, each on its own page). Compressed
-- chunks have their own segment index (by camera) and are not concerned.
CREATE INDEX detections_camera_plate_text_idx ON detections (camera_id, observed_at) INCLUDE (plate_text)
  WHERE plate_text IS NOT NULL;
DROP INDEX detections_camera_plate_idx;
