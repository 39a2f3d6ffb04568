-- Server-side sign-in sessions (issue 12, finding 5: revocation). The short-lived access token (JWT) names its
-- session; every gateway instance checks that the session is still live (REST: with a cache of a few seconds;
-- sockets: a sweep every few seconds), so signing out, disabling an account or changing its roles ends access
-- within seconds everywhere.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  username text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  -- The roles at sign-in: a session whose user's roles have changed since is over (sign in again for the new ones).
  roles text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The last refresh.
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  -- The end of the sign-in (a shift); refreshing never goes past it.
  expires_at timestamptz NOT NULL,
  -- The refresh token presented next must carry this generation; an older one is a replay and ends the session.
  -- The token itself is never stored (it is an HMAC of the id and generation under the gateway's key).
  refresh_generation integer NOT NULL DEFAULT 0,
  revoked_at timestamptz,
  -- signed_out, user_disabled, roles_changed, refresh_token_reuse, revoked
  revoked_reason text,
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX sessions_live_by_user_idx ON sessions (username) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
