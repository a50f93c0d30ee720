//! The end-of-run reconciliation: every device's view against the server's database.

use anyhow::Result;
use langso_client::{EventState, HeldEvent};
use langso_domain::DeviceId;
use langso_store::Store;
use std::collections::{HashMap, HashSet};

/// What one device holds at the end, and what it planned.
pub struct DeviceEnd {
    pub device_id: String,
    pub recorded: usize,
    /// Planned invalid events (the server must reject exactly these).
    pub planned_invalid: HashSet<String>,
    pub events: Vec<HeldEvent>,
}

#[derive(Default, Debug)]
pub struct Verdict {
    pub devices: usize,
    pub devices_ok: usize,
    pub recorded: usize,
    pub rejected: usize,
    pub stored: usize,
    pub unsynced: usize,
    pub conflicts: usize,
    /// Valid events rejected, or invalid ones accepted.
    pub wrong_verdicts: usize,
    pub lost_events: usize,
    pub extra_events: usize,
    pub tally_keys: usize,
    pub tally_short: i64,
    pub tally_excess: i64,
    pub verify_diffs: usize,
}

impl Verdict {
    /// Events missing from the server plus counts missing from its tallies.
    pub fn lost(&self) -> i64 {
        self.lost_events as i64 + self.tally_short
    }
    /// Events the server holds that no device expects plus counts tallied in excess.
    pub fn double_counted(&self) -> i64 {
        self.extra_events as i64 + self.tally_excess
    }
    /// Prints the reconciliation; the last line is `N lost, N double-counted`.
    pub fn print(&self, planned_invalid: usize) {
        outln!(
            "events: {} recorded, {} rejected ({} planned invalid), {} on the server, {} still queued, {} conflicts, {} wrong verdicts",
            self.recorded,
            self.rejected,
            planned_invalid,
            self.stored,
            self.unsynced,
            self.conflicts,
            self.wrong_verdicts
        );
        outln!(
            "per device: server's accepted events == recorded − rejected for {}/{} devices",
            self.devices_ok,
            self.devices
        );
        outln!(
            "tallies: {} (village, kind) totals compared with the sum of what devices hold: {} short, {} in excess",
            self.tally_keys,
            self.tally_short,
            self.tally_excess
        );
        outln!(
            "verify: {}",
            if self.verify_diffs == 0 {
                "ok (every tally equals its recompute from the event log; every other rule holds)"
                    .to_owned()
            } else {
                format!(
                    "{} tallies differ from the event log or rules are broken",
                    self.verify_diffs
                )
            }
        );
        outln!(
            "{} lost, {} double-counted",
            self.lost(),
            self.double_counted()
        );
    }

    pub fn ok(&self) -> bool {
        self.lost() == 0
            && self.double_counted() == 0
            && self.unsynced == 0
            && self.conflicts == 0
            && self.wrong_verdicts == 0
            && self.verify_diffs == 0
    }
}

pub type TallyTotals = HashMap<(String, String), i64>;

/// Tallies summed over days, per (village, kind).
pub fn tallies(store: &Store) -> Result<TallyTotals> {
    Ok(store
        .village_kind_totals()?
        .into_iter()
        .map(|t| ((t.village_id.to_string(), t.kind), t.total))
        .collect())
}

/// Event ids the server holds, per device id (lowercase hyphenated UUIDs).
fn server_events(store: &Store, devices: &HashSet<String>) -> Result<HashMap<String, Vec<String>>> {
    let devices: HashSet<DeviceId> = devices.iter().filter_map(|d| DeviceId::parse(d)).collect();
    Ok(store
        .device_event_ids(&devices)?
        .into_iter()
        .map(|(d, ids)| (d.to_string(), ids.iter().map(ToString::to_string).collect()))
        .collect())
}

pub fn reconcile(store: &Store, ends: &[DeviceEnd], before: &TallyTotals) -> Result<Verdict> {
    let mut v = Verdict {
        devices: ends.len(),
        ..Verdict::default()
    };
    let ids: HashSet<String> = ends.iter().map(|e| e.device_id.clone()).collect();
    let server = server_events(store, &ids)?;
    let mut held_totals: TallyTotals = HashMap::new();
    for end in ends {
        v.recorded += end.recorded;
        let mut expected = HashSet::new();
        let mut rejected = 0;
        for e in &end.events {
            let id = e.event_id.to_string();
            let invalid = end.planned_invalid.contains(&id);
            match e.state {
                EventState::Pending | EventState::Waiting => v.unsynced += 1,
                EventState::Conflict => v.conflicts += 1,
                EventState::Rejected => {
                    rejected += 1;
                    v.wrong_verdicts += usize::from(!invalid);
                }
                EventState::Accepted | EventState::Duplicate => {
                    v.wrong_verdicts += usize::from(invalid);
                    expected.insert(id);
                }
            }
        }
        v.rejected += rejected;
        let stored: HashSet<String> = server
            .get(&end.device_id)
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default();
        v.stored += stored.len();
        let lost = expected.difference(&stored).count();
        let extra = stored.difference(&expected).count();
        v.lost_events += lost;
        v.extra_events += extra;
        // "The server's accepted events equal what the device recorded minus what was rejected."
        if lost == 0 && extra == 0 && stored.len() + rejected == end.recorded {
            v.devices_ok += 1;
        }
        // What the device holds, net of its own corrections.
        let superseded: HashSet<String> = end
            .events
            .iter()
            .filter(|e| e.state.is_stored())
            .filter_map(|e| e.corrects.map(|c| c.to_string()))
            .collect();
        for e in end.events.iter().filter(|e| e.state.is_stored()) {
            if !superseded.contains(&e.event_id.to_string()) {
                *held_totals
                    .entry((e.village_id.clone(), e.kind.clone()))
                    .or_default() += e.count;
            }
        }
    }
    let after = tallies(store)?;
    let keys: HashSet<&(String, String)> = after
        .keys()
        .chain(before.keys())
        .chain(held_totals.keys())
        .collect();
    for k in keys {
        let delta = after.get(k).unwrap_or(&0) - before.get(k).unwrap_or(&0);
        let held = *held_totals.get(k).unwrap_or(&0);
        if delta != 0 || held != 0 {
            v.tally_keys += 1;
        }
        if delta > held {
            v.tally_excess += delta - held;
        } else {
            v.tally_short += held - delta;
        }
    }
    v.verify_diffs = store.verify()?.len() + store.verify_integrity()?.len();
    Ok(v)
}
