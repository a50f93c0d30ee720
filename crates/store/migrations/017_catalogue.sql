-- The activity catalogue is the province's (issue 9): units in both languages, deactivation
-- by time, weights with effective dates.

-- What one count is, in Vietnamese and in English (NFC). `unit` stays for older phones:
-- the Vietnamese unit, or "vi / en" when the two differ.
ALTER TABLE kinds ADD COLUMN unit_vi TEXT NOT NULL DEFAULT '';
ALTER TABLE kinds ADD COLUMN unit_en TEXT NOT NULL DEFAULT '';
-- When the kind was deactivated (server ms); NULL while active. An event placed before it
-- is still accepted; one placed at or after it is `unknown_kind`. A kind inactive before
-- this migration counts as deactivated since 1970 (it was refused for every event).
ALTER TABLE kinds ADD COLUMN deactivated_ms INTEGER;
UPDATE kinds SET unit_vi = unit, unit_en = unit;
-- The default catalogue's units were English words: give them their Vietnamese names
-- (crate langso_domain::kinds::default_catalogue); a province's own units stay as typed.
UPDATE kinds SET unit_vi = CASE unit
        WHEN 'account' THEN 'tài khoản' WHEN 'signature' THEN 'chữ ký số'
        WHEN 'household' THEN 'hộ kinh doanh' WHEN 'book' THEN 'sổ'
        WHEN 'dossier' THEN 'hồ sơ' WHEN 'session' THEN 'buổi' END
WHERE code IN ('vneid_activation', 'digital_signature', 'qr_payment_sticker',
               'e_payment_account', 'e_health_book', 'online_public_service', 'outreach_session')
  AND unit IN ('account', 'signature', 'household', 'book', 'dossier', 'session');
UPDATE kinds SET deactivated_ms = 0 WHERE active = 0;

-- Every weight a kind has had, from the first local day (Asia/Ho_Chi_Minh) it is in force:
-- a day's score uses the row with the greatest from_day ≤ that day (the first row before
-- it), so a past period's scores stay as they were when a weight changes.
CREATE TABLE kind_weights (
    kind_id  INTEGER NOT NULL REFERENCES kinds(id),
    from_day INTEGER NOT NULL,  -- days since 1970-01-01, Asia/Ho_Chi_Minh
    weight   REAL NOT NULL,     -- leaderboard points per count from that day on
    PRIMARY KEY (kind_id, from_day)
) WITHOUT ROWID;
INSERT INTO kind_weights (kind_id, from_day, weight) SELECT id, 0, weight FROM kinds;
