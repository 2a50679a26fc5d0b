-- `latest` tallies, as the laptop keeps them (migrations/005_tally_latest.sql): one row
-- per record a latest tally applies to, and the latest row of each key over the whole
-- campaign, kept when a push is materialised.
CREATE TABLE tally_latest (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    moment TEXT NOT NULL,
    record_id TEXT NOT NULL,
    day TEXT NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key, day, moment, record_id)
) WITHOUT ROWID;
CREATE INDEX tally_latest_day ON tally_latest (campaign, tally_id, day);

CREATE TABLE tally_latest_key (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    day TEXT NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key)
) WITHOUT ROWID;

-- The pack each campaign's figures were counted with ('counted:<campaign>' → its hash).
-- A store made by an earlier release counted with an older pack and knew no latest
-- tallies: an empty hash makes the next catch-up recount those campaigns.
INSERT OR IGNORE INTO meta (k, v)
SELECT DISTINCT 'counted:' || campaign, '' FROM current WHERE campaign IS NOT NULL;
