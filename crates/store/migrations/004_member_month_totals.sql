-- Per team, month and member, all kinds together (issue 3): which members were active in
-- whole months, without reading one row per kind (a province-wide leaderboard over a year
-- asks that of every member). Derived from `events` like the tables of 003, in the same
-- transaction; `langso verify` recomputes it. Filled from the event log when the store first
-- opens after this migration (meta 'aggregates' below 2).
CREATE TABLE member_month_totals (
    team_id   INTEGER NOT NULL,  -- teams.id, of the recording device
    month     INTEGER NOT NULL,  -- first day of the month, days since 1970-01-01
    member_id INTEGER NOT NULL,  -- members.id, of the recording device
    total     INTEGER NOT NULL,  -- sum of count over live events of every kind
    events    INTEGER NOT NULL,  -- live events with count > 0 (> 0 makes the member active)
    PRIMARY KEY (team_id, month, member_id)
) WITHOUT ROWID;
