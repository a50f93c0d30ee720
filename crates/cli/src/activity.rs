//! Generated activity for the demo's history (`langso demo`) and `langso bench reports`:
//! events spread evenly over a span of days and over every member's device (some members far
//! busier than others), recorded 07:00 to 20:00, delivered mostly the same evening and some
//! days or weeks late, with 0.5% corrections. Deterministic from the seed.

use anyhow::{Result, bail};
use chrono::{Duration, NaiveDate, Utc};
use langso_store::{BenchDevice, BulkEvent, Store};
use std::collections::HashMap;

/// Kinds by how often volunteers record them (VNeID most, outreach sessions least).
const KIND_MIX: [(&str, u64); 7] = [
    ("vneid_activation", 30),
    ("digital_signature", 10),
    ("qr_payment_sticker", 10),
    ("e_payment_account", 15),
    ("e_health_book", 15),
    ("online_public_service", 15),
    ("outreach_session", 5),
];

/// SplitMix64: the same history on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The generator: the devices with villages, how busy each is, the kinds, and each
/// device's last seq (so loads one after another never reuse one).
pub struct Activity {
    rng: Rng,
    devices: Vec<BenchDevice>,
    cumulative: Vec<u64>,
    kinds: Vec<(i64, u64)>,
    seqs: HashMap<i64, i64>,
}

impl Activity {
    /// A generator over `devices` (those without villages are left out); the kinds of
    /// [`KIND_MIX`] must be in `store`'s catalogue.
    pub fn new(store: &Store, devices: Vec<BenchDevice>, seed: u64) -> Result<Self> {
        let codes: Vec<&str> = KIND_MIX.iter().map(|(code, _)| *code).collect();
        let kinds: Vec<(i64, u64)> = store
            .kind_rowids(&codes)?
            .into_iter()
            .zip(KIND_MIX.iter().map(|(_, w)| *w))
            .collect();
        let mut a = Self {
            rng: Rng(seed),
            devices: Vec::new(),
            cumulative: Vec::new(),
            kinds,
            seqs: HashMap::new(),
        };
        a.set_devices(devices)?;
        Ok(a)
    }

    /// Replaces the devices (more were enrolled, say); seqs already used are remembered.
    pub fn set_devices(&mut self, devices: Vec<BenchDevice>) -> Result<()> {
        let devices: Vec<BenchDevice> = devices
            .into_iter()
            .filter(|d| !d.villages.is_empty())
            .collect();
        if devices.is_empty() {
            bail!("the database has no members with villages");
        }
        // Busy members: weight 1..=22, so a few volunteers do much of the work.
        let rng = &mut self.rng;
        self.cumulative = devices
            .iter()
            .scan(0, |s, _| {
                *s += 1 + rng.below(8) * rng.below(2) * 3;
                Some(*s)
            })
            .collect();
        for d in &devices {
            let seq = self.seqs.entry(d.device).or_insert(d.acked_seq);
            *seq = (*seq).max(d.acked_seq);
        }
        self.devices = devices;
        Ok(())
    }

    /// `n` events spread evenly over the days `from` up to (not including) `until`.
    pub fn events(&mut self, from: NaiveDate, until: NaiveDate, n: usize) -> Vec<BulkEvent> {
        let days = (until - from).num_days().max(1) as usize;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let day = from + Duration::days((i * days / n) as i64);
            let e = self.event(day, &out);
            out.push(e);
        }
        out
    }

    /// One event recorded on `day`: now and then a correction of the same device's last
    /// event in `earlier` (the load it will be part of).
    pub fn event(&mut self, day: NaiveDate, earlier: &[BulkEvent]) -> BulkEvent {
        let rng = &mut self.rng;
        let r = rng.below(*self.cumulative.last().expect("devices"));
        let d = &self.devices[self.cumulative.partition_point(|&c| c <= r)];
        let mut pick = rng.below(self.kinds.iter().map(|k| k.1).sum());
        let mut kind = self.kinds[0].0;
        for (id, w) in &self.kinds {
            if pick < *w {
                kind = *id;
                break;
            }
            pick -= w;
        }
        let midnight = langso_domain::periods::vn_midnight(day).timestamp_millis();
        let placed = midnight + (7 * 3600 + rng.below(13 * 3600) as i64) * 1000;
        let lag_hours = match rng.below(100) {
            0..70 => rng.below(4),
            70..90 => 24 + rng.below(72),
            90..98 => 96 + rng.below(240),
            _ => 360 + rng.below(720),
        } as i64;
        let received = (placed + lag_hours * 3_600_000).min(Utc::now().timestamp_millis());
        let seq = self.seqs.entry(d.device).or_default();
        *seq += 1;
        let corrects = (rng.below(200) == 0)
            .then(|| earlier.iter().rposition(|e| e.device == d.device))
            .flatten()
            .filter(|&j| {
                earlier[j].corrects.is_none()
                    && !earlier.iter().skip(j + 1).any(|e| e.corrects == Some(j))
            });
        let (village, kind, count, placed) = match corrects {
            Some(j) => {
                let t = &earlier[j];
                (t.village, t.kind, rng.below(3) as i64, t.placed_ms)
            }
            None => (
                d.villages[rng.below(d.villages.len() as u64) as usize],
                kind,
                1 + rng.below(3) as i64,
                placed,
            ),
        };
        BulkEvent {
            device: d.device,
            seq: *seq,
            kind,
            village,
            count,
            placed_ms: placed,
            received_ms: received.max(placed),
            corrects,
        }
    }
}
