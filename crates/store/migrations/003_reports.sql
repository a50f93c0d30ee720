-- Report aggregates and targets (issue 3).
--
-- Every table here but `targets` is derived from `events` and maintained in the writer's
-- group transaction, in the same commit as the events it sums (see src/aggregates.rs);
-- `langso verify` recomputes each from the event log. Like `tallies`, a row's `total` is the
-- sum of `count` over live events (those no correction supersedes), and `events` is how many
-- live events with a count above zero it sums. Days are Asia/Ho_Chi_Minh calendar days as
-- days since 1970-01-01; a `month` is the day number of the month's first day. Rows that
-- fall to zero may stay; readers ignore them. Existing event logs are summed into these
-- tables when the store first opens after this migration (meta 'aggregates').

-- Per village, month and kind: whole months of a village's (or many villages') history
-- without reading every day.
CREATE TABLE village_months (
    village_id INTEGER NOT NULL,  -- villages.id
    month      INTEGER NOT NULL,  -- first day of the month, days since 1970-01-01
    kind_id    INTEGER NOT NULL,  -- kinds.id
    total      INTEGER NOT NULL,  -- sum of count over live events
    events     INTEGER NOT NULL,  -- live events with count > 0
    PRIMARY KEY (village_id, month, kind_id)
) WITHOUT ROWID;

-- Per team, day and kind. The team is the recording device's team (devices.team_id), so a
-- team's figures are its members' work wherever they recorded it.
CREATE TABLE team_days (
    team_id INTEGER NOT NULL,  -- teams.id, of the recording device
    day     INTEGER NOT NULL,  -- Asia/Ho_Chi_Minh day, days since 1970-01-01
    kind_id INTEGER NOT NULL,  -- kinds.id
    total   INTEGER NOT NULL,  -- sum of count over live events
    events  INTEGER NOT NULL,  -- live events with count > 0
    PRIMARY KEY (team_id, day, kind_id)
) WITHOUT ROWID;

CREATE TABLE team_months (
    team_id INTEGER NOT NULL,  -- teams.id, of the recording device
    month   INTEGER NOT NULL,  -- first day of the month, days since 1970-01-01
    kind_id INTEGER NOT NULL,  -- kinds.id
    total   INTEGER NOT NULL,  -- sum of count over live events
    events  INTEGER NOT NULL,  -- live events with count > 0
    PRIMARY KEY (team_id, month, kind_id)
) WITHOUT ROWID;

-- Per team, day, member and kind: volunteer leaderboards and active-member counts. Keyed
-- team first so one team's (or a district's teams') members over a period are one range.
CREATE TABLE member_days (
    team_id   INTEGER NOT NULL,  -- teams.id, of the recording device
    day       INTEGER NOT NULL,  -- Asia/Ho_Chi_Minh day, days since 1970-01-01
    member_id INTEGER NOT NULL,  -- members.id, of the recording device
    kind_id   INTEGER NOT NULL,  -- kinds.id
    total     INTEGER NOT NULL,  -- sum of count over live events
    events    INTEGER NOT NULL,  -- live events with count > 0 (> 0 makes the member active)
    PRIMARY KEY (team_id, day, member_id, kind_id)
) WITHOUT ROWID;

CREATE TABLE member_months (
    team_id   INTEGER NOT NULL,  -- teams.id, of the recording device
    month     INTEGER NOT NULL,  -- first day of the month, days since 1970-01-01
    member_id INTEGER NOT NULL,  -- members.id, of the recording device
    kind_id   INTEGER NOT NULL,  -- kinds.id
    total     INTEGER NOT NULL,  -- sum of count over live events
    events    INTEGER NOT NULL,  -- live events with count > 0
    PRIMARY KEY (team_id, month, member_id, kind_id)
) WITHOUT ROWID;

-- Per commune, district and province of the CURRENT hierarchy, day and kind, by where the
-- event's village is placed. Rebuilt when another hierarchy version becomes current
-- (meta 'aggregates_hierarchy' names the version these rows follow).
CREATE TABLE area_days (
    code    TEXT NOT NULL,     -- unit code of the current hierarchy (commune, district or province)
    day     INTEGER NOT NULL,  -- Asia/Ho_Chi_Minh day, days since 1970-01-01
    kind_id INTEGER NOT NULL,  -- kinds.id
    total   INTEGER NOT NULL,  -- sum of count over live events
    events  INTEGER NOT NULL,  -- live events with count > 0
    PRIMARY KEY (code, day, kind_id)
) WITHOUT ROWID;

