-- Wanted plates out of incidents (issue 12, finding 1). Incidents reach every role (REST, snapshot, Socket.IO) and
-- hub.incidents.v1; until now a watch-list incident carried the plate in its title and correlation key. From now on
-- it names the watch-list entry by a random reference instead ("Watch-list vehicle seen by camera X (WL-…)"): not
-- derived from the plate, so it cannot be reversed by trying plates. The plate stays in the incident's evidence,
-- shown only to an investigator through a case lookup (case reference and purpose, audited).

-- 48 random bits per entry (the first 12 hex digits of a version-4 UUID are random). Existing rows get their own.
ALTER TABLE plate_watch_list
  ADD COLUMN reference text NOT NULL DEFAULT ('WL-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)));
ALTER TABLE plate_watch_list ADD CONSTRAINT plate_watch_list_reference_key UNIQUE (reference);

-- (Idempotent from here on: rows already keyed by a reference are left alone, so the statements can be run again, e.g.
-- after restoring an older backup.)
-- Incidents already stored with a plate: those of a rule that follows watch-listed plates (the shipped
-- "watch-list", or any rule whose key starts with a plate read in its evidence). The new key keeps the reference
-- as its prefix (an open incident still gathers the plate's next sightings) and ends in the incident's id, so it can
-- never equal a key the correlator derives later.
CREATE TEMPORARY TABLE redacted_incidents ON COMMIT DROP AS
SELECT i.id,
       split_part(i.correlation_key, '@', 1) AS plate_text,
       coalesce(
         (SELECT w.reference FROM plate_watch_list w WHERE w.plate_text = split_part(i.correlation_key, '@', 1)),
         'WL-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))
       ) AS reference,
       (SELECT e.source_id FROM incident_evidence e WHERE e.incident_id = i.id ORDER BY e.observed_at, e.event_id
         LIMIT 1) AS camera_id
  FROM incidents i
 WHERE i.correlation_key NOT LIKE '%@redacted:%'
   AND NOT EXISTS (SELECT 1 FROM plate_watch_list w WHERE w.reference = split_part(i.correlation_key, '@', 1))
   AND (i.rule_id = 'watch-list' OR i.kind = 'watch_list'
        OR EXISTS (SELECT 1 FROM incident_evidence e
                    WHERE e.incident_id = i.id AND e.event_kind = 'detection'
                      AND e.event #>> '{plate,text}' = split_part(i.correlation_key, '@', 1)));

UPDATE incidents i
   SET title = CASE WHEN i.rule_id = 'watch-list' THEN 'Watch-list vehicle seen'
                    ELSE replace(i.title, ': ' || r.plate_text, '') END
               || ' by camera ' || coalesce(r.camera_id, 'unknown') || ' (' || r.reference || ')',
       correlation_key = r.reference || '@redacted:' || i.id::text,
       version = i.version + 1,
       updated_at = now()
  FROM redacted_incidents r
 WHERE r.id = i.id;

-- Case-assist records keep a copy of the incidents they found: the same titles, redacted.
UPDATE case_assist_records c
   SET result = jsonb_set(c.result, '{incidents}', (
         SELECT coalesce(jsonb_agg(
                  CASE WHEN i.id IS NULL THEN a.elem ELSE jsonb_set(a.elem, '{title}', to_jsonb(i.title)) END
                  ORDER BY a.ord), '[]'::jsonb)
           FROM jsonb_array_elements(c.result -> 'incidents') WITH ORDINALITY AS a(elem, ord)
           LEFT JOIN incidents i ON i.id::text = a.elem ->> 'id' AND i.id IN (SELECT id FROM redacted_incidents)))
 WHERE jsonb_typeof(c.result -> 'incidents') = 'array'
   AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.result -> 'incidents') AS x(elem)
                WHERE (x.elem ->> 'id') IN (SELECT id::text FROM redacted_incidents));
