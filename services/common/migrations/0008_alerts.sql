-- Civil-protection alerts (issue 6). An alert is what citizens know ("Signal No. 8 is hoisted"); every change to it
-- is a CAP message (Alert, Update, Cancel) that is drafted, submitted and approved by a second person before it is
-- published. Publishing writes the CAP document and one delivery row per channel and subscriber in the same
-- transaction (the outbox): the dispatcher works from those rows, so a restart skips nobody.

CREATE TABLE alerts (
  id uuid PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('draft', 'active', 'cancelled', 'expired')),
  -- Published messages so far.
  version integer NOT NULL DEFAULT 0,
  -- Grows with every change the public sees (a publication or the expiry): the version of PublicAlertRecord.
  revision integer NOT NULL DEFAULT 0,
  current_message_id uuid,
  sent timestamptz,
  expires timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_updated_idx ON alerts (updated_at DESC);
CREATE INDEX alerts_active_expiry_idx ON alerts (expires) WHERE state = 'active';

CREATE TABLE alert_messages (
  id uuid PRIMARY KEY,
  alert_id uuid NOT NULL REFERENCES alerts (id),
  msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
  status text NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'rejected', 'withdrawn')),
  -- CAP identifier, fixed when drafted.
  identifier text NOT NULL UNIQUE,
  -- CAP references: "sender,identifier,sent" of the message this one updates or cancels.
  refs text,
  -- AlertContent (services/alerts/src/contract.ts), validated before it is stored.
  content jsonb NOT NULL,
  drafted_by text NOT NULL,
  drafted_at timestamptz NOT NULL DEFAULT now(),
  approved_by text,
  -- The alert version this message made, its CAP <sent>, and the document as published.
  version integer,
  sent timestamptz,
  cap_xml text,
  -- When the public CAP feed started listing it (its cap-feed delivery).
  feed_published_at timestamptz,
  -- Grows with every change: edits and decisions name the revision they saw.
  revision integer NOT NULL DEFAULT 1,
  CHECK (status <> 'published' OR (approved_by IS NOT NULL AND version IS NOT NULL AND sent IS NOT NULL AND cap_xml IS NOT NULL)),
  -- The two-person rule, enforced by the database as well as by the service.
  CHECK (approved_by IS NULL OR approved_by <> drafted_by)
);
-- One message in progress per alert, one message per published version.
CREATE UNIQUE INDEX alert_messages_one_open_idx ON alert_messages (alert_id) WHERE status IN ('draft', 'pending');
CREATE UNIQUE INDEX alert_messages_version_idx ON alert_messages (alert_id, version) WHERE status = 'published';
CREATE INDEX alert_messages_status_idx ON alert_messages (status, drafted_at DESC);
CREATE INDEX alert_messages_feed_idx ON alert_messages (feed_published_at DESC) WHERE feed_published_at IS NOT NULL;

-- Who did what to each message, in order (also written to the tamper-evident audit_log).
CREATE TABLE alert_message_steps (
  id bigserial PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES alert_messages (id),
  action text NOT NULL CHECK (action IN ('drafted', 'edited', 'submitted', 'approved', 'rejected', 'withdrawn')),
  actor text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  note text
);
CREATE INDEX alert_message_steps_message_idx ON alert_message_steps (message_id, id);

-- One row per published message, channel and subscriber: pending → sending → sent, or failed (retry scheduled) →
-- … → dead. `attempts` is also the fencing token: a worker records its outcome only if the row is still the
-- attempt it claimed. `owner` is the instance that holds the lease.
CREATE TABLE alert_deliveries (
  message_id uuid NOT NULL REFERENCES alert_messages (id),
  channel text NOT NULL,
  subscriber text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  owner text,
  last_error text,
  receipt text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, channel, subscriber)
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (channel, next_attempt_at) WHERE state IN ('pending', 'failed');
CREATE INDEX alert_deliveries_leased_idx ON alert_deliveries (channel, lease_until) WHERE state = 'sending';

-- Followers of the WeChat official account who subscribed to warnings (synchronised from WeChat in production;
-- `npm run alerts:wechat-recipients` manages them by hand).
CREATE TABLE alert_wechat_recipients (
  openid text PRIMARY KEY CHECK (length(openid) BETWEEN 1 AND 128),
  subscribed_at timestamptz NOT NULL DEFAULT now(),
  unsubscribed_at timestamptz
);
