-- LogPipeline store, version 4 (MariaDB). Dead letters are stored in the transaction that stores
-- their batch's events and offsets, so a crash can neither lose one nor record it twice (the topic
-- copy may repeat; its key is the source position, so a compacted topic keeps one). A readable
-- preview and the value's size and SHA-256 identify the record; the value itself is on the topic.
CREATE TABLE IF NOT EXISTS dead_letters (
    id                   BIGINT NOT NULL AUTO_INCREMENT,
    source_topic         VARCHAR(200) NOT NULL,
    source_partition     INT NOT NULL,
    source_offset        BIGINT NOT NULL,
    reason               VARCHAR(50) NOT NULL,
    detail               VARCHAR(1000) NOT NULL,
    record_key           VARCHAR(1024) NULL,
    host                 VARCHAR(1024) NULL,
    value_size           INT NOT NULL,
    value_sha256         CHAR(64) NOT NULL,
    preview              VARCHAR(1000) NOT NULL,
    record_time_utc      DATETIME(6) NOT NULL,
    dead_lettered_at_utc DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_dead_letters_source (source_topic, source_partition, source_offset),
    KEY ix_dead_letters_at (dead_lettered_at_utc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
