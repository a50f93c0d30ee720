//! Compares every derived table with its recompute from the event log, streaming both in
//! key order (no table is held in memory).

use super::tables::tables;
use crate::{Result, TallyDiff};
use langso_domain::time::day_from_number;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Rows};
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Int(i64),
    Text(String),
}

type Row = (Vec<Part>, [i64; 2]);

/// The next row whose values are not both zero (zero rows mean nothing).
fn next(rows: &mut Rows<'_>, n: usize) -> Result<Option<Row>> {
    while let Some(r) = rows.next()? {
        let mut key = Vec::with_capacity(n);
        for i in 0..n {
            key.push(match r.get_ref(i)? {
                ValueRef::Integer(v) => Part::Int(v),
                other => Part::Text(
                    String::from_utf8_lossy(other.as_bytes().unwrap_or_default()).into_owned(),
                ),
            });
        }
        let values = [r.get(n)?, r.get(n + 1)?];
        if values != [0, 0] {
            return Ok(Some((key, values)));
        }
    }
    Ok(None)
}

/// Every difference between the derived tables and their recompute.
pub(crate) fn verify(c: &Connection) -> Result<Vec<TallyDiff>> {
    let mut diffs = Vec::new();
    for t in tables() {
        let n = t.keys.len();
        let keys = t.keys.join(", ");
        let mut stored = c.prepare(&format!(
            "SELECT {keys}, {}, {} FROM {} ORDER BY {keys}",
            t.values[0], t.values[1], t.name
        ))?;
        let mut recomputed = c.prepare(&t.recompute)?;
        let (mut a, mut b) = (stored.query([])?, recomputed.query([])?);
        let (mut x, mut y) = (next(&mut a, n)?, next(&mut b, n)?);
        loop {
            let order = match (&x, &y) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(p), Some(q)) => p.0.cmp(&q.0),
            };
            let (key, s, r) = match order {
                Ordering::Less => {
                    let (k, v) = x.take().expect("a stored row");
                    (k, v, [0, 0])
                }
                Ordering::Greater => {
                    let (k, v) = y.take().expect("a recomputed row");
                    (k, [0, 0], v)
                }
                Ordering::Equal => {
                    let (k, v) = x.take().expect("a stored row");
                    let (_, w) = y.take().expect("a recomputed row");
                    (k, v, w)
                }
            };
            for i in 0..2 {
                if s[i] != r[i] {
                    diffs.push(describe(c, t.name, t.keys, &key, t.values[i], s[i], r[i])?);
                }
            }
            if x.is_none() {
                x = next(&mut a, n)?;
            }
            if y.is_none() {
                y = next(&mut b, n)?;
            }
        }
    }
    Ok(diffs)
}

fn public_id(c: &Connection, sql: &str, id: i64) -> Result<String> {
    Ok(c.query_row(sql, [id], |r| r.get::<_, String>(0))
        .optional()?
        .unwrap_or_else(|| format!("#{id}")))
}

/// A readable diff: rowids turned into public ids, day numbers into dates.
fn describe(
    c: &Connection,
    table: &'static str,
    cols: &[&str],
    key: &[Part],
    column: &'static str,
    stored: i64,
    recomputed: i64,
) -> Result<TallyDiff> {
    let mut unit = Vec::new();
    let mut day = day_from_number(0);
    let mut kind = String::new();
    for (col, part) in cols.iter().zip(key) {
        let (i, text) = match part {
            Part::Int(i) => (*i, String::new()),
            Part::Text(t) => (0, t.clone()),
        };
        match *col {
            "day" | "month" => day = day_from_number(i),
            "rday" => unit.push(format!("arrived {}", day_from_number(i))),
            "kind_id" => kind = public_id(c, "SELECT code FROM kinds WHERE id = ?1", i)?,
            "village_id" => unit.push(public_id(
                c,
                "SELECT village_id FROM villages WHERE id = ?1",
                i,
            )?),
            "team_id" => unit.push(public_id(c, "SELECT team_id FROM teams WHERE id = ?1", i)?),
            "member_id" => unit.push(public_id(
                c,
                "SELECT member_id FROM members WHERE id = ?1",
                i,
            )?),
            _ => unit.push(text),
        }
    }
    Ok(TallyDiff {
        table,
        unit: unit.join(" "),
        day,
        kind,
        column,
        stored,
        recomputed,
    })
}
