-- `latest` tallies: the state of each entity as of its latest live record in the period
-- (tui_app/domain/tally.py). One row per record a latest tally applies to (its *mark*):
-- its day and moment order one entity's records (the local day follows the moment), state
-- is 1 when the record matches the tally's `match`. A period's value is, per key, the
-- state of its latest row up to the period's end: one primary-key seek per entity.
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
-- Two seeks tell whether a period holds every row of a tally (then tally_latest_key
-- answers without reading tally_latest at all).
CREATE INDEX tally_latest_day ON tally_latest (campaign, tally_id, day);

-- The latest row of each key over the whole campaign, kept on every write: a report
-- over the whole campaign (or up to today) counts these, one row per entity.
CREATE TABLE tally_latest_key (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    day TEXT NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key)
) WITHOUT ROWID;
