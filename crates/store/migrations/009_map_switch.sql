-- The administrative map changes, history follows (issue 8). Making a hierarchy version
-- current places every village in it by the successions its file carries
-- (crate::hierarchy::switch); where a commune was split between successors, a village
-- takes a provisional place until the operator confirms or changes it.

-- The order the file names an old unit's successors in: the first named is the
-- provisional place of a split unit's villages when no successor keeps its code.
ALTER TABLE unit_successions ADD COLUMN position INTEGER NOT NULL DEFAULT 0; -- 0-based order of this link in the file

ALTER TABLE village_placements ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0; -- 1: placed by a switch where successions could not decide (a split commune), awaiting the operator's placements file; 0: certain or confirmed
