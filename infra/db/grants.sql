-- Production grants for a real TimescaleDB (the embedded development database has one superuser and ignores this).
-- Run once as the database owner after the first start (migrations create the tables), then give the services
-- the hub_service login instead of the owner's.
--
--   psql "$OWNER_URL" -v service_password="'…'" -f infra/db/grants.sql

CREATE ROLE hub_service LOGIN PASSWORD :service_password;
GRANT USAGE ON SCHEMA public TO hub_service;

-- Everything the services read and write…
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hub_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO hub_service;

-- …except the audit trail: append and read only. Together with the audit_log_append_only trigger (which also
-- stops the owner by accident), only someone who can drop the trigger can change history, and
-- `npm run audit:verify` shows that they did.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM hub_service;
GRANT SELECT, INSERT ON audit_log TO hub_service;

-- Migrations run as the owner (schema_migrations, DDL): start the services once with the owner's URL after an
-- upgrade, or run them with it.
REVOKE ALL ON schema_migrations FROM hub_service;
GRANT SELECT ON schema_migrations TO hub_service;
