-- People, not phones (issue 8). A member is a person on a team's roster; devices belong to
-- members. An enrolment code bound to no member creates an "unassigned" member (never named
-- after the phone) that a leader can merge into a roster member later, history included. A
-- leader can move a device to another member of its team: events the device stored before
-- the move stay with the member who recorded them, unless the move corrects a wrong binding.

-- 1 for a placeholder member made by an enrolment without a member (or by the re-adoption of
-- a device whose member the restored database lacked); 0 for a member of the roster.
ALTER TABLE members ADD COLUMN unassigned INTEGER NOT NULL DEFAULT 0;

-- The member this one was merged into (members.id); NULL while it stands on its own. A merged
-- member keeps its row (old refresh tokens and invites name it) but holds no devices, no
-- events and no aggregate rows, and no list shows it.
ALTER TABLE members ADD COLUMN merged_into INTEGER REFERENCES members(id);

-- The member who recorded the event (members.id), set when its device was moved to another
-- member after the event was stored; NULL: the device's member (devices.member_id). Every
-- aggregate keyed by member reads coalesce(events.member_id, devices.member_id).
ALTER TABLE events ADD COLUMN member_id INTEGER REFERENCES members(id);

-- Merging a member re-keys its events: a seek, not a scan of the log (few rows have one).
CREATE INDEX events_member ON events (member_id) WHERE member_id IS NOT NULL;

-- Members that enrolments made before this migration, named after their phones: they become
-- unassigned placeholders with a neutral name (the phone keeps its own name).
UPDATE members SET unassigned = 1, name = 'Chưa gán ' || member_id
WHERE id IN (SELECT d.member_id FROM invites i JOIN devices d ON d.id = i.device_id
             WHERE i.member_id IS NULL)
   OR name = member_id;
