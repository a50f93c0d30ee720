-- Leader accounts (issue 3): people who read reports and manage teams, each with one role
-- and one scope (a team or a unit of the current hierarchy). Secrets are stored hashed:
-- passwords with argon2id, high-entropy codes, tokens and session ids with SHA-256.

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,   -- lower-case ASCII [a-z0-9._-], 3 to 64 characters
    role               TEXT NOT NULL CHECK (role IN
                         ('team_leader', 'commune_leader', 'district_leader', 'province_admin')),
    scope_kind         TEXT NOT NULL CHECK (scope_kind IN ('team', 'commune', 'district', 'province')),
    scope_id           TEXT NOT NULL,          -- team id (T00012) or unit code in the current hierarchy
    password_hash      TEXT,                   -- argon2id PHC string; NULL until the password is set
    created_ms         INTEGER NOT NULL,
    password_set_ms    INTEGER                 -- when the password was last set
);

-- One-time password-setting codes (from `langso create-user`), stored hashed.
CREATE TABLE password_codes (
    code_hash  BLOB PRIMARY KEY,                     -- SHA-256 of the normalised code
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms    INTEGER                               -- set once, when the password was set with it
) WITHOUT ROWID;
CREATE INDEX password_codes_user ON password_codes (user_id);

-- One row per login: an API login (refresh tokens below) or a dashboard cookie.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,              -- the `sid` claim of this login's access tokens
    user_id      INTEGER NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL CHECK (kind IN ('api', 'cookie')),
    secret_hash  BLOB UNIQUE,                      -- cookie sessions: SHA-256 of the cookie value; NULL for api
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,                 -- cookie sessions: last use (sliding expiry)
    expires_ms   INTEGER NOT NULL,                 -- cookie: last_seen_ms + 12 h; api: expiry of the newest refresh token
    revoked_ms   INTEGER                           -- logout, or refresh-token reuse detected
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Leaders' opaque refresh tokens, stored hashed. Each use rotates: the used row gets rotated_ms.
CREATE TABLE user_refresh_tokens (
    token_hash BLOB PRIMARY KEY,                    -- SHA-256 of the token
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    issued_ms  INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    rotated_ms INTEGER,                             -- when it was exchanged for a new pair
    access_iat INTEGER                              -- issued-at (s) of the access token given then, so an exact retry gets the same pair
) WITHOUT ROWID;
CREATE INDEX user_refresh_tokens_session ON user_refresh_tokens (session_id);

-- Failed logins, for slowing down and refusing password guessing. Rows older than the
-- lockout window are deleted as new failures arrive.
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    key   TEXT NOT NULL,      -- 'user:<normalised username>' (known or not) or 'ip:<client address>'
    at_ms INTEGER NOT NULL    -- when the failure happened
);
CREATE INDEX login_failures_key ON login_failures (key, at_ms);
