-- Clocks that change between recording and pushing (issue 7, item 5).
--
-- A phone may send, with each event, the offset of its clock from the server's as it knew it
-- when it recorded the event (`clock_offset_ms`). The server places the event by trying that
-- offset, then the push's offset (`events.clock_offset_ms`, from `device_clock`), then
-- `occurred_at` as written, and takes the first placement not more than 10 minutes in the
-- future nor more than 400 days before `received_ms` (langso_domain::clock::place). Kept so
-- that every placement can be recomputed from the row: `placed_ms` follows from
-- `occurred_ms`, `record_offset_ms`, `clock_offset_ms` and `received_ms`.
ALTER TABLE events ADD COLUMN record_offset_ms INTEGER; -- phone clock minus server clock at record time, ms, as the phone estimated it; NULL when not sent
