-- Leaner report aggregates (issue 8: the writer's aggregates at most 25% of the core push
-- rate). Derived tables like those of 003, maintained in the same group transaction and
-- recomputed by `langso verify`.
--
-- * Late changes move from `late_tallies` (text keys: level and unit, five rows per late
--   event) to three integer- or code-keyed tables, and communes get no rows of their own:
--   a commune's late changes are its villages' (`village_late` of the villages placed in it).
-- * `team_days` goes: a team's days are its members' `member_days` rows (keyed team first,
--   so one range), the same events summed the same way (the recording device's team).
-- * `area_days` keeps districts and provinces only: a commune's days are its villages'
--   `tallies`. `area_months` keeps communes (a year's commune leaderboard reads twelve rows
--   per commune and kind instead of every village's).
-- Same semantics as `late_tallies` (003): a stored event adds its count and one arrival at
-- its day; a correction takes its target's count off the target's day at the correction's
-- arrival day; only rows with rday > day are kept.

CREATE TABLE village_late (
    village_id INTEGER NOT NULL,  -- villages.id of the event's village
    day        INTEGER NOT NULL,  -- the day the change counts on, days since 1970-01-01
    rday       INTEGER NOT NULL,  -- the day it arrived (server receive time, Asia/Ho_Chi_Minh), > day
    kind_id    INTEGER NOT NULL,  -- kinds.id
    total      INTEGER NOT NULL,  -- net change of the day's total
    arrivals   INTEGER NOT NULL,  -- events stored (corrections included)
    PRIMARY KEY (village_id, day, rday, kind_id)
) WITHOUT ROWID;

CREATE TABLE team_late (
    team_id  INTEGER NOT NULL,  -- teams.id of the recording device's team
    day      INTEGER NOT NULL,  -- the day the change counts on, days since 1970-01-01
    rday     INTEGER NOT NULL,  -- the day it arrived, > day
    kind_id  INTEGER NOT NULL,  -- kinds.id
    total    INTEGER NOT NULL,  -- net change of the day's total
    arrivals INTEGER NOT NULL,  -- events stored (corrections included)
    PRIMARY KEY (team_id, day, rday, kind_id)
) WITHOUT ROWID;

-- Districts and the province of the CURRENT hierarchy (rebuilt with the area rows when
-- another version becomes current).
CREATE TABLE area_late (
    code     TEXT NOT NULL,     -- district or province code of the current hierarchy
    day      INTEGER NOT NULL,  -- the day the change counts on, days since 1970-01-01
    rday     INTEGER NOT NULL,  -- the day it arrived, > day
    kind_id  INTEGER NOT NULL,  -- kinds.id
    total    INTEGER NOT NULL,  -- net change of the day's total
    arrivals INTEGER NOT NULL,  -- events stored (corrections included)
    PRIMARY KEY (code, day, rday, kind_id)
) WITHOUT ROWID;

INSERT INTO village_late (village_id, day, rday, kind_id, total, arrivals)
SELECT v.id, l.day, l.rday, l.kind_id, l.total, l.arrivals
FROM late_tallies l JOIN villages v ON v.village_id = l.unit WHERE l.level = 'village';

INSERT INTO team_late (team_id, day, rday, kind_id, total, arrivals)
SELECT t.id, l.day, l.rday, l.kind_id, l.total, l.arrivals
FROM late_tallies l JOIN teams t ON t.team_id = l.unit WHERE l.level = 'team';

INSERT INTO area_late (code, day, rday, kind_id, total, arrivals)
SELECT unit, day, rday, kind_id, total, arrivals
FROM late_tallies WHERE level IN ('district', 'province');

DROP TABLE late_tallies;
DROP TABLE team_days;

-- The commune rows of area_days, of the version the area rows follow.
DELETE FROM area_days WHERE code IN (
    SELECT u.code FROM units u
    JOIN hierarchy_versions h ON h.id = u.version_id
    JOIN meta m ON m.key = 'aggregates_hierarchy' AND m.value = h.key
    WHERE u.level = 'commune');

-- A phone a roster moved to another team (issue 8, crate::roster::devices) keeps its past
-- on a revoked row of the old team; that row names the phone's own row here, so `langso
-- verify` counts the phone's processed seqs over both, listings leave the past row out, and
-- work the phone recorded before the move (pushed later) is stored under the past row.
ALTER TABLE devices ADD COLUMN past_of INTEGER REFERENCES devices(id);  -- the phone's devices.id; NULL for a phone's own row
-- A push looks up the phone's past rows: work it queued before the move is recorded under
-- the past row of the team it was done for (crate::push::Device::at).
CREATE INDEX devices_past_of ON devices (past_of) WHERE past_of IS NOT NULL;
