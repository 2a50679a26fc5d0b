-- `latest` tallies (see the SQLite central's 004): one row per record a latest tally
-- applies to, and the latest row of each key over the whole campaign. Days, moments
-- and record ids order by their bytes ("C"), as on SQLite, whatever the database locale.
CREATE TABLE tally_latest (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    moment TEXT COLLATE "C" NOT NULL,
    record_id TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key, day, moment, record_id)
);
CREATE INDEX tally_latest_day ON tally_latest (campaign, tally_id, day);

CREATE TABLE tally_latest_key (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    day TEXT NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key)
);

-- The pack each campaign's figures were counted with ('counted:<campaign>' → its hash);
-- an empty hash makes the next catch-up recount a campaign counted by an older release.
INSERT INTO meta (k, v)
SELECT DISTINCT 'counted:' || campaign, '' FROM current WHERE campaign IS NOT NULL
ON CONFLICT (k) DO NOTHING;
