//! The invariants besides tallies that `langso verify` proves: what a storage fault, a
//! restore or a half-applied change would break. Each check is one query that lists the
//! rows breaking its rule (nothing when the database is sound).

use crate::reference::current_version;
use crate::{Result, Store};
use rusqlite::Connection;

/// One row that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Which rule: `foreign_key`, `acked_seq`, `correction_link`, `placed_day`, `village_placement`,
    /// `coverage_history`, `change_log` or `audit_chain`
    /// (crate::audit: the log's hash chain is unbroken).
    pub check: &'static str,
    /// What breaks it, in words, with the row's public ids.
    pub detail: String,
}

/// (rule, query returning one text column per offending row).
const CHECKS: &[(&str, &str)] = &[
    // Every reference between rows points at a row that exists (a row deleted with
    // foreign keys off, or a file edited by hand, breaks this).
    (
        "foreign_key",
        "SELECT 'table ' || fk.\"table\" || ' row ' || coalesce(fk.rowid, '?') || ' refers to a missing row of '
                || fk.parent
         FROM pragma_foreign_key_check AS fk",
    ),
    // A device's acknowledged high-water mark is exactly the end of the first unbroken run
    // of processed seqs (stored or rejected) from 1: never ahead (an acknowledgement of
    // something not stored), never behind (a phone held back for nothing). A phone a roster
    // moved to another team has its past on rows of the old team (`devices.past_of`,
    // crate::roster::devices): its run spans them, and they are checked as part of it.
    (
        "acked_seq",
        "WITH past(id, phone) AS (SELECT id, past_of FROM devices WHERE past_of IS NOT NULL)
         SELECT 'device ' || lower(hex(d.device_id)) || ': acked_seq ' || d.acked_seq
                || ' is not the end of its unbroken run of processed seqs from 1'
         FROM devices d
         WHERE d.id NOT IN (SELECT id FROM past) AND (d.acked_seq < 0
            OR d.acked_seq <> (SELECT count(*) FROM (
                   SELECT seq FROM events WHERE seq BETWEEN 1 AND d.acked_seq
                     AND device_id IN (SELECT d.id UNION ALL SELECT id FROM past WHERE phone = d.id)
                   UNION
                   SELECT seq FROM rejections WHERE seq BETWEEN 1 AND d.acked_seq
                     AND device_id IN (SELECT d.id UNION ALL SELECT id FROM past WHERE phone = d.id)))
            OR EXISTS (SELECT 1 FROM events WHERE device_id = d.id AND seq = d.acked_seq + 1)
            OR EXISTS (SELECT 1 FROM rejections WHERE device_id = d.id AND seq = d.acked_seq + 1))",
    ),
    // A correction and its target point at each other, both ways.
    (
        "correction_link",
        "SELECT 'event ' || lower(hex(e.event_id)) || ' corrects a target that does not name it'
         FROM events e JOIN events t ON t.id = e.corrects
         WHERE t.superseded_by IS NOT e.id
         UNION ALL
         SELECT 'event ' || lower(hex(t.event_id)) || ' is superseded by an event that does not correct it'
         FROM events t LEFT JOIN events e ON e.id = t.superseded_by
         WHERE t.superseded_by IS NOT NULL AND e.corrects IS NOT t.id",
    ),
    // Each event's day is the Asia/Ho_Chi_Minh (UTC+7) day of its placed time.
    (
        "placed_day",
        "SELECT 'event ' || lower(hex(event_id)) || ': day ' || day || ', placed on day '
                || ((placed_ms + 25200000) / 86400000)
         FROM events WHERE day <> (placed_ms + 25200000) / 86400000",
    ),
    // Every village sits in a commune of the current map.
    (
        "village_placement",
        "SELECT 'village ' || v.village_id || ' has no commune in the current hierarchy version'
         FROM villages v
         WHERE NOT EXISTS (SELECT 1 FROM village_placements p JOIN units u
                           ON u.version_id = p.version_id AND u.code = p.commune_code
                           WHERE p.village_id = v.id AND p.version_id = ?1 AND u.level = 'commune')",
    ),
    // The current coverage is exactly the open spans of its history.
    (
        "coverage_history",
        "SELECT 'team ' || t.team_id || ' covers village ' || v.village_id || ' without an open span'
         FROM team_villages tv JOIN teams t ON t.id = tv.team_id JOIN villages v ON v.id = tv.village_id
         WHERE NOT EXISTS (SELECT 1 FROM team_village_history h WHERE h.team_id = tv.team_id
                           AND h.village_id = tv.village_id AND h.to_ms IS NULL)
         UNION ALL
         SELECT 'team ' || t.team_id || ' has an open span for village ' || v.village_id
                || ' it does not cover'
         FROM team_village_history h JOIN teams t ON t.id = h.team_id JOIN villages v ON v.id = h.village_id
         WHERE h.to_ms IS NULL AND NOT EXISTS (SELECT 1 FROM team_villages tv
                           WHERE tv.team_id = h.team_id AND tv.village_id = h.village_id)",
    ),
    // What phones with a cursor last heard of a team's village agrees with the coverage:
    // the latest change logged for it is an upsert exactly when the team covers it.
    (
        "change_log",
        "WITH latest AS (SELECT team_id, entity_key, op FROM changes c
                         WHERE entity = 'village' AND team_id IS NOT NULL
                           AND seq = (SELECT max(seq) FROM changes l WHERE l.entity = 'village'
                                      AND l.team_id = c.team_id AND l.entity_key = c.entity_key))
         SELECT 'team ' || t.team_id || ': the change log says ' || l.op || ' for village '
                || l.entity_key || ', the coverage says otherwise'
         FROM latest l JOIN teams t ON t.id = l.team_id
         WHERE (l.op = 'upsert') <> EXISTS (SELECT 1 FROM team_villages tv JOIN villages v
                 ON v.id = tv.village_id WHERE tv.team_id = l.team_id AND v.village_id = l.entity_key)
         UNION ALL
         SELECT 'the change log''s sequence (' || s.seq || ') is behind its last change ('
                || (SELECT max(seq) FROM changes) || ')'
         FROM sqlite_sequence s WHERE s.name = 'changes' AND s.seq < (SELECT max(seq) FROM changes)",
    ),
];

/// Runs every check of [`CHECKS`] in one read transaction.
pub(crate) fn check(c: &Connection) -> Result<Vec<Problem>> {
    let version = current_version(c).unwrap_or(-1);
    let mut problems = Vec::new();
    for (name, sql) in CHECKS {
        let mut stmt = c.prepare(sql)?;
        let rows = if stmt.parameter_count() == 1 {
            stmt.query_map([version], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
        } else {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        problems.extend(rows.into_iter().map(|detail| Problem {
            check: name,
            detail,
        }));
    }
    problems.extend(
        crate::audit::chain_problems(c)?
            .into_iter()
            .map(|detail| Problem {
                check: "audit_chain",
                detail,
            }),
    );
    Ok(problems)
}

impl Store {
    /// Checks the invariants besides tallies (see [`Problem::check`] for the rules):
    /// acknowledged seqs, correction links, placed days, village placements, coverage
    /// history and the change log. Empty when the database is sound.
    pub fn verify_integrity(&self) -> Result<Vec<Problem>> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            check(&tx)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_check_is_valid_sql_on_the_latest_schema() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::conn::migrate(&mut c).unwrap();
        assert_eq!(super::check(&c).unwrap(), vec![]);
    }
}
