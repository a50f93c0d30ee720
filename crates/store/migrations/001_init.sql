-- Langso schema, version 1. Integer surrogate keys keep the hot tables small; the ids the
-- outside world sees (UUIDs, village/team/member ids, unit codes) are UNIQUE columns.

-- Key/value facts about this database file.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,   -- 'generation', 'token_secret', 'current_hierarchy'
    value BLOB NOT NULL       -- text or bytes depending on the key
) WITHOUT ROWID;

-- One imported administrative tree. Codes are reused across versions, so units are keyed
-- by (version, code).
CREATE TABLE hierarchy_versions (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,  -- first valid day, YYYY-MM-DD
    valid_from  TEXT NOT NULL,         -- YYYY-MM-DD
    valid_until TEXT,                  -- YYYY-MM-DD or NULL while current
    source      TEXT NOT NULL          -- provenance of the file it came from
);

CREATE TABLE units (
    version_id  INTEGER NOT NULL REFERENCES hierarchy_versions(id),
    code        TEXT NOT NULL,     -- official GSO code, unique within a version only
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    name        TEXT NOT NULL,     -- NFC
    unit_type   TEXT NOT NULL,     -- Xã, Phường, Thị trấn, Huyện, Thành phố, Đặc khu, Tỉnh
    parent_code TEXT,              -- code of the parent in the same version; NULL for the province
    PRIMARY KEY (version_id, code)
) WITHOUT ROWID;

-- Old unit (previous version) → new unit (this version) links.
CREATE TABLE unit_successions (
    version_id INTEGER NOT NULL REFERENCES hierarchy_versions(id), -- the newer version
    old_code   TEXT NOT NULL,      -- code in the previous version
    new_code   TEXT NOT NULL,      -- code in this version
    share      TEXT NOT NULL,      -- 'full' or 'partial'
    PRIMARY KEY (version_id, old_code, new_code)
) WITHOUT ROWID;

-- The stable leaf. Its id never embeds a commune code.
CREATE TABLE villages (
    id         INTEGER PRIMARY KEY,
    village_id TEXT NOT NULL UNIQUE,   -- public id, e.g. V000123
    name       TEXT NOT NULL,          -- NFC
    population INTEGER NOT NULL,
    households INTEGER NOT NULL
);

-- Where a village sits in each hierarchy version.
CREATE TABLE village_placements (
    village_id   INTEGER NOT NULL REFERENCES villages(id),
    version_id   INTEGER NOT NULL REFERENCES hierarchy_versions(id),
    commune_code TEXT NOT NULL,        -- a commune of that version
    PRIMARY KEY (version_id, village_id)
) WITHOUT ROWID;
CREATE INDEX village_placements_commune ON village_placements (version_id, commune_code);

CREATE TABLE teams (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL UNIQUE,  -- public id, e.g. T00012
    name         TEXT NOT NULL,
    level        TEXT NOT NULL CHECK (level IN ('commune', 'village')),
    commune_code TEXT NOT NULL          -- in the current hierarchy version
);

CREATE TABLE team_villages (
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    village_id INTEGER NOT NULL REFERENCES villages(id),
    PRIMARY KEY (team_id, village_id)
) WITHOUT ROWID;

CREATE TABLE members (
    id        INTEGER PRIMARY KEY,
    member_id TEXT NOT NULL UNIQUE,  -- public id, e.g. M000123
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    name      TEXT NOT NULL,
    role      TEXT NOT NULL          -- 'leader' or 'member'
);
CREATE INDEX members_team ON members (team_id);

-- The activity catalogue.
CREATE TABLE kinds (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,  -- e.g. vneid_activation
    label_vi TEXT NOT NULL,
    label_en TEXT NOT NULL,
    unit     TEXT NOT NULL,         -- what one count is
    weight   REAL NOT NULL,         -- leaderboard points per count
    active   INTEGER NOT NULL DEFAULT 1
);

-- One-time enrollment codes, stored hashed.
CREATE TABLE invites (
    code_hash  BLOB PRIMARY KEY,        -- SHA-256 of the normalised code
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    member_id  INTEGER REFERENCES members(id),  -- NULL: enrollment creates a member
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms    INTEGER,                 -- set once, by the enrollment that used it
    device_id  INTEGER                  -- the device it enrolled
) WITHOUT ROWID;

