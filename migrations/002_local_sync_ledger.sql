-- What sync sets aside locally, never dropped: changes the central store rejected
-- (quarantine, shown to the user) and conflicts it reported.

CREATE TABLE quarantine (
    change_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    quarantined_at TEXT NOT NULL
);

CREATE TABLE conflict (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    rev INTEGER NOT NULL,
    kept_change_id TEXT,
    lost_change_id TEXT NOT NULL UNIQUE,
    lost_body TEXT NOT NULL,
    reported_at TEXT NOT NULL
);
