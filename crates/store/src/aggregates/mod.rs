//! Report aggregates (migrations 003, 004 and 014), derived from `events` in the same transaction.
//!
//! Each stored event, and each event a correction supersedes, becomes a [`Contribution`]
//! while a push runs. At the end of the group transaction [`flush`] resolves the devices'
//! teams and members and the villages' communes, districts and province once each, sums
//! the contributions per key in memory (integer keys only: unit names are interned) and
//! applies one upsert per key and table, many rows per statement, binding in place.

mod resolve;
mod tables;
mod verify;

pub(crate) use tables::{PLACES, ensure, mark_stale, month, rebuild, reroll_areas, shape};
pub(crate) use verify::verify;

use crate::Result;
use resolve::{FxMap, Resolver};
use rusqlite::{Statement, Transaction};
use std::cmp::Ordering;
use std::hash::Hash;

/// One change to the tallies: an event stored (+count) or superseded (−count).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Contribution {
    /// devices.id of the device that recorded the event (its team and member get it).
    pub device: i64,
    /// The member who recorded the event when that is no longer the device's member
    /// (`events.member_id`, set by a device move); None: the device's member.
    pub member: Option<i64>,
    pub village: i64,
    pub day: i64,
    pub kind: i64,
    pub total: i64,
    /// +1 / −1 for a live event with count > 0 appearing / going, else 0.
    pub events: i64,
    /// Whether this is an event arriving (counted in late arrivals), not a supersession.
    pub arrival: bool,
    /// The Asia/Ho_Chi_Minh day the change arrived on (the push's receive time).
    pub rday: i64,
}

impl Contribution {
    /// An event stored now.
    pub fn stored(
        device: i64,
        (village, day, kind): (i64, i64, i64),
        count: i64,
        rday: i64,
    ) -> Self {
        Self {
            device,
            member: None,
            village,
            day,
            kind,
            total: count,
            events: i64::from(count > 0),
            arrival: true,
            rday,
        }
    }

    /// A stored event superseded now by a correction that arrived on `rday`.
    pub fn superseded(
        device: i64,
        (village, day, kind): (i64, i64, i64),
        count: i64,
        rday: i64,
    ) -> Self {
        Self {
            device,
            member: None,
            village,
            day,
            kind,
            total: -count,
            events: -i64::from(count > 0),
            arrival: false,
            rday,
        }
    }

    /// The same change, counted for `member` (an event's `member_id`) rather than the
    /// device's member when it is Some.
    pub fn recorded_by(self, member: Option<i64>) -> Self {
        Self { member, ..self }
    }
}

/// A row's two sums: (total, events) or, for the late tables, (total, arrivals).
type Sum = (i64, i64);
type Map<K> = FxMap<K, Sum>;

fn add<K: Hash + Eq>(map: &mut Map<K>, key: K, total: i64, events: i64) {
    let s = map.entry(key).or_default();
    s.0 += total;
    s.1 += events;
}

/// The group's sums per derived-table key. `u32`s are interned unit codes
/// (resolve::Names) of `area_*` rows.
#[derive(Default)]
struct Sums {
    village_months: Map<(i64, i64, i64)>,
    team_months: Map<(i64, i64, i64)>,
    member_days: Map<(i64, i64, i64, i64)>,
    member_months: Map<(i64, i64, i64, i64)>,
    member_month_totals: Map<(i64, i64, i64)>,
    area_days: Map<(u32, i64, i64)>,
    area_months: Map<(u32, i64, i64)>,
    village_late: Map<(i64, i64, i64, i64)>,
    team_late: Map<(i64, i64, i64, i64)>,
    area_late: Map<(u32, i64, i64, i64)>,
}

impl Sums {
    /// Sums every contribution per key of every table.
    fn of(r: &mut Resolver<'_>, contributions: &[Contribution]) -> Result<Self> {
        let mut s = Self::default();
        for c in contributions {
            let dev = r.device(c.device)?;
            let (team, member) = (dev.team, c.member.unwrap_or(dev.member));
            let place = r.place_of(c.village)?;
            let month = r.month(c.day);
            let (t, e) = (c.total, c.events);
            add(&mut s.village_months, (c.village, month, c.kind), t, e);
            add(&mut s.team_months, (team, month, c.kind), t, e);
            add(&mut s.member_days, (team, c.day, member, c.kind), t, e);
            add(&mut s.member_months, (team, month, member, c.kind), t, e);
            add(&mut s.member_month_totals, (team, month, member), t, e);
            let place = r.place(place);
            if let Some(commune) = place.commune {
                add(&mut s.area_months, (commune, month, c.kind), t, e);
            }
            for &code in &place.areas {
                add(&mut s.area_days, (code, c.day, c.kind), t, e);
                add(&mut s.area_months, (code, month, c.kind), t, e);
            }
            if c.rday > c.day {
                let (k, a) = ((c.day, c.rday, c.kind), i64::from(c.arrival));
                add(&mut s.village_late, (c.village, k.0, k.1, k.2), t, a);
                add(&mut s.team_late, (team, k.0, k.1, k.2), t, a);
                for &code in &place.areas {
                    add(&mut s.area_late, (code, k.0, k.1, k.2), t, a);
                }
            }
        }
        Ok(s)
    }
}

