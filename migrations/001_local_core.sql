-- FieldLog local database, first schema.
-- Every synced row: id (UUIDv7), rev (+1 per edit), created_at/updated_at (UTC ISO-8601),
-- inspector_id, device_id, voided + void_reason (records are never deleted), warnings (JSON).

CREATE TABLE entity (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    void_reason TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    uscc TEXT,
    name TEXT NOT NULL,
    kind TEXT,
    category TEXT,
    address TEXT,
    township TEXT,
    contact TEXT,
    initials TEXT
);
CREATE INDEX entity_uscc ON entity (uscc);
CREATE INDEX entity_name ON entity (name);
CREATE INDEX entity_initials ON entity (initials);

CREATE TABLE inspection (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    void_reason TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    campaign TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_id TEXT REFERENCES entity (id) DEFERRABLE INITIALLY DEFERRED,
    place TEXT,
    started_at TEXT NOT NULL,
    day TEXT NOT NULL,
    officers TEXT NOT NULL DEFAULT '[]',
    fields TEXT NOT NULL DEFAULT '{}',
    findings TEXT,
    measures TEXT NOT NULL DEFAULT '{}',
    result TEXT
);
CREATE INDEX inspection_started ON inspection (started_at);
CREATE INDEX inspection_day_action ON inspection (day, action);
CREATE INDEX inspection_entity ON inspection (entity_id);

CREATE TABLE "case" (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    void_reason TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    campaign TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_id TEXT REFERENCES entity (id) DEFERRABLE INITIALLY DEFERRED,
    inspection_id TEXT REFERENCES inspection (id) DEFERRABLE INITIALLY DEFERRED,
    case_type TEXT NOT NULL,
    clue_on TEXT,
    filed_on TEXT NOT NULL,
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    fine_fen INTEGER NOT NULL DEFAULT 0,
    confiscated_fen INTEGER NOT NULL DEFAULT 0,
    goods_value_fen INTEGER NOT NULL DEFAULT 0,
    summary TEXT
);
CREATE INDEX case_day ON "case" (day);

CREATE TABLE complaint (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    void_reason TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    campaign TEXT NOT NULL,
    action TEXT,
    received_at TEXT NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    entity_id TEXT REFERENCES entity (id) DEFERRABLE INITIALLY DEFERRED,
    subject TEXT,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    handled_at TEXT
);
CREATE INDEX complaint_day ON complaint (day);

CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    void_reason TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    campaign TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_id TEXT REFERENCES entity (id) DEFERRABLE INITIALLY DEFERRED,
    place TEXT,
    day TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0,
    officers TEXT NOT NULL DEFAULT '[]',
    note TEXT
);
CREATE INDEX activity_day ON activity (day);

-- Every revision of every record, as the full row (JSON): enforcement history.
CREATE TABLE revision (
    id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    kind TEXT NOT NULL,
    change_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    PRIMARY KEY (id, rev)
) WITHOUT ROWID;

-- Changes not yet acknowledged by the central store, oldest first.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Pull cursor, central epoch, last sync time.
CREATE TABLE sync_state (k TEXT PRIMARY KEY, v TEXT NOT NULL);

-- Incremental tallies: see tui_app/domain/tally.py for what a fact is.
CREATE TABLE tally_fact (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    day TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, day, key)
) WITHOUT ROWID;

-- Installed campaign packs (TOML source) and local settings.
CREATE TABLE campaign_pack (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE setting (k TEXT PRIMARY KEY, v TEXT NOT NULL);
