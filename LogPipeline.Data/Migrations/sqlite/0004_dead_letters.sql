-- LogPipeline store, version 4 (SQLite). Dead letters are stored in the transaction that stores
-- their batch's events and offsets, so a crash can neither lose one nor record it twice (the topic
-- copy may repeat; its key is the source position, so a compacted topic keeps one). A readable
-- preview and the value's size and SHA-256 identify the record; the value itself is on the topic.
CREATE TABLE IF NOT EXISTS dead_letters (
    id                   INTEGER NOT NULL PRIMARY KEY,
    source_topic         TEXT NOT NULL,
    source_partition     INTEGER NOT NULL,
    source_offset        INTEGER NOT NULL,
    reason               TEXT NOT NULL,
    detail               TEXT NOT NULL,
    record_key           TEXT NULL,
    host                 TEXT NULL,
    value_size           INTEGER NOT NULL,
    value_sha256         TEXT NOT NULL,
    preview              TEXT NOT NULL,
    record_time_utc      TEXT NOT NULL,
    dead_lettered_at_utc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_dead_letters_source ON dead_letters (source_topic, source_partition, source_offset);
CREATE INDEX IF NOT EXISTS ix_dead_letters_at ON dead_letters (dead_lettered_at_utc);