/// Applies a group's contributions to every derived table: one upsert per key and table.
pub(crate) fn flush(tx: &Transaction<'_>, contributions: &[Contribution]) -> Result<()> {
    if contributions.is_empty() {
        return Ok(());
    }
    let mut r = Resolver::new(tx)?;
    let s = Sums::of(&mut r, contributions)?;
    let code_rank = ranks(&r.names.codes);
    let codes = &r.names.codes;
    upsert_ints(tx, "village_months", s.village_months, |k| [k.0, k.1, k.2])?;
    upsert_ints(tx, "team_months", s.team_months, |k| [k.0, k.1, k.2])?;
    let four = |k: &(i64, i64, i64, i64)| [k.0, k.1, k.2, k.3];
    upsert_ints(tx, "member_days", s.member_days, four)?;
    upsert_ints(tx, "member_months", s.member_months, four)?;
    let totals = s.member_month_totals;
    upsert_ints(tx, "member_month_totals", totals, |k| [k.0, k.1, k.2])?;
    upsert_ints(tx, "village_late", s.village_late, four)?;
    upsert_ints(tx, "team_late", s.team_late, four)?;
    for (table, sums) in [("area_days", s.area_days), ("area_months", s.area_months)] {
        let rank = |k: &(u32, i64, i64)| (code_rank[k.0 as usize], k.1, k.2);
        upsert(
            tx,
            table,
            sums,
            |a, b| rank(a).cmp(&rank(b)),
            |st, at, k| {
                st.raw_bind_parameter(at, codes[k.0 as usize].as_str())?;
                st.raw_bind_parameter(at + 1, k.1)?;
                st.raw_bind_parameter(at + 2, k.2)
            },
        )?;
    }
    let rank = |k: &(u32, i64, i64, i64)| (code_rank[k.0 as usize], k.1, k.2, k.3);
    upsert(
        tx,
        "area_late",
        s.area_late,
        |a, b| rank(a).cmp(&rank(b)),
        |st, at, k| {
            st.raw_bind_parameter(at, codes[k.0 as usize].as_str())?;
            for (i, v) in [k.1, k.2, k.3].into_iter().enumerate() {
                st.raw_bind_parameter(at + 1 + i, v)?;
            }
            Ok(())
        },
    )
}

/// Each name's position in sorted order, by interned id: rows then sort on integers in
/// the order of the table's text keys.
fn ranks<T: Ord>(names: &[T]) -> Vec<u32> {
    let mut ids: Vec<usize> = (0..names.len()).collect();
    ids.sort_unstable_by(|&a, &b| names[a].cmp(&names[b]));
    let mut rank = vec![0; names.len()];
    for (r, id) in ids.into_iter().enumerate() {
        rank[id] = r as u32;
    }
    rank
}

/// [`upsert`] for a table keyed by integers only, in their natural order.
fn upsert_ints<K: Ord, const N: usize>(
    tx: &Transaction<'_>,
    table: &str,
    sums: Map<K>,
    key: impl Fn(&K) -> [i64; N],
) -> Result<()> {
    upsert(tx, table, sums, K::cmp, |st, at, k| {
        for (i, v) in key(k).into_iter().enumerate() {
            st.raw_bind_parameter(at + i, v)?;
        }
        Ok(())
    })
}

/// Rows per multi-row upsert statement: fewer statement executions for the same work.
const ROWS_PER_STATEMENT: usize = 64;

/// Adds each key's sums to its row (in key order, `order`, which keeps the B-tree pages
/// hot), many rows per statement; `bind` binds a key's columns from parameter `at` on.
fn upsert<K>(
    tx: &Transaction<'_>,
    table: &str,
    sums: Map<K>,
    order: impl Fn(&K, &K) -> Ordering,
    bind: impl Fn(&mut Statement<'_>, usize, &K) -> rusqlite::Result<()>,
) -> Result<()> {
    let (key_cols, [v1, v2]) = tables::shape(table);
    let keys = key_cols.join(", ");
    let width = key_cols.len() + 2;
    let row = format!("({})", vec!["?"; width].join(", "));
    let sql = |n: usize| {
        format!(
            "INSERT INTO {table} ({keys}, {v1}, {v2}) VALUES {}
             ON CONFLICT ({keys}) DO UPDATE SET {v1} = {v1} + excluded.{v1}, {v2} = {v2} + excluded.{v2}",
            vec![row.as_str(); n].join(", ")
        )
    };
    let mut rows: Vec<(K, Sum)> = sums.into_iter().filter(|(_, s)| *s != (0, 0)).collect();
    rows.sort_unstable_by(|a, b| order(&a.0, &b.0));
    tracing::debug!(table, rows = rows.len(), "aggregate rows upserted");
    // Two statements per table, whatever the group's size: a statement for every remainder
    // size would be compiled anew for most groups and crowd others out of the cache.
    let whole = rows.len() - rows.len() % ROWS_PER_STATEMENT;
    let mut many = tx.prepare_cached(&sql(ROWS_PER_STATEMENT))?;
    let mut one = match whole < rows.len() {
        true => Some(tx.prepare_cached(&sql(1))?),
        false => None,
    };
    let chunks = rows[..whole].chunks(ROWS_PER_STATEMENT);
    for chunk in chunks.chain(rows[whole..].chunks(1)) {
        let st = match one.as_mut() {
            Some(st) if chunk.len() == 1 => st,
            _ => &mut many,
        };
        for (i, (k, (a, b))) in chunk.iter().enumerate() {
            let at = 1 + i * width;
            bind(st, at, k)?;
            st.raw_bind_parameter(at + width - 2, *a)?;
            st.raw_bind_parameter(at + width - 1, *b)?;
        }
        st.raw_execute()?;
    }
    Ok(())
}
