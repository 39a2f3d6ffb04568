-- Plate watch lists run by staff (README "Watch lists"). Until now plate_watch_list was edited with SQL; from here an
-- entry is proposed by an investigator through the API, becomes active only when a DIFFERENT person (a supervisor)
-- approves it, and stops matching at its expiry (required, at most a year ahead). Extending an expiry is a pending
-- extension that a second person approves too. Entries are never deleted: a removed or rejected entry stays, with who
-- and when. The random `reference` (migration 0014) still names the entry in incidents instead of the plate.

-- Each entry gets an id; the plate is no longer the key (a plate may be listed again after its entry ended).
ALTER TABLE plate_watch_list ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE plate_watch_list DROP CONSTRAINT plate_watch_list_pkey;
ALTER TABLE plate_watch_list ADD PRIMARY KEY (id);

-- What the entry matches: one plate ("exact") or a pattern whose `*` stands for any run of characters and `?` for
-- exactly one, over plate characters only (A-Z, 0-9, "-" and space), so it compiles to a LIKE pattern with nothing to
-- escape. At least 3 literal characters: "*" or "M*" would watch a whole city's traffic.
ALTER TABLE plate_watch_list ADD COLUMN match_kind text NOT NULL DEFAULT 'exact'
  CHECK (match_kind IN ('exact', 'pattern'));
ALTER TABLE plate_watch_list ADD COLUMN like_pattern text GENERATED ALWAYS AS (
  CASE WHEN match_kind = 'pattern' THEN translate(plate_text, '*?', '%_') END) STORED;
ALTER TABLE plate_watch_list ADD CONSTRAINT plate_watch_list_pattern_check CHECK (
  match_kind = 'exact' OR (
    plate_text ~ '^[A-Z0-9 ?*-]{3,16}$' AND plate_text ~ '[*?]'
    AND length(regexp_replace(plate_text, '[^A-Z0-9]', '', 'g')) >= 3));

ALTER TABLE plate_watch_list ADD COLUMN expires_at timestamptz;
ALTER TABLE plate_watch_list ADD COLUMN status text NOT NULL DEFAULT 'pending'
  CHECK (status IN ('pending', 'active', 'rejected', 'removed'));
-- Who approved (status active) or rejected it, never its proposer.
ALTER TABLE plate_watch_list ADD COLUMN decided_by text;
ALTER TABLE plate_watch_list ADD COLUMN decided_at timestamptz;
ALTER TABLE plate_watch_list ADD COLUMN decision_reason text;
ALTER TABLE plate_watch_list ADD COLUMN removed_by text;
ALTER TABLE plate_watch_list ADD COLUMN removed_at timestamptz;
ALTER TABLE plate_watch_list ADD COLUMN removal_reason text;

-- Rows listed with SQL before this migration keep matching: active, approved by the migration (their proposer is
-- unknown to it), for a year from now; a missing case reference is marked as such.
UPDATE plate_watch_list
   SET status = 'active', decided_by = 'migration 0031', decided_at = now(),
       expires_at = now() + interval '365 days',
       case_reference = coalesce(case_reference, 'unrecorded before migration 0031');
ALTER TABLE plate_watch_list ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE plate_watch_list ALTER COLUMN case_reference SET NOT NULL;

ALTER TABLE plate_watch_list ADD CONSTRAINT plate_watch_list_two_people CHECK (decided_by <> added_by);
-- Pending: nobody has decided; active or rejected: someone has. A removed entry may have been either.
ALTER TABLE plate_watch_list ADD CONSTRAINT plate_watch_list_decided CHECK (
  (decided_by IS NULL) = (decided_at IS NULL)
  AND (status <> 'pending' OR decided_by IS NULL)
  AND (status NOT IN ('active', 'rejected') OR decided_by IS NOT NULL));
ALTER TABLE plate_watch_list ADD CONSTRAINT plate_watch_list_removed CHECK (
  (status = 'removed') = (removed_by IS NOT NULL) AND (removed_by IS NULL) = (removed_at IS NULL));

-- One live (pending or active) entry per plate or pattern.
CREATE UNIQUE INDEX plate_watch_list_live_idx ON plate_watch_list (match_kind, plate_text)
  WHERE status IN ('pending', 'active');
CREATE INDEX plate_watch_list_status_idx ON plate_watch_list (status, expires_at);

