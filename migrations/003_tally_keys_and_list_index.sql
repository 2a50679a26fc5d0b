-- Read paths at a million local rows (see docs/performance.md for the measurements).

-- Live keys of keyed tallies over the whole campaign: one row per (tally, key) where
-- tally_fact has one per (tally, day, key). A "distinct" tally (家) over a period that
-- holds all its facts counts these rows instead of ~25× as many daily ones.
CREATE TABLE tally_key (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key)
) WITHOUT ROWID;

INSERT INTO tally_key (campaign, tally_id, key, n)
SELECT campaign, tally_id, key, SUM(n) FROM tally_fact WHERE key != ''
GROUP BY campaign, tally_id, key HAVING SUM(n) != 0;

-- Serves `record list`: its count (campaign, not voided, a day range, an action) reads
-- only this index, and its page (newest first: day, then time) walks it without a sort.
CREATE INDEX inspection_campaign_list ON inspection (campaign, voided, day, started_at, action);
