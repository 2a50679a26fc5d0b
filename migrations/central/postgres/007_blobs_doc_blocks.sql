-- Attachments and 文号 blocks (issue 13).

-- Blobs the store holds whole and verified. The bytes live in blob_chunk, 1 MiB a row:
-- the laptop may have no file access to the database server, pg_dump backs them up with
-- the records, and each committed chunk is the point a killed upload resumes from.
CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE blob_chunk (
    sha256 TEXT NOT NULL,
    "offset" BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (sha256, "offset")
);
ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE EXTERNAL;  -- photos do not compress

-- 文号 blocks handed out (see the SQLite store's 007).
CREATE TABLE doc_block (
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    inspector_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    PRIMARY KEY (series, year, first)
);
