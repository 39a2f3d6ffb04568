-- One login per hub service role, for infra/deploy/compose.yaml (the db-logins service) or by hand:
--   psql "$OWNER_URL" -v ingest_password=… -v correlator_password=… -v gateway_password=… -v alerts_password=… \
--        -f infra/deploy/db-logins.sql
-- The roles hub_ingest, hub_correlator, hub_gateway and hub_alerts (NOLOGIN, with their grants) are created by the
-- migrations (services/common/src/db-roles.ts); run this after `npm run db:migrate`. It creates each login once and
-- sets its password on every run, so running it again with new passwords rotates them.
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', login, role)
  FROM (VALUES ('ingest_login', 'hub_ingest'), ('correlator_login', 'hub_correlator'),
               ('gateway_login', 'hub_gateway'), ('alerts_login', 'hub_alerts')) AS wanted (login, role)
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login)
\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'ingest_login', :'ingest_password')
\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'correlator_login', :'correlator_password')
\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'gateway_login', :'gateway_password')
\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'alerts_login', :'alerts_password')
\gexec
