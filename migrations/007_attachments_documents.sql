-- Evidence and paperwork (issue 13): attachments on records, the blobs they point at,
-- 执法文书 numbers and the number blocks the central store hands out.

-- A record's attachments (JSON list: name, sha256, size, media type, EXIF, who, when,
-- removal) and its printed documents' numbers (JSON object: document key → 文号). Both
-- travel with every revision, like the other fields.
ALTER TABLE inspection ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE inspection ADD COLUMN documents TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "case" ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "case" ADD COLUMN documents TEXT NOT NULL DEFAULT '{}';
ALTER TABLE complaint ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE complaint ADD COLUMN documents TEXT NOT NULL DEFAULT '{}';

-- The blobs this laptop holds (the bytes are files beside the database, named by their
-- sha256). `confirmed_epoch` is the central store's epoch that confirmed holding the
-- blob: NULL means "still to upload", and a new epoch (a restored store) asks again.
CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    confirmed_epoch TEXT
) WITHOUT ROWID;
CREATE INDEX blob_unconfirmed ON blob (confirmed_epoch);

-- Document templates of imported packs (shipped packs read theirs from the package).
CREATE TABLE pack_template (
    pack_id TEXT NOT NULL,
    path TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (pack_id, path)
) WITHOUT ROWID;

-- 文号 blocks handed to this laptop by the central store, per series (a document kind's
-- pattern) and year; `next` is the next number to print. `epoch` is the store's.
CREATE TABLE doc_block (
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    next INTEGER NOT NULL,
    epoch TEXT NOT NULL,
    PRIMARY KEY (series, year, first)
) WITHOUT ROWID;
