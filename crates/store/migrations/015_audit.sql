-- The audit log (issue 9, "Who changed what"): one row per administrative act, written in
-- the same transaction as the act (crate::audit). Append-only: the triggers below refuse
-- every UPDATE and DELETE, and each row carries the SHA-256 of the row before it and of
-- itself (a hash chain), so `langso verify` finds a row changed or removed with the
-- triggers dropped (a file edited by hand).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,  -- 1, 2, 3, … in the order acts committed
    at_ms     INTEGER NOT NULL,     -- when (Unix ms, the server's clock)
    who       TEXT NOT NULL,        -- a username, or operator[:<os user>] at the command line
    via       TEXT NOT NULL CHECK (via IN ('cli', 'api')),
    addr      TEXT,                 -- the client address over the API; NULL at the command line
    action    TEXT NOT NULL,        -- a stable dotted code, e.g. user.create, target.set
    subject   TEXT NOT NULL,        -- what was acted on, e.g. user:hoa, team:T000123
    before    TEXT,                 -- JSON of the changed values before (NULL: none existed)
    after     TEXT,                 -- JSON of the changed values after (NULL: removed)
    prev_hash TEXT NOT NULL,        -- the previous row's hash (64 zeros for the first)
    hash      TEXT NOT NULL         -- SHA-256 (hex) of prev_hash and this row's fields
);
CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
