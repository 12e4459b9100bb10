-- LogPipeline store, version 1 (SQLite). Same tables and columns as the MariaDB script; types are
-- SQLite's (INTEGER, REAL, TEXT), DateTime is TEXT 'yyyy-MM-dd HH:mm:ss.FFFFFFF' in UTC, which is
-- what EF Core and Microsoft.Data.Sqlite write, so it sorts as time. SchemaMigrator runs this in one
-- transaction.

CREATE TABLE IF NOT EXISTS log_events (
    id                 INTEGER NOT NULL PRIMARY KEY,
    source_topic       TEXT NOT NULL,
    source_partition   INTEGER NOT NULL,
    source_offset      INTEGER NOT NULL,
    timestamp_utc      TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    received_at_utc    TEXT NOT NULL,
    service            TEXT NOT NULL,
    host               TEXT NOT NULL,
    level              INTEGER NOT NULL,
    message            TEXT NOT NULL,
    format             INTEGER NOT NULL,
    http_method        TEXT NULL,
    http_path          TEXT NULL,
    http_status        INTEGER NULL,
    http_duration_ms   REAL NULL,
    http_bytes         INTEGER NULL,
    trace_id           TEXT NULL,
    span_id            TEXT NULL,
    fingerprint        INTEGER NULL,
    attributes_json    TEXT NULL,
    is_late            INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_log_events_source ON log_events (source_topic, source_partition, source_offset);
CREATE INDEX IF NOT EXISTS ix_log_events_timestamp ON log_events (timestamp_utc);
CREATE INDEX IF NOT EXISTS ix_log_events_service_timestamp ON log_events (service, timestamp_utc);
CREATE INDEX IF NOT EXISTS ix_log_events_trace ON log_events (trace_id);
CREATE INDEX IF NOT EXISTS ix_log_events_level_timestamp ON log_events (level, timestamp_utc);

CREATE TABLE IF NOT EXISTS volume_minute (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    level            INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    bytes            INTEGER NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, level)
);

CREATE TABLE IF NOT EXISTS http_status_minute (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    status_class     INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, status_class)
);

CREATE TABLE IF NOT EXISTS latency_histogram_minute (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    bin              INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, bin)
);

CREATE TABLE IF NOT EXISTS latency_minute (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    count            INTEGER NOT NULL,
    p50_ms           REAL NOT NULL,
    p95_ms           REAL NOT NULL,
    p99_ms           REAL NOT NULL,
    PRIMARY KEY (bucket_start_utc, service)
);

CREATE TABLE IF NOT EXISTS error_fingerprints (
    service        TEXT NOT NULL,
    fingerprint    INTEGER NOT NULL,
    template       TEXT NOT NULL,
    count          INTEGER NOT NULL,
    first_seen_utc TEXT NOT NULL,
    last_seen_utc  TEXT NOT NULL,
    sample_message TEXT NOT NULL,
    level          INTEGER NOT NULL,
    PRIMARY KEY (service, fingerprint)
);

-- No partial unique index for "one open anomaly per service and kind": MariaDB cannot have one, and
-- the two engines keep the same constraints.
CREATE TABLE IF NOT EXISTS anomalies (
    id             INTEGER NOT NULL PRIMARY KEY,
    service        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    started_at_utc TEXT NOT NULL,
    ended_at_utc   TEXT NULL,
    observed       REAL NOT NULL,
    expected       REAL NOT NULL,
    updated_at_utc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_anomalies_service_ended ON anomalies (service, ended_at_utc);
CREATE INDEX IF NOT EXISTS ix_anomalies_started ON anomalies (started_at_utc);

CREATE TABLE IF NOT EXISTS pipeline_minute (
    bucket_start_utc TEXT NOT NULL PRIMARY KEY,
    events_in        INTEGER NOT NULL,
    events_stored    INTEGER NOT NULL,
    late_events      INTEGER NOT NULL,
    dead_letters     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS consumer_offsets (
    group_id       TEXT NOT NULL,
    topic          TEXT NOT NULL,
    "partition"    INTEGER NOT NULL,
    next_offset    INTEGER NOT NULL,
    watermark_utc  TEXT NULL,
    updated_at_utc TEXT NOT NULL,
    PRIMARY KEY (group_id, topic, "partition")
);
