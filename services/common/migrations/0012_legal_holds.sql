-- Legal holds on police cases, released only by two supervisors; and the one way the correlator's role may change
-- the event tables' retention and compression policies. Which role may do what on each table is not here but in
-- services/common/src/db-roles.ts, applied after every migration run.

-- A case under legal hold: its case-assist records and lookups (plate lists) outlive their retention. One active
-- hold per case; a released hold stays as history, and the case may be held again later.
CREATE TABLE legal_holds (
  id uuid PRIMARY KEY,
  case_reference text NOT NULL,
  reason text NOT NULL,
  placed_by text NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  released_by text,
  CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE UNIQUE INDEX legal_holds_active_idx ON legal_holds (case_reference) WHERE released_at IS NULL;

-- A request to release a hold (one supervisor, with a reason) and its approval (another supervisor).
CREATE TABLE legal_hold_releases (
  id uuid PRIMARY KEY,
  hold_id uuid NOT NULL REFERENCES legal_holds (id),
  requested_by text NOT NULL,
  reason text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  approved_by text,
  approved_at timestamptz,
  CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
  CONSTRAINT legal_hold_releases_two_people CHECK (approved_by <> requested_by)
);
CREATE UNIQUE INDEX legal_hold_releases_pending_idx ON legal_hold_releases (hold_id) WHERE approved_by IS NULL;

-- The hold is cleared only together with an approval by someone other than the requester; nothing else about a
-- hold or a release ever changes, and neither is deleted. These triggers stop every role, the owner's included;
-- no service role has UPDATE or DELETE on these tables at all (db-roles.ts): services go through the functions
-- below.
CREATE FUNCTION legal_holds_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'legal holds are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.case_reference, NEW.reason, NEW.placed_by, NEW.placed_at)
     IS DISTINCT FROM (OLD.id, OLD.case_reference, OLD.reason, OLD.placed_by, OLD.placed_at)
     OR OLD.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'a legal hold cannot be changed, only released' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.released_at IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM legal_hold_releases r
    WHERE r.hold_id = NEW.id AND r.approved_by = NEW.released_by AND r.approved_by <> r.requested_by
  ) THEN
    RAISE EXCEPTION 'a legal hold is released only by a release request approved by a second person'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER legal_holds_guard BEFORE UPDATE OR DELETE ON legal_holds
  FOR EACH ROW EXECUTE FUNCTION legal_holds_guard();

CREATE FUNCTION legal_hold_releases_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.approved_by IS NOT NULL
     OR (NEW.id, NEW.hold_id, NEW.requested_by, NEW.reason, NEW.requested_at)
        IS DISTINCT FROM (OLD.id, OLD.hold_id, OLD.requested_by, OLD.reason, OLD.requested_at) THEN
    RAISE EXCEPTION 'a release request is only ever approved' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER legal_hold_releases_guard BEFORE UPDATE OR DELETE ON legal_hold_releases
  FOR EACH ROW EXECUTE FUNCTION legal_hold_releases_guard();
CREATE TRIGGER legal_hold_releases_no_truncate BEFORE TRUNCATE ON legal_hold_releases
  FOR EACH STATEMENT EXECUTE FUNCTION legal_hold_releases_guard();

-- The two steps of a release. SECURITY DEFINER: they run with the owner's rights, so the gateway's role needs
-- EXECUTE on them but no UPDATE on the tables. Errors: P0002 no such (active) hold or request, 23505 a request is
-- already pending, 23514 the approver is the requester, 55000 already approved.
CREATE FUNCTION request_legal_hold_release(p_id uuid, p_case_reference text, p_requested_by text, p_reason text)
RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_hold uuid;
BEGIN
  SELECT id INTO v_hold FROM legal_holds
  WHERE case_reference = p_case_reference AND released_at IS NULL FOR UPDATE;
  IF v_hold IS NULL THEN
    RAISE EXCEPTION 'case % is not under legal hold', p_case_reference USING ERRCODE = 'no_data_found';
  END IF;
  INSERT INTO legal_hold_releases (id, hold_id, requested_by, reason) VALUES (p_id, v_hold, p_requested_by, p_reason);
  RETURN v_hold;
END $$;

CREATE FUNCTION approve_legal_hold_release(p_request uuid, p_approved_by text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_request legal_hold_releases%ROWTYPE;
  v_case text;
BEGIN
  SELECT * INTO v_request FROM legal_hold_releases WHERE id = p_request FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no release request %', p_request USING ERRCODE = 'no_data_found';
  END IF;
  IF v_request.approved_by IS NOT NULL THEN
    RAISE EXCEPTION 'release request % is already approved', p_request USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF v_request.requested_by = p_approved_by THEN
    RAISE EXCEPTION 'the requester of a release cannot approve it' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE legal_hold_releases SET approved_by = p_approved_by, approved_at = now() WHERE id = p_request;
  UPDATE legal_holds SET released_at = now(), released_by = p_approved_by
  WHERE id = v_request.hold_id AND released_at IS NULL
  RETURNING case_reference INTO v_case;
  RETURN v_case;
END $$;
REVOKE ALL ON FUNCTION request_legal_hold_release(uuid, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION approve_legal_hold_release(uuid, text) FROM PUBLIC;

-- Material of a case under an active hold is not deleted, whoever asks (retention included).
CREATE FUNCTION case_material_hold_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM legal_holds h
    WHERE h.released_at IS NULL AND (
      h.case_reference = OLD.case_reference
      OR h.case_reference IN (SELECT l.case_reference FROM case_lookups l WHERE l.id = OLD.id)
    )
  ) THEN
    RAISE EXCEPTION 'case material under legal hold cannot be deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER case_assist_records_hold BEFORE DELETE ON case_assist_records
  FOR EACH ROW EXECUTE FUNCTION case_material_hold_guard();
CREATE TRIGGER case_lookups_hold BEFORE DELETE ON case_lookups
  FOR EACH ROW EXECUTE FUNCTION case_material_hold_guard();
CREATE INDEX case_assist_created_idx ON case_assist_records (created_at);

-- Retention and compression policies are the hypertables' owner's to change. The correlator matches them to its
-- configuration at start-up through this function (owner's rights, three tables, two kinds, nothing else).
-- Returns whether the policy changed.
CREATE FUNCTION set_event_policy(p_kind text, p_table text, p_after interval)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF p_table NOT IN ('detections', 'sensor_readings', 'camera_status') THEN
    RAISE EXCEPTION 'no policies on %', p_table USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_kind = 'retention' THEN
    IF EXISTS (SELECT 1 FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention'
               AND hypertable_name = p_table AND (config->>'drop_after')::interval = p_after) THEN
      RETURN false;
    END IF;
    PERFORM remove_retention_policy(p_table::regclass, if_exists => true);
    PERFORM add_retention_policy(p_table::regclass, drop_after => p_after, if_not_exists => true);
  ELSIF p_kind = 'compression' THEN
    IF EXISTS (SELECT 1 FROM timescaledb_information.jobs WHERE proc_name = 'policy_compression'
               AND hypertable_name = p_table AND (config->>'compress_after')::interval = p_after) THEN
      RETURN false;
    END IF;
    PERFORM remove_compression_policy(p_table::regclass, if_exists => true);
    PERFORM add_compression_policy(p_table::regclass, compress_after => p_after, if_not_exists => true);
  ELSE
    RAISE EXCEPTION 'no policy kind %', p_kind USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION set_event_policy(text, text, interval) FROM PUBLIC;
