-- Live keys of keyed tallies over the whole campaign, as the laptop's tally_key
-- (migrations/003): one row per (tally, key) where tally_fact has one per (tally, day,
-- key). A "distinct" tally (家) over a period that holds all its facts counts these rows
-- instead of ~25x as many daily ones: the district report over 1M central rows.
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
