-- Running accounts and devices day to day (issue 9): disabling a leader, their last login,
-- and the review of what a revoked device pushed (count it or discard it, with a reason).

ALTER TABLE users ADD COLUMN disabled_ms INTEGER;    -- set by disable-user: no login, every session ended; NULL: enabled
ALTER TABLE users ADD COLUMN last_login_ms INTEGER;  -- the latest successful login (API or dashboard); NULL: never

ALTER TABLE quarantine ADD COLUMN decided_ms INTEGER;  -- when the batch was reviewed; NULL: awaiting review
ALTER TABLE quarantine ADD COLUMN decision TEXT CHECK (decision IN ('counted', 'discarded')); -- the review's outcome
ALTER TABLE quarantine ADD COLUMN reason TEXT;         -- why, as the reviewer wrote it (1 to 500 characters)
ALTER TABLE quarantine ADD COLUMN decided_by TEXT;     -- who decided: 'operator' or the leader's username
