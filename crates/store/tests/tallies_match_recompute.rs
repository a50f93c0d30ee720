//! Property: whatever sequence of pushes, replays, conflicts, invalid events and corrections
//! arrives, every tally equals a recompute from the event log, and equals an independent
//! model of what the phones said. `verify` also recomputes every report aggregate (team,
//! member, area, monthly and late-change tables), so they are checked here too; the events
//! reach back four days, so late changes are exercised.

mod common;

use chrono::{Duration, TimeZone, Utc};
use langso_domain::event::{PushClock, RawEvent};
use langso_domain::units::Level;
use langso_domain::{BatchId, DeviceId, EventId, VillageId};
use langso_store::{EventStatus, PushRequest, Store, TallyQuery};
use proptest::prelude::*;
use std::collections::HashMap;

const KINDS: [&str; 3] = ["vneid_activation", "digital_signature", "e_health_book"];

fn fixture() -> (tempfile::TempDir, Store, Vec<DeviceId>) {
    common::one_team_store(2)
}

#[derive(Clone, Debug)]
enum Op {
    /// A new event: device, village 1..=3, kind, count, day offset.
    New(usize, usize, usize, i64, i64),
    /// Re-push an earlier event unchanged.
    Replay(usize),
    /// Re-push an earlier event's id with another count.
    Conflict(usize),
    /// Correct the latest version of an earlier event to this count (0 voids).
    Correct(usize, i64),
    /// An invalid event (count out of range).
    Invalid(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, 1..=3usize, 0..3usize, 1..=20i64, 0..4i64)
            .prop_map(|(d, v, k, c, day)| Op::New(d, v, k, c, day)),
        1 => any::<usize>().prop_map(Op::Replay),
        1 => any::<usize>().prop_map(Op::Conflict),
        2 => (any::<usize>(), 0..=20i64).prop_map(|(i, c)| Op::Correct(i, c)),
        1 => (0..2usize).prop_map(Op::Invalid),
    ]
}

struct Sent {
    device: usize,
    raw: RawEvent,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn tallies_always_equal_a_recompute_and_the_model(
        batches in prop::collection::vec(prop::collection::vec(op(), 1..12), 1..8)
    ) {
        let (_dir, store, devices) = fixture();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 5, 0, 0).unwrap();
        let mut sent: Vec<Sent> = Vec::new();
        let mut next_seq = [1u64; 2];
        // Model: accepted event id -> (village, day offset, kind, count), and which were superseded.
        let mut model: HashMap<EventId, (String, i64, String, i64)> = HashMap::new();
        let mut head: HashMap<EventId, EventId> = HashMap::new(); // original -> latest version
        let mut superseded: Vec<EventId> = Vec::new();
        for batch in batches {
            // Group the batch's events by device: one push per device.
            let mut per_device: [Vec<RawEvent>; 2] = [Vec::new(), Vec::new()];
            for op in batch {
                let mut fresh = |d: usize| { let s = next_seq[d]; next_seq[d] += 1; s };
                let raw = match op {
                    Op::New(d, v, k, c, day) => {
                        let t = now - Duration::days(day);
                        (d, RawEvent {
                            event_id: EventId(uuid::Uuid::now_v7()), seq: fresh(d),
                            kind: KINDS[k].into(), village_id: VillageId::from_index(v).to_string(),
                            count: c, occurred_at: t.to_rfc3339(), note: None, corrects: None, clock_offset_ms: None,
                        })
                    }
                    Op::Replay(i) | Op::Conflict(i) if !sent.is_empty() => {
                        let s = &sent[i % sent.len()];
                        let mut raw = s.raw.clone();
                        if matches!(op, Op::Conflict(_)) { raw.count = raw.count % 20 + 1 + 20; }
                        (s.device, raw)
                    }
                    Op::Correct(i, c) if !model.is_empty() => {
                        let mut originals: Vec<_> = head.keys().copied().collect();
                        originals.sort();
                        let target = head[&originals[i % originals.len()]];
                        let (village, day, kind, _) = model[&target].clone();
                        let d = i % 2;
                        (d, RawEvent {
                            event_id: EventId(uuid::Uuid::now_v7()), seq: fresh(d), kind,
                            village_id: village, count: c,
                            occurred_at: (now - Duration::days(day)).to_rfc3339(),
                            note: None, corrects: Some(target), clock_offset_ms: None,
                        })
                    }
                    Op::Invalid(d) => (d, RawEvent {
                        event_id: EventId(uuid::Uuid::now_v7()), seq: fresh(d),
                        kind: KINDS[0].into(), village_id: VillageId::from_index(1).to_string(),
                        count: 5000, occurred_at: now.to_rfc3339(), note: None, corrects: None, clock_offset_ms: None,
                    }),
                    _ => continue,
                };
                per_device[raw.0].push(raw.1);
            }
            for (d, events) in per_device.into_iter().enumerate() {
                if events.is_empty() { continue; }
                let out = store.push_blocking(PushRequest {
                    device: devices[d], token_iat_ms: now.timestamp_millis(),
                    batch_id: BatchId(uuid::Uuid::now_v7()),
                    clock: PushClock { received_at: now, offset: Duration::zero() },
                    events: events.clone(),
                    malformed: Vec::new(),
                }).unwrap();
                for (raw, result) in events.into_iter().zip(out.results) {
                    prop_assert_eq!(result.event_id, Some(raw.event_id));
                    if result.status == EventStatus::Accepted {
                        let day = (now - chrono::DateTime::parse_from_rfc3339(&raw.occurred_at).unwrap().with_timezone(&Utc)).num_days();
                        model.insert(raw.event_id, (raw.village_id.clone(), day, raw.kind.clone(), raw.count));
                        match raw.corrects {
                            Some(t) => {
                                superseded.push(t);
                                let original = *head.iter().find(|(_, h)| **h == t).unwrap().0;
                                head.insert(original, raw.event_id);
                            }
                            None => { head.insert(raw.event_id, raw.event_id); }
                        }
                        sent.push(Sent { device: d, raw });
                    } else if result.status == EventStatus::Duplicate {
                        prop_assert!(model.contains_key(&raw.event_id));
                    }
                }
            }
        }
        prop_assert!(store.verify().unwrap().is_empty(), "tallies differ from the event log");
        let mut expected: HashMap<String, i64> = HashMap::new();
        for (id, (_, _, kind, count)) in &model {
            if !superseded.contains(id) { *expected.entry(kind.clone()).or_default() += count; }
        }
        expected.retain(|_, v| *v != 0);
        let report = store.tallies(&TallyQuery {
            level: Level::Commune, unit: "06649".into(),
            from: (now - Duration::days(10)).date_naive(), to: now.date_naive() + Duration::days(1),
        }).unwrap();
        let got: HashMap<String, i64> = report.totals.into_iter().collect();
        prop_assert_eq!(got, expected);
    }
}