-- A request to move an entry's expiry (one pending per entry), approved or rejected by someone else.
CREATE TABLE plate_watch_list_extensions (
  id uuid PRIMARY KEY,
  entry_id uuid NOT NULL REFERENCES plate_watch_list (id),
  expires_at timestamptz NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  decided_by text,
  decided_at timestamptz,
  CHECK ((status = 'pending') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL)),
  CONSTRAINT plate_watch_list_extensions_two_people CHECK (decided_by <> requested_by)
);
CREATE UNIQUE INDEX plate_watch_list_extensions_pending_idx ON plate_watch_list_extensions (entry_id)
  WHERE status = 'pending';

-- What an entry watches, why, for which case and who proposed it never change; its status only moves forward
-- (pending → active, rejected or removed; active → removed), a decision is made once, and its expiry moves only
-- together with an extension approved in the same transaction by someone other than its requester. Nothing is
-- deleted. These triggers stop every role, the owner's included.
CREATE FUNCTION plate_watch_list_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'watch-list entries are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.reference, NEW.plate_text, NEW.match_kind, NEW.reason, NEW.case_reference, NEW.added_by,
      NEW.added_at)
     IS DISTINCT FROM (OLD.id, OLD.reference, OLD.plate_text, OLD.match_kind, OLD.reason, OLD.case_reference,
      OLD.added_by, OLD.added_at) THEN
    RAISE EXCEPTION 'what a watch-list entry watches, why and for which case never changes'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status
     AND NOT (OLD.status = 'pending' AND NEW.status IN ('active', 'rejected', 'removed'))
     AND NOT (OLD.status = 'active' AND NEW.status = 'removed') THEN
    RAISE EXCEPTION 'a watch-list entry cannot go from % to %', OLD.status, NEW.status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.decided_by, NEW.decided_at, NEW.decision_reason)
     IS DISTINCT FROM (OLD.decided_by, OLD.decided_at, OLD.decision_reason)
     AND NOT (OLD.status = 'pending' AND NEW.status IN ('active', 'rejected')) THEN
    RAISE EXCEPTION 'a watch-list entry is decided once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.removed_by, NEW.removed_at, NEW.removal_reason)
     IS DISTINCT FROM (OLD.removed_by, OLD.removed_at, OLD.removal_reason)
     AND NOT (OLD.status <> 'removed' AND NEW.status = 'removed') THEN
    RAISE EXCEPTION 'a watch-list entry is removed once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.expires_at IS DISTINCT FROM OLD.expires_at AND NOT EXISTS (
    SELECT 1 FROM plate_watch_list_extensions x
     WHERE x.entry_id = NEW.id AND x.status = 'approved' AND x.expires_at = NEW.expires_at
       AND x.decided_by <> x.requested_by AND x.decided_at = now()
  ) THEN
    RAISE EXCEPTION 'an expiry moves only with an extension approved by a second person'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER plate_watch_list_guard BEFORE UPDATE OR DELETE ON plate_watch_list
  FOR EACH ROW EXECUTE FUNCTION plate_watch_list_guard();

CREATE FUNCTION plate_watch_list_extensions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'pending'
     OR (NEW.id, NEW.entry_id, NEW.expires_at, NEW.reason, NEW.requested_by, NEW.requested_at)
        IS DISTINCT FROM (OLD.id, OLD.entry_id, OLD.expires_at, OLD.reason, OLD.requested_by, OLD.requested_at) THEN
    RAISE EXCEPTION 'an extension is only ever approved or rejected, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER plate_watch_list_extensions_guard BEFORE UPDATE OR DELETE ON plate_watch_list_extensions
  FOR EACH ROW EXECUTE FUNCTION plate_watch_list_extensions_guard();

-- Every sighting of a watched plate, written by the correlator in the transaction that stores the detection (so
-- exactly once, whatever the instance count or redelivery): which entry, which event, where and when, the plate
-- read (for a pattern entry, the plate that matched it) and the incident it went to. Personal data: the gateway
-- shows it to investigators and supervisors only, and audits every read. Append-only: no role may change or
-- delete a hit (db-roles.ts), and this trigger stops the owner too.
CREATE TABLE watch_list_hits (
  entry_id uuid NOT NULL REFERENCES plate_watch_list (id),
  site_id text NOT NULL,
  event_id text NOT NULL,
  camera_id text NOT NULL,
  plate_text text NOT NULL,
  observed_at timestamptz NOT NULL,
  incident_id uuid,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, site_id, event_id)
);
CREATE INDEX watch_list_hits_recent_idx ON watch_list_hits (observed_at DESC);

CREATE FUNCTION watch_list_hits_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'watch-list hits are never changed or deleted' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER watch_list_hits_guard BEFORE UPDATE OR DELETE ON watch_list_hits
  FOR EACH ROW EXECUTE FUNCTION watch_list_hits_guard();
