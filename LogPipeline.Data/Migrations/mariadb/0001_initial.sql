-- LogPipeline store, version 1 (MariaDB 10.11+, InnoDB, utf8mb4).
-- Table and column names match the EF model in LogPipeline.Data (SchemaAgreementTests checks it).
-- SchemaMigrator runs this statement by statement (MariaDB DDL commits on its own): one statement
-- per ';' at the end of a line, no ';' elsewhere, and every statement safe to repeat.

CREATE TABLE IF NOT EXISTS log_events (
    id                 BIGINT NOT NULL AUTO_INCREMENT,
    source_topic       VARCHAR(200) NOT NULL,
    source_partition   INT NOT NULL,
    source_offset      BIGINT NOT NULL,
    timestamp_utc      DATETIME(6) NOT NULL,
    utc_offset_minutes SMALLINT NOT NULL,
    received_at_utc    DATETIME(6) NOT NULL,
    service            VARCHAR(100) NOT NULL,
    host               VARCHAR(255) NOT NULL,
    level              TINYINT UNSIGNED NOT NULL,
    message            TEXT NOT NULL,
    format             TINYINT UNSIGNED NOT NULL,
    http_method        VARCHAR(16) NULL,
    http_path          VARCHAR(2048) NULL,
    http_status        SMALLINT NULL,
    http_duration_ms   DOUBLE NULL,
    http_bytes         BIGINT NULL,
    trace_id           CHAR(32) NULL,
    span_id            CHAR(16) NULL,
    fingerprint        BIGINT NULL,
    attributes_json    TEXT NULL,
    is_late            BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY ux_log_events_source (source_topic, source_partition, source_offset),
    KEY ix_log_events_timestamp (timestamp_utc),
    KEY ix_log_events_service_timestamp (service, timestamp_utc),
    KEY ix_log_events_trace (trace_id),
    KEY ix_log_events_level_timestamp (level, timestamp_utc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS volume_minute (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    level            TINYINT UNSIGNED NOT NULL,
    count            BIGINT NOT NULL,
    bytes            BIGINT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS http_status_minute (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    status_class     SMALLINT NOT NULL,
    count            BIGINT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, status_class)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS latency_histogram_minute (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    bin              SMALLINT NOT NULL,
    count            BIGINT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, bin)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS latency_minute (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    count            BIGINT NOT NULL,
    p50_ms           DOUBLE NOT NULL,
    p95_ms           DOUBLE NOT NULL,
    p99_ms           DOUBLE NOT NULL,
    PRIMARY KEY (bucket_start_utc, service)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS error_fingerprints (
    service        VARCHAR(100) NOT NULL,
    fingerprint    BIGINT NOT NULL,
    template       TEXT NOT NULL,
    count          BIGINT NOT NULL,
    first_seen_utc DATETIME(6) NOT NULL,
    last_seen_utc  DATETIME(6) NOT NULL,
    sample_message TEXT NOT NULL,
    level          TINYINT UNSIGNED NOT NULL,
    PRIMARY KEY (service, fingerprint)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- MariaDB has no partial index, so "one open anomaly per service and kind" is the detector's rule.
CREATE TABLE IF NOT EXISTS anomalies (
    id             BIGINT NOT NULL AUTO_INCREMENT,
    service        VARCHAR(100) NOT NULL,
    kind           VARCHAR(50) NOT NULL,
    started_at_utc DATETIME(6) NOT NULL,
    ended_at_utc   DATETIME(6) NULL,
    observed       DOUBLE NOT NULL,
    expected       DOUBLE NOT NULL,
    updated_at_utc DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_anomalies_service_ended (service, ended_at_utc),
    KEY ix_anomalies_started (started_at_utc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS pipeline_minute (
    bucket_start_utc DATETIME(6) NOT NULL,
    events_in        BIGINT NOT NULL,
    events_stored    BIGINT NOT NULL,
    late_events      BIGINT NOT NULL,
    dead_letters     BIGINT NOT NULL,
    PRIMARY KEY (bucket_start_utc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS consumer_offsets (
    group_id       VARCHAR(200) NOT NULL,
    topic          VARCHAR(200) NOT NULL,
    `partition`    INT NOT NULL,
    next_offset    BIGINT NOT NULL,
    watermark_utc  DATETIME(6) NULL,
    updated_at_utc DATETIME(6) NOT NULL,
    PRIMARY KEY (group_id, topic, `partition`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
