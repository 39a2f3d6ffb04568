-- People who sign in to the command-centre dashboard and APIs, with their roles; and the audit log of what they
-- did and which personal data (plates, detections) they saw.

CREATE TABLE users (
  username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text NOT NULL,
  -- scrypt$N$r$p$salt$hash (base64url); never a plain password.
  password_hash text NOT NULL,
  roles text[] NOT NULL CHECK (roles <@ ARRAY['operator', 'investigator', 'supervisor', 'alert_drafter', 'alert_approver', 'administrator']::text[]),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- Append-only and tamper-evident: each entry carries the SHA-256 of its content chained to the previous entry's hash
-- (written by the gateway under a lock, verified by `npm run audit:verify`); a trigger refuses UPDATE, DELETE and
-- TRUNCATE, and in production the services' role is granted only INSERT and SELECT here (infra/db/grants.sql).
CREATE TABLE audit_log (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  -- e.g. sign_in, sign_in_failed, incident.acknowledge, camera.view, case.search, case.view, case.export
  action text NOT NULL,
  subject text,
  -- Whether personal data (plates, detections of people or vehicles) was shown.
  personal_data boolean NOT NULL DEFAULT false,
  case_reference text,
  purpose text,
  criteria jsonb,
  result_count integer,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  source_ip text,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_case_idx ON audit_log (case_reference, at DESC) WHERE case_reference IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
