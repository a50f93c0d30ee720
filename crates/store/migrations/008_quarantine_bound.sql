-- A revoked device cannot fill the disk (issue 7 follow-up). After `revoke-device` its
-- access token still works for up to 15 minutes and every push was kept whole in
-- `quarantine`, resends included. Now a batch is kept once per (device, batch), and a
-- device's quarantined payloads may take 4 MiB in all (crate::push::quarantine); beyond
-- that a batch is refused as before but not stored, and counted in `quarantine_overflow`.

-- A resend of a batch already quarantined is not kept again: drop the copies of the past.
DELETE FROM quarantine
WHERE id NOT IN (SELECT min(id) FROM quarantine GROUP BY device_id, batch_id);
CREATE UNIQUE INDEX quarantine_device_batch ON quarantine (device_id, batch_id);

ALTER TABLE quarantine ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0; -- payload bytes (UTF-8) + 128 for the row itself: what the per-device cap adds up
UPDATE quarantine SET bytes = length(CAST(payload AS BLOB)) + 128;

-- One row per revoked device whose quarantine was full: what was refused without being kept.
CREATE TABLE quarantine_overflow (
    device_id INTEGER PRIMARY KEY REFERENCES devices(id),
    first_ms  INTEGER NOT NULL, -- when the first batch was refused unkept (the one logged)
    last_ms   INTEGER NOT NULL, -- when the latest was
    pushes    INTEGER NOT NULL, -- pushes refused unkept (a resend counts again)
    bytes     INTEGER NOT NULL  -- their payloads' bytes, as they would have been kept
);
