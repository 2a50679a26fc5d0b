-- FieldLog central store (SQLite file): the change log every laptop pushes into and
-- pulls from, conflicts kept aside, and the district-wide current rows and tallies
-- materialised from the log.

-- epoch: minted here, changed by `fieldlog central init URL --new-epoch` after a restore,
-- so laptops notice and pull afresh. materialized: how far current/tally_fact have read.
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
INSERT INTO meta (k, v) VALUES ('epoch', lower(hex(randomblob(16)))), ('materialized', '0');

-- Every accepted revision, once (change_id), one per (record, rev). A single writer makes
-- seq order equal commit order, so `seq > cursor` is a safe pull cursor here.
CREATE TABLE change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    pushed_by TEXT NOT NULL,
    device_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (record_id, rev)
);

-- Losing versions of conflicts: kept, never dropped.
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

-- The current revision of every record (highest rev), for district lists.
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

-- District tallies, kept from the domain's tally facts (see tui_app/domain/tally.py).
CREATE TABLE tally_fact (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    day TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, day, key)
) WITHOUT ROWID;
