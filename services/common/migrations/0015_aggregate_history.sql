-- Aggregate history survives raw retention, whatever order the server's scheduler runs the jobs in.
--
-- The mechanism (docs/retention.md). drop_chunks, and so every retention job, records the dropped time range as an
-- invalidation of the continuous aggregates built on the hypertable. A later refresh whose window overlaps that
-- range recomputes its buckets from the raw rows that are left, none, and deletes them: the dashboards' history of
-- that range is gone, and both jobs report success. Outside a refresh window nothing happens to the buckets, so the
-- aggregates keep their history as long as no refresh, policy or manual, ever reaches a dropped range.
--
-- The invariant: every refresh policy of an aggregate built on a hypertable with a retention policy reaches back less
-- than that retention, by a margin of 12 hours:
--   start_offset + 12 hours <= drop_after.
-- Both are relative to the time a job runs, and time only moves forward, so a range dropped once is never inside a
-- later window: the order of the jobs does not matter. The margin covers what the offsets do not: an invalidated
-- range is recomputed in whole buckets (up to 1 hour here), and a refresh that has been running for a while may read
-- raw chunks that a retention run dropped meanwhile. It is also the time an operator has to repair a gap by hand
-- (refresh_continuous_aggregate over it) while the raw rows still exist. An aggregate built on another aggregate
-- (detections_per_hour on detections_per_minute) is bound in the same way by its source aggregate's retention, if it
-- ever gets one; today the aggregates keep everything.
--
-- Migration 0004's windows (7 days) were inside the shortest retention the correlator accepts (8 days), but only by
-- a rule in its configuration: set_event_policy, the one way to change a retention policy, took any interval. From
-- here on the database refuses a retention policy that breaks the invariant (assert_aggregate_history below), and the
-- correlator's configuration refuses it first, naming the variable.
--
-- The windows also reach a little further back than ingest's oldest accepted event (7 days, INGEST_MAX_EVENT_AGE_MS):
-- an event accepted just inside the limit is stored after the consumer's lag and refreshed by the next run; with
-- windows of exactly 7 days it could already be outside them (and the hourly window, rounded up to whole hours and
-- run every 30 minutes, missed up to 1.5 hours of late events at its old end). Now: 6 hours of lag for the
-- per-minute and sensor aggregates, 2 hours more for the hourly one, which learns of a change only once the
-- per-minute refresh has re-materialised it. 7 days 6 hours + 12 hours is still under 8 days.
--
-- Existing deployments: alter_job keeps each policy's job id, schedule and statistics and changes only its
-- start_offset (idempotent; nothing is dropped or recomputed by the change itself).

SELECT alter_job(j.job_id, config => j.config || jsonb_build_object('start_offset', w.start_offset))
FROM timescaledb_information.jobs j
JOIN (VALUES
  ('detections_per_minute', '7 days 06:00:00'),
  ('detections_per_hour', '7 days 08:00:00'),
  ('sensor_stats_5m', '7 days 06:00:00')
) AS w (view_name, start_offset) ON w.view_name = j.hypertable_name
WHERE j.proc_name = 'policy_refresh_continuous_aggregate';

-- Every pair (aggregate, retention of its source) that breaks the invariant: an aggregate with a refresh policy on a
-- hypertable (or aggregate) with a retention policy, where the window reaches within 12 hours of the retention
-- horizon, is unbounded (start_offset NULL), or the retention is not by age (drop_created_before). Empty when the
-- history is safe. SECURITY DEFINER: it reads TimescaleDB's catalog, which the service roles may not.
CREATE FUNCTION aggregate_history_violations()
RETURNS TABLE (aggregate text, source text, refresh_start_offset interval, drop_after interval)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT format('%I.%I', cagg.user_view_schema, cagg.user_view_name),
         format('%I.%I', source.schema_name, source.table_name),
         (refresh.config->>'start_offset')::interval,
         (retention.config->>'drop_after')::interval
  FROM _timescaledb_catalog.continuous_agg cagg
  JOIN _timescaledb_catalog.hypertable source ON source.id = cagg.raw_hypertable_id
  JOIN timescaledb_information.jobs refresh
    ON refresh.proc_name = 'policy_refresh_continuous_aggregate'
   AND (refresh.config->>'mat_hypertable_id')::int = cagg.mat_hypertable_id
  JOIN timescaledb_information.jobs retention
    ON retention.proc_name = 'policy_retention'
   AND (retention.config->>'hypertable_id')::int = cagg.raw_hypertable_id
  WHERE refresh.config->>'start_offset' IS NULL
     OR retention.config->>'drop_after' IS NULL
     OR (refresh.config->>'start_offset')::interval + INTERVAL '12 hours' > (retention.config->>'drop_after')::interval
$$;
REVOKE ALL ON FUNCTION aggregate_history_violations() FROM PUBLIC;

-- Raises (22023 invalid_parameter_value) if any pair breaks the invariant, naming them.
CREATE FUNCTION assert_aggregate_history() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_problems text;
BEGIN
  SELECT string_agg(format('%s refreshes back %s but %s keeps raw rows only %s', aggregate,
           coalesce(refresh_start_offset::text, 'to the beginning'), source,
           coalesce(drop_after::text, 'by creation time')), '; ' ORDER BY aggregate)
  INTO v_problems FROM aggregate_history_violations();
  IF v_problems IS NOT NULL THEN
    RAISE EXCEPTION 'retention would erase aggregate history: %', v_problems
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Keep raw rows at least 12 hours longer than every refresh window over them (docs/retention.md).';
  END IF;
END $$;
REVOKE ALL ON FUNCTION assert_aggregate_history() FROM PUBLIC;

-- set_event_policy (0012) as before, and it refuses a retention that breaks the invariant: the error rolls back the
-- replacement, so the policy in force stays.
CREATE OR REPLACE FUNCTION set_event_policy(p_kind text, p_table text, p_after interval)
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
    PERFORM assert_aggregate_history();
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

-- The deployment as it stands must hold the invariant (a database whose retention was set under it by hand fails
-- here, loudly, instead of losing history later).
SELECT assert_aggregate_history();
