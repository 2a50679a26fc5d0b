-- FieldLog central store (PostgreSQL): same tables as the SQLite central store.
-- The change log carries the writing transaction's id (xid8): a sequence alone is not a
-- safe pull cursor, because rows commit out of sequence order (research/sync_perf.md §3.4).

CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
INSERT INTO meta (k, v) VALUES ('epoch', replace(gen_random_uuid()::text, '-', '')),
                               ('materialized', '0:0');

-- change_id is the key; seq only orders the rows of one transaction inside the cursor.
CREATE TABLE change (
    change_id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    pushed_by TEXT NOT NULL,
    device_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (record_id, rev)
);
CREATE INDEX change_cursor ON change (xid, seq);

CREATE TABLE conflict (
    change_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    base TEXT,
    kept_change_id TEXT,
    pushed_by TEXT NOT NULL,
    device_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX conflict_record ON conflict (record_id);

CREATE TABLE current (
    record_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    rev INTEGER NOT NULL,
    campaign TEXT,
    action TEXT,
    day TEXT,
    sort_key TEXT,
    voided INTEGER NOT NULL,
    entity_id TEXT,
    body TEXT NOT NULL
);
CREATE INDEX current_list ON current (kind, campaign, sort_key);

CREATE TABLE tally_fact (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    day TEXT NOT NULL,
    key TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (campaign, tally_id, day, key)
);
