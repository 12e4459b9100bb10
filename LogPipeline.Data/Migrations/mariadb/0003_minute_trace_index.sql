-- LogPipeline store, version 3 (MariaDB). Trace lookups are always bounded in time (the API's range
-- is at most 31 days), so the trace index is led by the event's minute: a random 128-bit trace id
-- then only scatters inserts within the current minute's small part of the index, not over all of
-- it, and a lookup costs one seek per minute of its range. minute_bucket is whole minutes since
-- 1970-01-01 UTC (truncated), a virtual generated column: LOAD DATA and INSERT name their columns
-- and never write it; InnoDB keeps its value in the index only. Every statement is safe to repeat.
ALTER TABLE log_events ADD COLUMN IF NOT EXISTS minute_bucket BIGINT AS (TIMESTAMPDIFF(MINUTE, '1970-01-01 00:00:00', timestamp_utc)) VIRTUAL;
ALTER TABLE log_events DROP INDEX IF EXISTS ix_log_events_trace;
ALTER TABLE log_events ADD INDEX IF NOT EXISTS ix_log_events_minute_trace (minute_bucket, trace_id);
