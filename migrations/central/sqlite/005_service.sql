-- The sync service (issue 9): tokens for `fieldlog serve`, and each record's owner.
-- A token is stored only as the sha256 of its secret; `id` is the public half that
-- `token list`, `token revoke` and the access log name.
CREATE TABLE token (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('inspector', 'bureau')),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
);

-- A record belongs to the inspector who first stored it centrally; only the bureau
-- moves it to another, and every move is kept in owner_event.
CREATE TABLE record_owner (
    record_id TEXT PRIMARY KEY,
    inspector_id TEXT NOT NULL,
    since TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO record_owner (record_id, inspector_id, since)
SELECT record_id, pushed_by, received_at FROM change AS c
WHERE kind NOT IN ('entity', 'campaign_pack')
  AND rev = (SELECT MIN(rev) FROM change WHERE record_id = c.record_id);

CREATE TABLE owner_event (
    seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL,
    old_owner TEXT NOT NULL,
    new_owner TEXT NOT NULL,
    by_token TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX owner_event_record ON owner_event (record_id);
