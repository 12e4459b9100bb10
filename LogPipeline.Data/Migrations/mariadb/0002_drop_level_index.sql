-- LogPipeline store, version 2 (MariaDB). The API filters raw events by a minimum level, newest
-- first: walking ix_log_events_timestamp backwards and skipping lower levels answers that with a
-- LIMIT, which a (level, timestamp) index cannot (one range per level, then a sort). The index only
-- cost every raw insert a B-tree update.
ALTER TABLE log_events DROP INDEX ix_log_events_level_timestamp;
