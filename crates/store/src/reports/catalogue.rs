//! The catalogue as reports read it: kinds by rowid, and weights by the day they are in
//! force, so a period's score uses each day's weights (issue 9) and stays what it was when
//! a weight changes later.

use super::Totals;
use super::sums::{ByKey, Key};
use crate::Result;
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::DayRange;
use langso_domain::ranking::round_points;
use langso_domain::time::{day_from_number, day_number};
use rusqlite::Connection;
use std::collections::HashMap;

/// The activity catalogue, with rowids and every kind's weights by first day.
pub(crate) struct Catalogue {
    pub kinds: Vec<(i64, ActivityKind)>,
    by_id: HashMap<i64, usize>,
    /// Kind rowid → (first day, weight), oldest first.
    schedules: HashMap<i64, Vec<(i64, f64)>>,
}

impl Catalogue {
    pub fn load(c: &Connection) -> Result<Self> {
        let kinds = crate::catalogue::load(c, crate::catalogue::today())?;
        let by_id = kinds.iter().enumerate().map(|(i, k)| (k.0, i)).collect();
        let schedules = crate::catalogue::weights(c)?;
        Ok(Self {
            kinds,
            by_id,
            schedules,
        })
    }

    pub fn id_of(&self, code: &str) -> Option<i64> {
        self.kinds.iter().find(|k| k.1.code == code).map(|k| k.0)
    }

    pub fn code(&self, id: i64) -> Option<&str> {
        self.by_id.get(&id).map(|&i| self.kinds[i].1.code.as_str())
    }

    /// Totals by code from totals by kind id (zeros and unknown kinds left out).
    pub fn totals(&self, by_id: &HashMap<i64, i64>) -> Totals {
        by_id
            .iter()
            .filter(|(_, t)| **t != 0)
            .filter_map(|(id, t)| Some((self.code(*id)?.to_owned(), *t)))
            .collect()
    }

    /// The weight of kind `id` in force on `day` (0 for a kind not in the catalogue).
    pub fn weight_on(&self, id: i64, day: i64) -> f64 {
        self.schedules
            .get(&id)
            .map_or(0.0, |s| crate::catalogue::weight_on(s, day))
    }

    /// `range` cut where a weight changes within it: one part unless some weight changes
    /// after its first day. Within a part every weight is the same on every day.
    pub fn steady_parts(&self, range: DayRange) -> Vec<DayRange> {
        let (from, to) = (day_number(range.from), day_number(range.to));
        let mut cuts: Vec<i64> = self
            .schedules
            .values()
            .flatten()
            .map(|(d, _)| *d)
            .filter(|d| *d > from && *d <= to)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut parts = Vec::with_capacity(cuts.len() + 1);
        let mut start = from;
        for cut in cuts.into_iter().chain(std::iter::once(to + 1)) {
            parts.push(DayRange::new(
                day_from_number(start),
                day_from_number(cut - 1),
            ));
            start = cut;
        }
        parts
    }

    /// Unrounded points of totals by kind id, at the weights in force on `day`.
    pub fn points_on(&self, by_id: &HashMap<i64, i64>, day: i64) -> f64 {
        let mut ids: Vec<_> = by_id.iter().collect();
        // Kind order keeps the sum's float rounding the same for equal totals.
        ids.sort_unstable_by_key(|(id, _)| **id);
        ids.iter()
            .map(|(id, t)| self.weight_on(**id, day) * **t as f64)
            .sum()
    }

    /// Totals by key and scores by key over `range`, each part of the range weighed with
    /// the weights in force then: `sum` gives per key and kind totals of one part.
    pub fn weigh(
        &self,
        range: DayRange,
        mut sum: impl FnMut(DayRange) -> Result<ByKey>,
    ) -> Result<(ByKey, HashMap<Key, f64>)> {
        let mut totals: ByKey = HashMap::new();
        let mut points: HashMap<Key, f64> = HashMap::new();
        for part in self.steady_parts(range) {
            let day = day_number(part.from);
            for (key, by_id) in sum(part)? {
                *points.entry(key.clone()).or_default() += self.points_on(&by_id, day);
                let t = totals.entry(key).or_default();
                for (id, n) in by_id {
                    *t.entry(id).or_default() += n;
                }
            }
        }
        let scores = points
            .into_iter()
            .map(|(k, p)| (k, round_points(p)))
            .collect();
        Ok((totals, scores))
    }

    /// Points of totals at today's weights: only for figures whose days are not at hand
    /// (the evidence report's late changes); every other score weighs each day (`weigh`).
    pub fn score(&self, totals: &Totals) -> f64 {
        langso_domain::ranking::score(totals, |code| {
            self.kinds
                .iter()
                .find(|k| k.1.code == code)
                .map_or(0.0, |k| k.1.weight)
        })
    }

    pub fn list(&self) -> Vec<ActivityKind> {
        self.kinds.iter().map(|k| k.1.clone()).collect()
    }
}
