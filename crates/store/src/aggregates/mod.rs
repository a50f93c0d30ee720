//! Report aggregates (migration 003), derived from `events` in the same transaction.
//!
//! Each stored event, and each event a correction supersedes, becomes a [`Contribution`]
//! while a push runs. At the end of the group transaction [`flush`] resolves the devices'
//! teams and members and the villages' communes, districts and province once each, sums
//! the contributions per key in memory and applies one upsert per key and table.

mod tables;
mod verify;

pub(crate) use tables::{PLACES, ensure, mark_stale, month, rebuild, reroll_areas, shape};
pub(crate) use verify::verify;

use crate::Result;
use langso_domain::time::{day_from_number, day_number, month_start};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params_from_iter};
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;

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

type Sum = (i64, i64);
type Name = Rc<str>;

fn add<K: Hash + Eq>(map: &mut HashMap<K, Sum>, key: K, total: i64, events: i64) {
    let s = map.entry(key).or_default();
    s.0 += total;
    s.1 += events;
}

/// Where a village counts: its public id and its areas in the current hierarchy.
struct Place {
    village: Name,
    areas: Vec<(&'static str, Name)>,
}

#[derive(Default)]
struct Sums {
    village_months: HashMap<(i64, i64, i64), Sum>,
    team_days: HashMap<(i64, i64, i64), Sum>,
    team_months: HashMap<(i64, i64, i64), Sum>,
    member_days: HashMap<(i64, i64, i64, i64), Sum>,
    member_months: HashMap<(i64, i64, i64, i64), Sum>,
    member_month_totals: HashMap<(i64, i64, i64), Sum>,
    area_days: HashMap<(Name, i64, i64), Sum>,
    area_months: HashMap<(Name, i64, i64), Sum>,
    late: HashMap<(&'static str, Name, i64, i64, i64), Sum>,
}

/// Lookups made once per flush.
struct Resolver<'a> {
    tx: &'a Transaction<'a>,
    version: Option<i64>,
    devices: HashMap<i64, (i64, i64, Name)>,
    places: HashMap<i64, Rc<Place>>,
    months: HashMap<i64, i64>,
}

impl<'a> Resolver<'a> {
    fn new(tx: &'a Transaction<'a>) -> Result<Self> {
        let version = tx
            .query_row(
                "SELECT h.id FROM meta m JOIN hierarchy_versions h ON h.key = m.value
                 WHERE m.key = 'current_hierarchy'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(Self {
            tx,
            version,
            devices: HashMap::new(),
            places: HashMap::new(),
            months: HashMap::new(),
        })
    }

    /// The device's team, member and the team's public id.
    fn device(&mut self, id: i64) -> Result<(i64, i64, Name)> {
        if let Some(d) = self.devices.get(&id) {
            return Ok(d.clone());
        }
        let (team, member, public): (i64, i64, String) = self
            .tx
            .prepare_cached(
                "SELECT d.team_id, d.member_id, t.team_id FROM devices d
                 JOIN teams t ON t.id = d.team_id WHERE d.id = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let d = (team, member, Name::from(public));
        self.devices.insert(id, d.clone());
        Ok(d)
    }

    fn place(&mut self, village: i64) -> Result<Rc<Place>> {
        if let Some(p) = self.places.get(&village) {
            return Ok(p.clone());
        }
        type Row = (String, Option<String>, Option<String>, Option<String>);
        let (public, commune, district, province): Row = self
            .tx
            .prepare_cached(
                "SELECT v.village_id, cu.code,
                        CASE WHEN pu.level = 'district' THEN pu.code END,
                        CASE WHEN pu.level = 'province' THEN pu.code
                             WHEN gu.level = 'province' THEN gu.code END
                 FROM villages v
                 LEFT JOIN village_placements p ON p.village_id = v.id AND p.version_id = ?2
                 LEFT JOIN units cu ON cu.version_id = p.version_id AND cu.code = p.commune_code
                                   AND cu.level = 'commune'
                 LEFT JOIN units pu ON pu.version_id = cu.version_id AND pu.code = cu.parent_code
                 LEFT JOIN units gu ON gu.version_id = pu.version_id AND gu.code = pu.parent_code
                 WHERE v.id = ?1",
            )?
            .query_row(rusqlite::params![village, self.version], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let areas = [
            ("commune", commune),
            ("district", district),
            ("province", province),
        ]
        .into_iter()
        .filter_map(|(level, code)| code.map(|c| (level, Name::from(c))))
        .collect();
        let p = Rc::new(Place {
            village: Name::from(public),
            areas,
        });
        self.places.insert(village, p.clone());
        Ok(p)
    }

    fn month(&mut self, day: i64) -> i64 {
        *self
            .months
            .entry(day)
            .or_insert_with(|| day_number(month_start(day_from_number(day))))
    }
}

/// Applies a group's contributions to every derived table: one upsert per key and table.
pub(crate) fn flush(tx: &Transaction<'_>, contributions: &[Contribution]) -> Result<()> {
    if contributions.is_empty() {
        return Ok(());
    }
    let mut r = Resolver::new(tx)?;
    let mut s = Sums::default();
    for c in contributions {
        let (team, member, team_name) = r.device(c.device)?;
        let member = c.member.unwrap_or(member);
        let place = r.place(c.village)?;
        let month = r.month(c.day);
        let (t, e) = (c.total, c.events);
        add(&mut s.village_months, (c.village, month, c.kind), t, e);
        add(&mut s.team_days, (team, c.day, c.kind), t, e);
        add(&mut s.team_months, (team, month, c.kind), t, e);
        add(&mut s.member_days, (team, c.day, member, c.kind), t, e);
        add(&mut s.member_months, (team, month, member, c.kind), t, e);
        add(&mut s.member_month_totals, (team, month, member), t, e);
        for (_, code) in &place.areas {
            add(&mut s.area_days, (code.clone(), c.day, c.kind), t, e);
            add(&mut s.area_months, (code.clone(), month, c.kind), t, e);
        }
        if c.rday > c.day {
            let arrivals = i64::from(c.arrival);
            let units = [("village", place.village.clone()), ("team", team_name)];
            for (level, unit) in units.into_iter().chain(place.areas.iter().cloned()) {
                add(
                    &mut s.late,
                    (level, unit, c.day, c.rday, c.kind),
                    t,
                    arrivals,
                );
            }
        }
    }
    let int = |v: i64| Value::Integer(v);
    let text = |v: &Name| Value::Text(v.to_string());
    upsert(tx, "village_months", s.village_months, |k| {
        vec![int(k.0), int(k.1), int(k.2)]
    })?;
    upsert(tx, "team_days", s.team_days, |k| {
        vec![int(k.0), int(k.1), int(k.2)]
    })?;
    upsert(tx, "team_months", s.team_months, |k| {
        vec![int(k.0), int(k.1), int(k.2)]
    })?;
    upsert(tx, "member_days", s.member_days, |k| {
        vec![int(k.0), int(k.1), int(k.2), int(k.3)]
    })?;
    upsert(tx, "member_months", s.member_months, |k| {
        vec![int(k.0), int(k.1), int(k.2), int(k.3)]
    })?;
    upsert(tx, "member_month_totals", s.member_month_totals, |k| {
        vec![int(k.0), int(k.1), int(k.2)]
    })?;
    upsert(tx, "area_days", s.area_days, |k| {
        vec![text(&k.0), int(k.1), int(k.2)]
    })?;
    upsert(tx, "area_months", s.area_months, |k| {
        vec![text(&k.0), int(k.1), int(k.2)]
    })?;
    upsert(tx, "late_tallies", s.late, |k| {
        vec![
            Value::Text(k.0.to_owned()),
            text(&k.1),
            int(k.2),
            int(k.3),
            int(k.4),
        ]
    })?;
    Ok(())
}

/// Rows per multi-row upsert statement: fewer statement executions for the same work.
const ROWS_PER_STATEMENT: usize = 64;

/// Adds each key's sums to its row (in key order, which keeps the B-tree pages hot), many
/// rows per statement.
fn upsert<K: Ord>(
    tx: &Transaction<'_>,
    table: &str,
    sums: HashMap<K, Sum>,
    key: impl Fn(&K) -> Vec<Value>,
) -> Result<()> {
    let (key_cols, [v1, v2]) = tables::shape(table);
    let keys = key_cols.join(", ");
    let row = format!("({})", vec!["?"; key_cols.len() + 2].join(", "));
    let sql = |n: usize| {
        format!(
            "INSERT INTO {table} ({keys}, {v1}, {v2}) VALUES {}
             ON CONFLICT ({keys}) DO UPDATE SET {v1} = {v1} + excluded.{v1}, {v2} = {v2} + excluded.{v2}",
            vec![row.as_str(); n].join(", ")
        )
    };
    let mut rows: Vec<(K, Sum)> = sums.into_iter().filter(|(_, s)| *s != (0, 0)).collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut p = Vec::with_capacity(chunk.len() * (key_cols.len() + 2));
        for (k, (a, b)) in chunk {
            p.extend(key(k));
            p.push(Value::Integer(*a));
            p.push(Value::Integer(*b));
        }
        tx.prepare_cached(&sql(chunk.len()))?
            .execute(params_from_iter(p))?;
    }
    Ok(())
}
