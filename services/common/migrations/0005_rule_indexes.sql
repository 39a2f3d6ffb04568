-- Correlation rules look for rare detections (rule events, fire, smoke, crowd, water) around a place and time. The
-- (h3_cell, observed_at) index alone makes such a look-up scan every detection of the neighbourhood in the window
-- (at 5,000/s, tens of thousands of rows); these partial indexes hold only the rare rows, so they stay small and
-- cost little on insert.
CREATE INDEX detections_rule_event_idx ON detections (h3_cell, observed_at) WHERE rule_type IS NOT NULL;
CREATE INDEX detections_alarm_idx ON detections (h3_cell, observed_at)
  WHERE object_class IN ('fire', 'smoke', 'crowd', 'water');
