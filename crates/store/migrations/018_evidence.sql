-- The province's qualifying rule for team stipends (issue 9, "The evidence a province pays
-- teams by"). A rule applies from its month until the next rule's month, so every past
-- month keeps the rule it was judged by; a rule is replaced only for months no report was
-- ever judged by (crate::reports::evidence::rule). Every change is audited.
--
-- Which teams may qualify: those on the roster. The roster a province imports is of the
-- teams its communes' People's Committees formed by decision (brief, "Since 2025"), so no
-- per-team mark is kept; see docs/operations.md, "Evidence for stipends".
CREATE TABLE evidence_rules (
    from_month         INTEGER PRIMARY KEY,  -- first day of the month it applies from, days since 1970-01-01
    min_activity_days  INTEGER NOT NULL CHECK (min_activity_days BETWEEN 0 AND 31),  -- days with a live event by the team
    min_active_members INTEGER NOT NULL CHECK (min_active_members >= 0),  -- members with a live event in the month
    set_ms             INTEGER NOT NULL      -- when it was set, ms since the epoch
);