CREATE TABLE devices (
    id                 INTEGER PRIMARY KEY,
    device_id          BLOB NOT NULL UNIQUE,  -- public UUID
    member_id          INTEGER NOT NULL REFERENCES members(id),
    team_id            INTEGER NOT NULL REFERENCES teams(id),
    name               TEXT NOT NULL,
    enrolled_ms        INTEGER NOT NULL,
    revoked_ms         INTEGER,               -- set by revoke-device: every request then gets 403
    tokens_valid_after INTEGER NOT NULL DEFAULT 0, -- access tokens issued before this ms are refused
    acked_seq          INTEGER NOT NULL DEFAULT 0  -- every seq up to this one is processed
);

-- Opaque refresh tokens, stored hashed. Each use rotates: the used row gets rotated_ms.
CREATE TABLE refresh_tokens (
    token_hash   BLOB PRIMARY KEY,       -- SHA-256 of the token
    device_id    INTEGER NOT NULL REFERENCES devices(id),
    issued_ms    INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL,
    rotated_ms   INTEGER,                -- when it was exchanged for a new pair
    access_iat   INTEGER,                -- issued-at (s) of the access token given then, so an exact retry gets the same pair
    revoked_ms   INTEGER                 -- set when reuse was detected or the device revoked
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id);

-- JWT signing keys. The newest signs; older ones still verify until their tokens expire.
CREATE TABLE signing_keys (
    kid        TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,    -- 32 random bytes (HS256)
    created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- The activity log: append-only. A correction is a new row pointing at its target.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    event_id       BLOB NOT NULL UNIQUE,   -- client-made UUID (v7 advised)
    device_id      INTEGER NOT NULL REFERENCES devices(id),
    seq            INTEGER NOT NULL,       -- per-device sequence number from 1
    kind_id        INTEGER NOT NULL REFERENCES kinds(id),
    village_id     INTEGER NOT NULL REFERENCES villages(id),
    count          INTEGER NOT NULL,       -- 1..1000, or 0..1000 in a correction
    occurred_ms    INTEGER NOT NULL,       -- the phone's occurred_at, ms since the epoch
    occurred_off   INTEGER NOT NULL,       -- the phone's UTC offset, seconds
    placed_ms      INTEGER NOT NULL,       -- occurred_at corrected by the clock offset when that is large
    day            INTEGER NOT NULL,       -- Asia/Ho_Chi_Minh day of placed_ms, days since 1970-01-01
    received_ms    INTEGER NOT NULL,       -- server time the batch arrived
    clock_offset_ms INTEGER NOT NULL,      -- device_clock minus server time at receipt
    clock_flag     INTEGER NOT NULL DEFAULT 0, -- 1 when placed by corrected time
    note           TEXT,                   -- NFC, at most 500 characters; never logged
    corrects       INTEGER REFERENCES events(id),  -- the event this one supersedes
    superseded_by  INTEGER,                -- the correction that superseded this one
    batch_id       BLOB NOT NULL,          -- the push batch it came in
    UNIQUE (device_id, seq)
);
CREATE UNIQUE INDEX events_one_correction ON events (corrects) WHERE corrects IS NOT NULL;

-- Events that were not stored as activity: rejected ones and conflicting ones. They still
-- count as processed for acked_through_seq, and are kept for the user and for audit.
CREATE TABLE rejections (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    seq         INTEGER NOT NULL,
    event_id    BLOB NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('rejected', 'conflict')),
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    payload     TEXT NOT NULL,   -- the event as pushed, JSON
    UNIQUE (device_id, seq)
);

-- Per-village, per-day, per-kind totals: always equal to a recompute from events
-- (sum of count over events that no correction supersedes). `langso verify` checks it.
CREATE TABLE tallies (
    village_id INTEGER NOT NULL,
    day        INTEGER NOT NULL,   -- Asia/Ho_Chi_Minh, days since 1970-01-01
    kind_id    INTEGER NOT NULL,
    total      INTEGER NOT NULL,
    PRIMARY KEY (village_id, day, kind_id)
) WITHOUT ROWID;

-- Reference-data change log for incremental pull. One row per change; team_id scopes it.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT NOT NULL CHECK (entity IN ('village', 'team', 'kind')),
    entity_key TEXT NOT NULL,   -- village_id, team_id or kind code
    op         TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    team_id    INTEGER,         -- NULL: every device sees it; else only that team's devices
    at_ms      INTEGER NOT NULL
);

-- Batches pushed by a revoked device: refused (403) but kept for an administrator to review,
-- never silently dropped.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    batch_id    BLOB NOT NULL,      -- the push batch
    received_ms INTEGER NOT NULL,
    payload     TEXT NOT NULL       -- the events as pushed, JSON array
);
