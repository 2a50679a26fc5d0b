-- `latest` tallies: the state of each entity as of its latest live record in the period
-- (tui_app/domain/tally.py). One row per record a latest tally applies to (its *mark*):
-- the moment orders one entity's records, state is 1 when the record matches the
-- tally's `match`. A period's value is, per key, the state of its latest row.
CREATE TABLE tally_latest (
    campaign TEXT NOT NULL,
    tally_id TEXT NOT NULL,
    key TEXT NOT NULL,
    moment TEXT NOT NULL,
    record_id TEXT NOT NULL,
    day TEXT NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (campaign, tally_id, key, moment, record_id)
) WITHOUT ROWID;
-- Two seeks tell whether a period holds every row of a tally (then tally_latest_key
-- answers), and a part of the campaign reads only its days.
CREATE INDEX tally_latest_day ON tally_latest (campaign, tally_id, day, key, moment, record_id, state);

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
