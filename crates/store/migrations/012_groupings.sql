-- Groupings of communes (issue 8, "Levels are data"): since 2025-07-01 a province has no
-- districts, but may group its communes ("cụm", or the former districts) as a report,
-- leaderboard and leader's scope. A grouping belongs to one hierarchy version (commune
-- codes are reused across versions); a map switch does not carry it.

CREATE TABLE groupings (
    id          INTEGER PRIMARY KEY,
    version_id  INTEGER NOT NULL REFERENCES hierarchy_versions(id), -- the map whose communes it groups
    code        TEXT NOT NULL,             -- unique within the version; a former district keeps its old code ("193")
    name        TEXT NOT NULL,             -- NFC display name, e.g. "Thành phố Hạ Long (cũ)"
    kind        TEXT NOT NULL,             -- 'former_district', 'cluster', …: lower-case a-z, 0-9, '_'
    UNIQUE (version_id, code)
);

CREATE TABLE grouping_communes (
    grouping_id  INTEGER NOT NULL REFERENCES groupings(id) ON DELETE CASCADE, -- the grouping
    commune_code TEXT NOT NULL,            -- a commune of the grouping's version (units.code, level 'commune')
    PRIMARY KEY (grouping_id, commune_code)
) WITHOUT ROWID;

-- "Which groupings hold this commune": scope checks of a grouping leader.
CREATE INDEX grouping_communes_commune ON grouping_communes (commune_code);

-- A grouping leader (role 'grouping_leader', scope kind 'grouping'): the users table is
-- rebuilt to widen its CHECK constraints. Sessions and password codes reference users(id);
-- with deferred foreign keys, dropping the table counts their rows as violations and
-- re-inserting the same ids settles them again before the commit checks.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE users_before_012 AS SELECT * FROM users;

DROP TABLE users;

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,   -- lower-case ASCII [a-z0-9._-], 3 to 64 characters
    role               TEXT NOT NULL CHECK (role IN
                         ('team_leader', 'commune_leader', 'grouping_leader', 'district_leader', 'province_admin')),
    scope_kind         TEXT NOT NULL CHECK (scope_kind IN ('team', 'commune', 'grouping', 'district', 'province')),
    scope_id           TEXT NOT NULL,          -- team id (T00012), unit code in the current hierarchy, or grouping code
    password_hash      TEXT,                   -- argon2id PHC string; NULL until the password is set
    created_ms         INTEGER NOT NULL,
    password_set_ms    INTEGER                 -- when the password was last set
);

INSERT INTO users (id, username, role, scope_kind, scope_id, password_hash, created_ms, password_set_ms)
SELECT id, username, role, scope_kind, scope_id, password_hash, created_ms, password_set_ms
FROM users_before_012;

DROP TABLE users_before_012;
