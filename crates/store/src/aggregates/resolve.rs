//! What a flush looks up once per group: each device's team and member, each village's
//! areas, each day's month; and the unit names, interned so the in-memory sums are keyed
//! by integers only (no string hashing or copying per event).

use crate::Result;
use langso_domain::time::{day_from_number, day_number, month_start};
use rusqlite::{OptionalExtension, Transaction};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for the flush's integer keys (the Fx hash of rustc): the keys are small
/// integers made by this process, never chosen by a client, so no flooding resistance is
/// needed, and SipHash was a visible share of the writer's time.
#[derive(Default, Clone, Copy)]
pub(super) struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }
    fn write_i64(&mut self, v: i64) {
        self.add(v as u64);
    }
    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }
    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map with the [`Fx`] hasher.
pub(super) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Where a village counts in the current hierarchy, as interned `area_*` codes: its
/// commune (monthly rows only) and its district and province (daily, monthly and late).
pub(super) struct Place {
    pub commune: Option<u32>,
    pub areas: Vec<u32>,
}

/// A recording device: its team (teams.id) and member (members.id).
#[derive(Clone, Copy)]
pub(super) struct Device {
    pub team: i64,
    pub member: i64,
}

/// Unit codes of `area_*` rows, interned to small integers.
#[derive(Default)]
pub(super) struct Names {
    pub codes: Vec<String>,
    code_ids: HashMap<String, u32>,
}

impl Names {
    fn code(&mut self, code: String) -> u32 {
        if let Some(id) = self.code_ids.get(&code) {
            return *id;
        }
        let id = self.codes.len() as u32;
        self.codes.push(code.clone());
        self.code_ids.insert(code, id);
        id
    }
}

/// Lookups made once per flush.
pub(super) struct Resolver<'a> {
    tx: &'a Transaction<'a>,
    version: Option<i64>,
    devices: FxMap<i64, Device>,
    place_ids: FxMap<i64, usize>,
    places: Vec<Place>,
    months: FxMap<i64, i64>,
    pub names: Names,
}

impl<'a> Resolver<'a> {
    pub fn new(tx: &'a Transaction<'a>) -> Result<Self> {
        let version = tx
            .query_row("SELECT id FROM current_version", [], |r| r.get(0))
            .optional()?;
        Ok(Self {
            tx,
            version,
            devices: FxMap::default(),
            place_ids: FxMap::default(),
            places: Vec::new(),
            months: FxMap::default(),
            names: Names::default(),
        })
    }

    /// The device's team and member.
    pub fn device(&mut self, id: i64) -> Result<Device> {
        if let Some(d) = self.devices.get(&id) {
            return Ok(*d);
        }
        let (team, member): (i64, i64) = self
            .tx
            .prepare_cached("SELECT team_id, member_id FROM devices WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let d = Device { team, member };
        self.devices.insert(id, d);
        Ok(d)
    }

    /// The village's place (an index for [`Resolver::place`]).
    pub fn place_of(&mut self, village: i64) -> Result<usize> {
        if let Some(i) = self.place_ids.get(&village) {
            return Ok(*i);
        }
        type Row = (Option<String>, Option<String>, Option<String>);
        let (commune, district, province): Row = self
            .tx
            .prepare_cached(
                "SELECT cu.code,
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
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let place = Place {
            commune: commune.map(|c| self.names.code(c)),
            areas: [district, province]
                .into_iter()
                .flatten()
                .map(|c| self.names.code(c))
                .collect(),
        };
        self.places.push(place);
        self.place_ids.insert(village, self.places.len() - 1);
        Ok(self.places.len() - 1)
    }

    pub fn place(&self, index: usize) -> &Place {
        &self.places[index]
    }

    /// The first day of the month of `day` (day numbers).
    pub fn month(&mut self, day: i64) -> i64 {
        *self
            .months
            .entry(day)
            .or_insert_with(|| day_number(month_start(day_from_number(day))))
    }
}
