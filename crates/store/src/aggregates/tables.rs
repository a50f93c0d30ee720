//! The derived tables of migration 003: their keys and the SQL that recomputes each from
//! the event log. `verify` compares against it, and `rebuild` refills from it.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Transaction};

/// One derived table: its name, key columns in primary-key order, its two value columns,
/// and a query giving (keys…, value, value) ordered by the keys, recomputed from events.
pub(crate) struct Table {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub values: [&'static str; 2],
    pub recompute: String,
    /// Rows that follow the current hierarchy (rebuilt when it changes), as a WHERE clause.
    pub area_rows: Option<&'static str>,
}

/// Day number of the first of the month of day number `x`.
pub(crate) fn month(x: &str) -> String {
    format!("(unixepoch({x} * 86400, 'unixepoch', 'start of month') / 86400)")
}

/// Villages placed in the current hierarchy with their commune, district (None where the
/// commune's parent is not a district) and province.
pub(crate) const PLACES: &str = "
    SELECT p.village_id AS village_id, cu.code AS commune,
           CASE WHEN pu.level = 'district' THEN pu.code END AS district,
           CASE WHEN pu.level = 'province' THEN pu.code
                WHEN gu.level = 'province' THEN gu.code END AS province
    FROM village_placements p
    JOIN units cu ON cu.version_id = p.version_id AND cu.code = p.commune_code AND cu.level = 'commune'
    LEFT JOIN units pu ON pu.version_id = cu.version_id AND pu.code = cu.parent_code
    LEFT JOIN units gu ON gu.version_id = pu.version_id AND gu.code = pu.parent_code
    WHERE p.version_id = (SELECT id FROM current_version)";

const LIVE: &str =
    "FROM events e JOIN devices d ON d.id = e.device_id WHERE e.superseded_by IS NULL";
/// The two value columns of a recompute, named so `rebuild` can filter on them.
const SUMS: &str = "sum(e.count) AS v1, sum(e.count > 0) AS v2";

/// `va (village_id, code)`: each placed village's areas. `communes`: its commune too (the
/// monthly rows keep communes; the daily and late rows only districts and the province).
fn areas_of_places(communes: bool) -> String {
    let commune = match communes {
        true => "SELECT village_id, commune AS code FROM pl UNION ALL",
        false => "",
    };
    format!(
        "WITH pl AS ({PLACES}), va AS (
            {commune} SELECT village_id, district AS code FROM pl WHERE district IS NOT NULL
            UNION ALL SELECT village_id, province FROM pl WHERE province IS NOT NULL)"
    )
}

/// A late-change recompute grouped by `unit` (a column of `late`, or `va.code` joined).
fn late_recompute(unit: &str, join: &str) -> String {
    format!(
        "{}, deltas AS (
            SELECT e.village_id, d.team_id, e.day, (e.received_ms + 25200000) / 86400000 AS rday,
                   e.kind_id, e.count AS total, 1 AS arrivals
            FROM events e JOIN devices d ON d.id = e.device_id
            UNION ALL
            SELECT t.village_id, d.team_id, t.day, (c.received_ms + 25200000) / 86400000,
                   t.kind_id, -t.count, 0
            FROM events c JOIN events t ON t.id = c.corrects JOIN devices d ON d.id = t.device_id),
         late AS (SELECT * FROM deltas WHERE rday > day)
         SELECT {unit}, late.day, late.rday, late.kind_id, sum(late.total) AS v1,
                sum(late.arrivals) AS v2
         FROM late {join} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        areas_of_places(false)
    )
}

/// The key columns (primary-key order) and value columns of a derived table.
pub(crate) fn shape(table: &str) -> (&'static [&'static str], [&'static str; 2]) {
    const SUMS: [&str; 2] = ["total", "events"];
    const LATE: [&str; 2] = ["total", "arrivals"];
    match table {
        "village_months" => (&["village_id", "month", "kind_id"], SUMS),
        "team_months" => (&["team_id", "month", "kind_id"], SUMS),
        "member_days" => (&["team_id", "day", "member_id", "kind_id"], SUMS),
        "member_months" => (&["team_id", "month", "member_id", "kind_id"], SUMS),
        "member_month_totals" => (&["team_id", "month", "member_id"], SUMS),
        "area_days" => (&["code", "day", "kind_id"], SUMS),
        "area_months" => (&["code", "month", "kind_id"], SUMS),
        "village_late" => (&["village_id", "day", "rday", "kind_id"], LATE),
        "team_late" => (&["team_id", "day", "rday", "kind_id"], LATE),
        "area_late" => (&["code", "day", "rday", "kind_id"], LATE),
        _ => unreachable!("not a derived table: {table}"),
    }
}

