-- LogPipeline store, version 3 (SQLite). Trace lookups are always bounded in time (the API's range
-- is at most 31 days), so the trace index is led by the event's minute: a random 128-bit trace id
-- then only scatters inserts within the current minute's small part of the index, not over all of
-- it, and a lookup costs one seek per minute of its range. minute_bucket is whole minutes since
-- 1970-01-01 UTC (truncated), a virtual generated column: nothing stores or writes it but the index.
ALTER TABLE log_events ADD COLUMN minute_bucket INTEGER GENERATED ALWAYS AS (CAST(strftime('%s', timestamp_utc) AS INTEGER) / 60) VIRTUAL;
DROP INDEX IF EXISTS ix_log_events_trace;
CREATE INDEX IF NOT EXISTS ix_log_events_minute_trace ON log_events (minute_bucket, trace_id);
