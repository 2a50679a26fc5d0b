-- Templates a pack pulled from the central store names and this laptop has not fetched
-- yet (by hash, sync/templates.py). A row goes when its bytes, checked against the
-- hash, are in pack_template; while one is here the document is not printed.
CREATE TABLE pack_template_due (
    pack_id TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (pack_id, path)
) WITHOUT ROWID;