/// Every derived table, in the order they are verified.
pub(crate) fn tables() -> Vec<Table> {
    let m = month("e.day");
    let t = |name: &'static str, recompute: String, area_rows| {
        let (keys, values) = shape(name);
        Table {
            name,
            keys,
            values,
            recompute,
            area_rows,
        }
    };
    vec![
        t(
            "village_months",
            format!(
                "SELECT e.village_id, {m}, e.kind_id, {SUMS} {LIVE} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
            None,
        ),
        t(
            "team_months",
            format!(
                "SELECT d.team_id, {m}, e.kind_id, {SUMS} {LIVE} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
            None,
        ),
        t(
            "member_days",
            format!(
                "SELECT d.team_id, e.day, coalesce(e.member_id, d.member_id), e.kind_id, {SUMS} {LIVE}
                 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
            ),
            None,
        ),
        t(
            "member_months",
            format!(
                "SELECT d.team_id, {m}, coalesce(e.member_id, d.member_id), e.kind_id, {SUMS} {LIVE}
                 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
            ),
            None,
        ),
        t(
            "member_month_totals",
            format!(
                "SELECT d.team_id, {m}, coalesce(e.member_id, d.member_id), {SUMS} {LIVE} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
            None,
        ),
        t(
            "area_days",
            format!(
                "{} SELECT va.code, e.day, e.kind_id, {SUMS}
                 FROM events e JOIN va ON va.village_id = e.village_id WHERE e.superseded_by IS NULL
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                areas_of_places(false)
            ),
            Some("1 = 1"),
        ),
        t(
            "area_months",
            format!(
                "{} SELECT va.code, {m}, e.kind_id, {SUMS}
                 FROM events e JOIN va ON va.village_id = e.village_id WHERE e.superseded_by IS NULL
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                areas_of_places(true)
            ),
            Some("1 = 1"),
        ),
        t("village_late", late_recompute("late.village_id", ""), None),
        t("team_late", late_recompute("late.team_id", ""), None),
        t(
            "area_late",
            late_recompute("va.code", "JOIN va ON va.village_id = late.village_id"),
            Some("1 = 1"),
        ),
    ]
}

/// Refills derived tables from the event log: all of them, or (`areas_only`) the rows
/// that follow the current hierarchy.
pub(crate) fn rebuild(tx: &Transaction<'_>, areas_only: bool) -> Result<()> {
    rebuild_with(tx, areas_only, &|_| {})
}

/// [`rebuild`], telling `progress` which table it starts on ("area_days (1/3)").
pub(crate) fn rebuild_with(
    tx: &Transaction<'_>,
    areas_only: bool,
    progress: &dyn Fn(&str),
) -> Result<()> {
    let todo: Vec<Table> = tables()
        .into_iter()
        .filter(|t| !areas_only || t.area_rows.is_some())
        .collect();
    let n = todo.len();
    for (i, t) in todo.into_iter().enumerate() {
        progress(&format!("{} ({}/{n})", t.name, i + 1));
        let filter = match (areas_only, t.area_rows) {
            (true, Some(f)) => f,
            _ => "1 = 1",
        };
        let cols = format!("{}, {}, {}", t.keys.join(", "), t.values[0], t.values[1]);
        tx.execute(&format!("DELETE FROM {} WHERE {filter}", t.name), [])?;
        tx.execute(
            &format!(
                "INSERT INTO {} ({cols}) SELECT * FROM ({}) AS r WHERE {filter} AND (r.v1 <> 0 OR r.v2 <> 0)",
                t.name, t.recompute
            ),
            [],
        )?;
    }
    Ok(())
}

fn meta(c: &Connection, key: &str) -> Result<Option<String>> {
    Ok(
        c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?,
    )
}

/// Rebuilds the area rows if the current hierarchy is not the one they follow.
pub(crate) fn sync_areas(tx: &Transaction<'_>) -> Result<()> {
    let current = meta(tx, "current_hierarchy")?;
    if current == meta(tx, "aggregates_hierarchy")? {
        return Ok(());
    }
    reroll_areas(tx, &|_| {})
}

/// Recomputes every row that follows the current hierarchy (area days and months, late
/// changes of districts and the province) from the event log, whatever it
/// followed before, and records which version they now follow.
pub(crate) fn reroll_areas(tx: &Transaction<'_>, progress: &dyn Fn(&str)) -> Result<()> {
    let current = meta(tx, "current_hierarchy")?;
    rebuild_with(tx, true, progress)?;
    match current {
        Some(key) => tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('aggregates_hierarchy', ?1)",
            [key],
        )?,
        None => tx.execute("DELETE FROM meta WHERE key = 'aggregates_hierarchy'", [])?,
    };
    Ok(())
}

/// The set of derived tables this binary keeps (1: migration 003; 2: and 004).
const AGGREGATES_VERSION: &str = "2";

/// Removes the mark that the derived tables are up to date, so the next [`ensure`] (the
/// next open) rebuilds them all from the event log.
pub(crate) fn mark_stale(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("DELETE FROM meta WHERE key = 'aggregates'", [])?;
    Ok(())
}

/// On open: sums an event log into derived tables that are newer than it (migrations 003
/// and 004), and follows a hierarchy switch made by an older binary.
pub(crate) fn ensure(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if meta(&tx, "aggregates")?.as_deref() != Some(AGGREGATES_VERSION) {
        rebuild(&tx, false)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('aggregates', ?1)",
            [AGGREGATES_VERSION],
        )?;
    }
    sync_areas(&tx)?;
    tx.commit()?;
    Ok(())
}
