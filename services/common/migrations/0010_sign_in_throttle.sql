-- Sign-in throttling (issue 12): failure counters shared by every gateway instance, so an attacker who spreads
-- guesses over several instances is counted once. scope 'address' counts an address's failures at any username,
-- 'user_address' one username's failures from one address, 'user' one username's failures from everywhere (which
-- only shrinks the free allowance of addresses that fail at it themselves: it never refuses the user's own address).
-- Written by `INSERT … ON CONFLICT` under row locks taken in a fixed order (services/gateway sign-in-attempts
-- repository); rows are forgotten (deleted) an hour after their last failure.

CREATE TABLE sign_in_throttle (
  scope text NOT NULL CHECK (scope IN ('address', 'user', 'user_address')),
  -- An address (IPv6 by /64), a lower-case username, or the JSON pair [username, address].
  key text NOT NULL CHECK (length(key) <= 256),
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

CREATE INDEX sign_in_throttle_last_failure ON sign_in_throttle (last_failure_at);
