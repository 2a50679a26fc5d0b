-- First-pull snapshots (issue 12). `fieldlog central snapshot` builds the district's
-- state at `cursor` into a laptop-shaped SQLite file with the laptop's own pull code,
-- and keeps that file as blobs (`parts`: a JSON list of [sha256, size], each at most
-- 64 MiB, in order), so every way a laptop fetches a blob fetches it. `sha256` and `size`
-- are the whole file's; `schema_version` its local schema; `packs` the sha256 of the
-- source of each pack it counted with that was not pulled (shipped or imported there).
-- A new laptop takes the newest row, then pulls only what came after `cursor`.
CREATE TABLE snapshot (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    parts TEXT NOT NULL,
    cursor TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    packs TEXT NOT NULL,
    built_at TEXT NOT NULL
);
