-- People who sign in to the command-centre dashboard and APIs, with their roles; and the audit log of what they
-- did and which personal data (plates, detections) they saw.

CREATE TABLE users (
  username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text NOT NULL,
  -- scrypt$N$r$p$salt$hash (base64url); never a plain password.
  password_hash text NOT NULL,
  roles text[] NOT NULL CHECK (roles <@ ARRAY['operator', 'investigator', 'alert_drafter', 'alert_approver', 'administrator']::text[]),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  -- e.g. sign_in, sign_in_failed, incident.acknowledge, camera.view, case_lookup
  action text NOT NULL,
  subject text,
  -- Whether personal data (plates, detections of people or vehicles) was shown.
  personal_data boolean NOT NULL DEFAULT false,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  source_ip text
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
