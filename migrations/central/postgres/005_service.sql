-- The sync service (issue 9): tokens for `fieldlog serve`, each record's owner, and a
-- least-privilege role for the service. Same tables as the SQLite central's 005.
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

CREATE TABLE record_owner (
    record_id TEXT PRIMARY KEY,
    inspector_id TEXT NOT NULL,
    since TEXT NOT NULL
);

INSERT INTO record_owner (record_id, inspector_id, since)
SELECT DISTINCT ON (record_id) record_id, pushed_by, received_at FROM change
WHERE kind NOT IN ('entity', 'campaign_pack')
ORDER BY record_id, rev;

CREATE TABLE owner_event (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id TEXT NOT NULL,
    old_owner TEXT NOT NULL,
    new_owner TEXT NOT NULL,
    by_token TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX owner_event_record ON owner_event (record_id);

-- `fieldlog_service`: what `fieldlog serve` needs and nothing more: read and write rows
-- in this schema (tables made by later migrations too, through default privileges), no
-- DDL, no TRUNCATE. A NOLOGIN group role: the bureau grants it to the login role serve
-- connects as (README, "Running the central service"). Roles are cluster-wide, so the
-- role may exist already (another schema, another database); a migrating user that may
-- not create roles still gets its schema, with a notice.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fieldlog_service') THEN
        BEGIN
            CREATE ROLE fieldlog_service NOLOGIN;
        EXCEPTION
            WHEN duplicate_object THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'fieldlog: no privilege to create role fieldlog_service; skipped';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fieldlog_service') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO fieldlog_service', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I'
                       ' TO fieldlog_service', current_schema());
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO fieldlog_service',
                       current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE,'
                       ' DELETE ON TABLES TO fieldlog_service', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES'
                       ' TO fieldlog_service', current_schema());
        -- the logs are append-only: history is never rewritten, not even by the service
        EXECUTE format('REVOKE UPDATE, DELETE ON %I.change, %I.conflict, %I.owner_event'
                       ' FROM fieldlog_service', current_schema(), current_schema(),
                       current_schema());
    END IF;
END
$$;
