-- The WeChat access token, shared by every alerts instance (issue 13). WeChat invalidates the previous token a few
-- minutes after a new one is fetched, so instances that each fetched their own would keep breaking each other's.
-- One row per Official Account: whoever finds it missing, due or rejected refreshes it under an advisory lock
-- (services/alerts wechat-token repository), the others read it. The token lives two hours and only this service
-- may read it; the app secret is never stored.
CREATE TABLE alert_wechat_tokens (
  app_id text PRIMARY KEY,
  access_token text NOT NULL,
  -- Epoch milliseconds (the service's clock) after which the token is refreshed, ahead of WeChat's expiry.
  refresh_at_ms bigint NOT NULL,
  fetched_by text NOT NULL,
  fetched_at timestamptz NOT NULL DEFAULT now()
);