CREATE TABLE area_months (
    code    TEXT NOT NULL,     -- unit code of the current hierarchy
    month   INTEGER NOT NULL,  -- first day of the month, days since 1970-01-01
    kind_id INTEGER NOT NULL,  -- kinds.id
    total   INTEGER NOT NULL,  -- sum of count over live events
    events  INTEGER NOT NULL,  -- live events with count > 0
    PRIMARY KEY (code, month, kind_id)
) WITHOUT ROWID;

-- Changes that arrived after the day they count on: a log of tally deltas by the day they
-- count on (`day`) and the day they arrived (`rday`, the server's receive time in
-- Asia/Ho_Chi_Minh). A stored event adds its count (and one arrival) at its day; a
-- correction also takes its target's count off the target's day, at the correction's rday.
-- Only rows with rday > day are kept: for a closed period [from, to] the late changes are
-- the rows with day in it and rday > to, and the total as it stood when the period closed
-- is the current total minus them.
CREATE TABLE late_tallies (
    level    TEXT NOT NULL CHECK (level IN ('village', 'team', 'commune', 'district', 'province')),
    unit     TEXT NOT NULL,     -- village id (V000123), team id (T00012) or unit code of the current hierarchy
    day      INTEGER NOT NULL,  -- the day the change counts on, days since 1970-01-01
    rday     INTEGER NOT NULL,  -- the day it arrived (server receive time, Asia/Ho_Chi_Minh), > day
    kind_id  INTEGER NOT NULL,  -- kinds.id
    total    INTEGER NOT NULL,  -- net change of the day's total
    arrivals INTEGER NOT NULL,  -- events stored (corrections included)
    PRIMARY KEY (level, unit, day, rday, kind_id)
) WITHOUT ROWID;

-- Targets per unit and kind. A unit without its own target for a kind uses the 'default'
-- row for that kind. Commune, district and province targets belong to one hierarchy
-- version, because unit codes are reused across versions.
CREATE TABLE targets (
    level      TEXT NOT NULL CHECK (level IN ('default', 'village', 'team', 'commune', 'district', 'province')),
    hierarchy  TEXT NOT NULL DEFAULT '',  -- hierarchy_versions.key for commune/district/province; '' otherwise
    unit       TEXT NOT NULL DEFAULT '',  -- village id, team id or unit code; '' for 'default'
    kind       TEXT NOT NULL,             -- kinds.code (text: defaults exist before the catalogue)
    basis      TEXT NOT NULL CHECK (basis IN ('count', 'population', 'adults', 'households')),
    value      REAL NOT NULL,             -- a count for 'count'; else a share, 0 to 1 (0.95 = 95%)
    start_date TEXT,                      -- YYYY-MM-DD: count from this day; NULL: from the first event
    due_date   TEXT,                      -- YYYY-MM-DD: the deadline, shown with the coverage
    note       TEXT NOT NULL DEFAULT '',  -- where the target comes from
    updated_ms INTEGER NOT NULL,          -- when it was last set (0: created by this migration)
    PRIMARY KEY (level, hierarchy, unit, kind)
) WITHOUT ROWID;

-- Resolution 09-NQ/TU (2022) targets for 2025 that an activity kind measures. Adults are
-- taken as 70% of the population (langso_domain::targets::ADULT_SHARE).
INSERT INTO targets (level, kind, basis, value, due_date, note, updated_ms) VALUES
    ('default', 'vneid_activation', 'population', 1.0, '2025-12-31',
     'Nghị quyết 09-NQ/TU: 100% người dân có danh tính số', 0),
    ('default', 'e_payment_account', 'adults', 0.95, '2025-12-31',
     'Nghị quyết 09-NQ/TU: 95% người trưởng thành có tài khoản thanh toán điện tử', 0),
    ('default', 'e_health_book', 'population', 1.0, '2025-12-31',
     'Nghị quyết 09-NQ/TU: 100% người dân có hồ sơ sức khỏe điện tử', 0);
