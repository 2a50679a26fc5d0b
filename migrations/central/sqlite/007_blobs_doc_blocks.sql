-- Attachments and 文号 blocks (issue 13).

-- Blobs are files in the folder beside this database (`<name>.blobs/ab/<sha256>`), moved
-- there only once verified and on disk; an upload in progress is in `.partial/`.

-- 文号 blocks handed out: each laptop numbers a series (a document kind's pattern) in a
-- year only inside its own blocks, so two laptops offline never print the same number.
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
