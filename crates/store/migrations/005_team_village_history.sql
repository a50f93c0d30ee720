-- Which team covered which village when (issue 7, item 6). `team_villages` stays the current
-- coverage that phones pull; an event is judged against the coverage at the time it happened
-- (with a grace after a move, for phones that have not pulled it yet), so work done before a
-- village moved to another team still counts for the team that did it.
CREATE TABLE team_village_history (
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    village_id INTEGER NOT NULL REFERENCES villages(id),
    from_ms    INTEGER NOT NULL,  -- coverage began, ms since the epoch (0: before records began)
    to_ms      INTEGER,           -- coverage ended (exclusive), ms; NULL while it lasts
    PRIMARY KEY (team_id, village_id, from_ms),
    CHECK (to_ms IS NULL OR to_ms >= from_ms)
) WITHOUT ROWID;

-- At most one open interval per team and village.
CREATE UNIQUE INDEX team_village_history_open
    ON team_village_history (team_id, village_id) WHERE to_ms IS NULL;

INSERT INTO team_village_history (team_id, village_id, from_ms, to_ms)
    SELECT team_id, village_id, 0, NULL FROM team_villages;
