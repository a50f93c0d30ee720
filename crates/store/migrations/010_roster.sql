-- Real rosters (issue 8, "Real rosters"): villages, teams and members loaded from the files a
-- province keeps (`langso import-roster`, `POST /v1/admin/roster`), matched by the
-- province's own codes. A row's code is its public id (V000123, T00012, M000123) until a
-- roster names it otherwise, so a roster exported from Langso imports back unchanged. The
-- triggers give rows made elsewhere (the demo, enrolment) that code. No column here holds a
-- national ID or phone number: a roster's such columns are skipped unread.

ALTER TABLE villages ADD COLUMN code TEXT;    -- the province's code for the village (trimmed, NFC), unique
ALTER TABLE villages ADD COLUMN adults INTEGER; -- people 18 and over from the roster; NULL: not given (targets take 70% of population)
ALTER TABLE teams ADD COLUMN code TEXT;       -- the province's code for the team, unique
ALTER TABLE members ADD COLUMN code TEXT;     -- the province's code for the member, unique
ALTER TABLE members ADD COLUMN active INTEGER NOT NULL DEFAULT 1; -- 1: on the team's current roster; 0: left it (never deleted: events and devices stay theirs)

UPDATE villages SET code = village_id;
UPDATE teams SET code = team_id;
UPDATE members SET code = member_id;

CREATE UNIQUE INDEX villages_code ON villages (code);
CREATE UNIQUE INDEX teams_code ON teams (code);
CREATE UNIQUE INDEX members_code ON members (code);

CREATE TRIGGER villages_code_default AFTER INSERT ON villages WHEN NEW.code IS NULL
BEGIN
    UPDATE villages SET code = NEW.village_id WHERE id = NEW.id;
END;
CREATE TRIGGER teams_code_default AFTER INSERT ON teams WHEN NEW.code IS NULL
BEGIN
    UPDATE teams SET code = NEW.team_id WHERE id = NEW.id;
END;
CREATE TRIGGER members_code_default AFTER INSERT ON members WHEN NEW.code IS NULL
BEGIN
    UPDATE members SET code = NEW.member_id WHERE id = NEW.id;
END;
