//! Re-keying the member aggregates when events change member: a device move that corrects
//! a wrong binding, and a merge. Each runs in the caller's transaction.

use crate::Result;
use crate::aggregates::{month, shape};
use rusqlite::{Transaction, params};

/// The aggregates keyed by member (migrations 003 and 004).
const MEMBER_TABLES: [&str; 3] = ["member_days", "member_months", "member_month_totals"];

/// The device's events that have no member of their own (counted for the device's member)
/// stay with `member`: they get it as theirs.
pub(super) fn keep_with(tx: &Transaction<'_>, device: i64, member: i64) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE events SET member_id = ?1 WHERE device_id = ?2 AND member_id IS NULL",
        params![member, device],
    )?)
}

/// The row key of `table` for the live events of `device` without a member of their own,
/// the member column replaced by `?1`, and the GROUP BY of their sums.
fn device_sums(table: &str) -> String {
    let (keys, _) = shape(table);
    let cols: Vec<String> = keys
        .iter()
        .map(|k| match *k {
            "team_id" => "?2".to_owned(),
            "member_id" => "?1".to_owned(),
            "month" => month("e.day"),
            other => format!("e.{other}"),
        })
        .collect();
    let group: Vec<String> = (1..=keys.len())
        .filter(|i| !matches!(keys[i - 1], "team_id" | "member_id"))
        .map(|i| i.to_string())
        .collect();
    format!(
        "SELECT {}, ?4 * sum(e.count), ?4 * sum(e.count > 0) FROM events e
         WHERE e.device_id = ?3 AND e.member_id IS NULL AND e.superseded_by IS NULL
         GROUP BY {}",
        cols.join(", "),
        group.join(", ")
    )
}

/// `INSERT INTO table … ON CONFLICT add` of a select giving its keys and two sums.
fn add_rows(table: &str, select: &str) -> String {
    let (keys, [v1, v2]) = shape(table);
    let keys = keys.join(", ");
    format!(
        "INSERT INTO {table} ({keys}, {v1}, {v2}) {select}
         ON CONFLICT ({keys}) DO UPDATE SET {v1} = {v1} + excluded.{v1}, {v2} = {v2} + excluded.{v2}"
    )
}

/// The events `device` (of `team`) stored without a member of their own move from member
/// `from` to `to`: their sums leave `from`'s rows and join `to`'s. Returns how many.
pub(super) fn device_events(
    tx: &Transaction<'_>,
    device: i64,
    team: i64,
    from: i64,
    to: i64,
) -> Result<i64> {
    for table in MEMBER_TABLES {
        let sql = add_rows(table, &device_sums(table));
        tx.execute(&sql, params![from, team, device, -1])?;
        tx.execute(&sql, params![to, team, device, 1])?;
    }
    Ok(tx.query_row(
        "SELECT count(*) FROM events WHERE device_id = ?1 AND member_id IS NULL",
        [device],
        |r| r.get(0),
    )?)
}

/// Everything of member `from` becomes `to`'s: aggregate rows, events, devices, pending
/// invites; `from` (and any member merged into it) is marked merged into `to`. Returns the
/// devices and events moved.
pub(super) fn merge(tx: &Transaction<'_>, from: i64, to: i64) -> Result<(i64, i64)> {
    let events: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM events e JOIN devices d ON d.id = e.device_id
                 WHERE d.member_id = ?1 AND e.member_id IS NULL)
              + (SELECT count(*) FROM events WHERE member_id = ?1)",
        [from],
        |r| r.get(0),
    )?;
    for table in MEMBER_TABLES {
        let (keys, [v1, v2]) = shape(table);
        let cols: Vec<&str> = keys
            .iter()
            .map(|k| if *k == "member_id" { "?2" } else { k })
            .collect();
        let select = format!(
            "SELECT {}, {v1}, {v2} FROM {table} WHERE member_id = ?1",
            cols.join(", ")
        );
        tx.execute(&add_rows(table, &select), params![from, to])?;
        tx.execute(&format!("DELETE FROM {table} WHERE member_id = ?1"), [from])?;
    }
    tx.execute(
        "UPDATE events SET member_id = ?2 WHERE member_id = ?1",
        params![from, to],
    )?;
    let devices = tx.execute(
        "UPDATE devices SET member_id = ?2 WHERE member_id = ?1",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE invites SET member_id = ?2 WHERE member_id = ?1 AND used_ms IS NULL",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE members SET merged_into = ?2 WHERE id = ?1 OR merged_into = ?1",
        params![from, to],
    )?;
    Ok((devices as i64, events))
}
