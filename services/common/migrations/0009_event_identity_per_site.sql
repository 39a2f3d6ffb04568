-- An event is identified by the site that sent it and its event id, not by the event id alone (issue 12, finding
-- 12a): event ids are chosen by devices, so with a global key one site could suppress another site's events by
-- sending their ids first. Each hypertable's unique index becomes (site_id, event_id, observed_at); observed_at
-- stays in it because a hypertable's unique indexes must include its time column. The new index is built before
-- the old one is dropped, so a redelivered event is a no-op at every moment of the migration.
CREATE UNIQUE INDEX detections_site_event_uq ON detections (site_id, event_id, observed_at);
DROP INDEX detections_event_uq;

CREATE UNIQUE INDEX sensor_readings_site_event_uq ON sensor_readings (site_id, event_id, observed_at);
DROP INDEX sensor_readings_event_uq;

CREATE UNIQUE INDEX camera_status_site_event_uq ON camera_status (site_id, event_id, observed_at);
DROP INDEX camera_status_event_uq;

-- Evidence and late events are keyed the same way. A camera or sensor belongs to exactly one site (the registry
-- refuses to move it), so the source identifies the site for evidence; late events get the site itself.
ALTER TABLE incident_evidence DROP CONSTRAINT incident_evidence_pkey;
ALTER TABLE incident_evidence ADD PRIMARY KEY (incident_id, source_id, event_id);

ALTER TABLE late_events ADD COLUMN site_id text NOT NULL DEFAULT '';
ALTER TABLE late_events DROP CONSTRAINT late_events_pkey;
ALTER TABLE late_events ADD PRIMARY KEY (site_id, event_id, rule_id);
