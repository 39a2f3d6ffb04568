-- Warnings read from partner agencies' CAP feeds (README "Warnings from partner agencies"). One row per signal the
-- alerts service read: drafted (a draft was made from it, message_id), refused (it could not be trusted or read:
-- reason) or ignored (nothing to draft: reason). dedupe_key makes a repeat a no-op, also with several alerts
-- instances polling the same feed: "signal <sender> <identifier> <sent>" for a readable alert, "refused <sha-256>"
-- for a document refused as a whole (the same broken document is recorded once, however often it is polled).
CREATE TABLE alert_partner_imports (
  id uuid PRIMARY KEY,
  feed_id text NOT NULL CHECK (length(feed_id) BETWEEN 1 AND 64),
  dedupe_key text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 600),
  status text NOT NULL CHECK (status IN ('drafted', 'refused', 'ignored')),
  reason text CHECK (length(reason) BETWEEN 1 AND 1000),
  identifier text,
  sender text,
  sent timestamptz,
  link text,
  -- The import row is written first (it is the idempotency gate), the draft after it in the same transaction.
  message_id uuid REFERENCES alert_messages (id) DEFERRABLE INITIALLY DEFERRED,
  template_id text,
  -- PartnerSource (contracts): the partner's own text and references, shown beside the draft.
  source jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (feed_id, dedupe_key),
  CHECK ((status = 'drafted') = (message_id IS NOT NULL)),
  CHECK ((status = 'drafted') = (reason IS NULL))
);
CREATE UNIQUE INDEX alert_partner_imports_message_idx ON alert_partner_imports (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX alert_partner_imports_signal_idx ON alert_partner_imports (feed_id, sender, identifier);
CREATE INDEX alert_partner_imports_recent_idx ON alert_partner_imports (status, received_at DESC);
