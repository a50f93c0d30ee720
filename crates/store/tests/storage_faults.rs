//! A storage fault at any point of a group commit stores nothing of the group: every push
//! answered with an error has none of its events stored, every push answered with an
//! outcome has all of them, tallies and report aggregates equal a recompute, and the failed
//! pushes, sent again, count once.
//!
//! Faults are real SQLite errors raised inside the writer's own transaction (feature
//! `fault-injection`): `SQLITE_INTERRUPT` at every reachable point of a group (SQLite rolls
//! the whole transaction back by itself, as it may on `SQLITE_FULL`, `SQLITE_IOERR`,
//! `SQLITE_NOMEM` or `SQLITE_BUSY`), and `SQLITE_FULL` from a database size cap.

mod common;

use chrono::{Duration, TimeZone, Utc};
use langso_domain::event::{PushClock, RawEvent};
use langso_domain::{BatchId, DeviceId, EventId, VillageId};
use langso_store::{EventStatus, PushRequest, Store};
use std::collections::HashMap;

const KINDS: [&str; 3] = ["vneid_activation", "digital_signature", "e_health_book"];
const DEVICES: usize = 4;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    devices: Vec<DeviceId>,
    next_seq: Vec<u64>,
    /// Every event the store acknowledged as accepted, with its count (corrections: the
    /// corrected count; their targets are dropped from the model).
    model: HashMap<EventId, (String, i64)>,
    now: chrono::DateTime<Utc>,
}

fn fixture() -> Fixture {
    let (dir, store, devices) = common::one_team_store(DEVICES);
    Fixture {
        _dir: dir,
        store,
        devices,
        next_seq: vec![1; DEVICES],
        model: HashMap::new(),
        now: Utc.with_ymd_and_hms(2026, 11, 28, 5, 0, 0).unwrap(),
    }
}

impl Fixture {
    /// One push per device: new events (long notes, so the group needs new pages), a
    /// replay of an acknowledged event, and a correction of one.
    fn group(&mut self, round: usize) -> Vec<PushRequest> {
        let acknowledged: Vec<EventId> = {
            let mut ids: Vec<EventId> = self.model.keys().copied().collect();
            ids.sort();
            ids
        };
        (0..DEVICES)
            .map(|d| {
                let mut events = Vec::new();
                for i in 0..3 + d * 2 {
                    events.push(self.new_event(d, i, round, None));
                }
                if let Some(target) = acknowledged.get((round * 7 + d) % acknowledged.len().max(1))
                {
                    let c = self.new_event(d, 0, round, Some(*target));
                    events.push(c);
                }
                self.request(d, events)
            })
            .collect()
    }

    fn new_event(
        &mut self,
        d: usize,
        i: usize,
        round: usize,
        corrects: Option<EventId>,
    ) -> RawEvent {
        let seq = self.next_seq[d];
        self.next_seq[d] += 1;
        RawEvent {
            event_id: EventId(uuid::Uuid::now_v7()),
            seq,
            kind: KINDS[(i + round) % 3].into(),
            village_id: VillageId::from_index(1 + (i + d) % 3).to_string(),
            count: ((i + round) % 7) as i64 + if corrects.is_some() { 0 } else { 1 },
            occurred_at: (self.now - Duration::hours((i % 30) as i64)).to_rfc3339(),
            note: Some(format!("round {round} event {i} {}", "ghi chú ".repeat(40))),
            corrects,
            clock_offset_ms: None,
        }
    }

    fn request(&self, d: usize, events: Vec<RawEvent>) -> PushRequest {
        PushRequest {
            device: self.devices[d],
            token_iat_ms: self.now.timestamp_millis(),
            batch_id: BatchId(uuid::Uuid::now_v7()),
            clock: PushClock {
                received_at: self.now,
                offset: Duration::zero(),
            },
            events,
            malformed: Vec::new(),
        }
    }

    /// Queues the whole group behind a held writer, so it commits as one transaction.
    fn run_group(
        &self,
        group: &[PushRequest],
    ) -> Vec<langso_store::Result<langso_store::PushOutcome>> {
        let hold = self.store.hold_writer();
        let pending: Vec<_> = group
            .iter()
            .map(|r| self.store.push_queued(r.clone()))
            .collect();
        drop(hold);
        pending.into_iter().map(|p| p.wait()).collect()
    }

    fn stored(&self, id: &EventId) -> bool {
        self.store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM events WHERE event_id = ?1",
                    [id.as_bytes().as_slice()],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap()
            == 1
    }

    /// Checks "an answer ⇔ all of it stored; an error ⇔ none of it" and records what was
    /// accepted. Returns the pushes that failed.
    fn settle(
        &mut self,
        group: Vec<PushRequest>,
        outcomes: Vec<langso_store::Result<langso_store::PushOutcome>>,
        context: &str,
    ) -> Vec<PushRequest> {
        let mut failed = Vec::new();
        for (req, outcome) in group.into_iter().zip(outcomes) {
            match outcome {
                Ok(out) => {
                    for (raw, res) in req.events.iter().zip(&out.results) {
                        assert!(
                            matches!(res.status, EventStatus::Accepted | EventStatus::Duplicate),
                            "{context}: {:?} {:?}",
                            res.status,
                            res.message
                        );
                        assert!(
                            self.stored(&raw.event_id),
                            "{context}: acknowledged, not stored"
                        );
                        if res.status == EventStatus::Accepted {
                            self.accept(raw);
                        }
                    }
                }
                Err(e) => {
                    assert!(e.is_unavailable(), "{context}: {e}");
                    for raw in &req.events {
                        assert!(
                            !self.stored(&raw.event_id) || self.model.contains_key(&raw.event_id),
                            "{context}: a push answered with an error left event {} stored",
                            raw.seq
                        );
                    }
                    failed.push(req);
                }
            }
        }
        failed
    }

    fn accept(&mut self, raw: &RawEvent) {
        if let Some(t) = raw.corrects {
            self.model.remove(&t);
        }
        self.model
            .insert(raw.event_id, (raw.kind.clone(), raw.count));
    }

    /// verify() finds nothing, acknowledged seqs included, and the tallies sum to the model.
    fn assert_consistent(&self, context: &str) {
        let diffs = self.store.verify().unwrap();
        assert!(diffs.is_empty(), "{context}: verify found {diffs:?}");
        let problems = self.store.verify_integrity().unwrap();
        assert!(problems.is_empty(), "{context}: verify found {problems:?}");
        let total: i64 = self
            .store
            .read(|c| {
                Ok(
                    c.query_row("SELECT coalesce(sum(total), 0) FROM tallies", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .unwrap();
        let expected: i64 = self.model.values().map(|(_, n)| n).sum();
        assert_eq!(
            total, expected,
            "{context}: tallies against what was acknowledged"
        );
    }

    /// Sends the failed pushes again, fault-free: each is stored once.
    fn repush(&mut self, failed: Vec<PushRequest>, context: &str) {
        for req in failed {
            let out = self.store.push_blocking(req.clone()).unwrap();
            for (raw, res) in req.events.iter().zip(&out.results) {
                match res.status {
                    EventStatus::Accepted => self.accept(raw),
                    EventStatus::Duplicate => assert!(self.model.contains_key(&raw.event_id)),
                    other => panic!("{context}: re-push answered {other:?} {:?}", res.message),
                }
            }
        }
        self.assert_consistent(context);
    }
}

#[test]
fn an_interrupt_anywhere_in_a_group_stores_nothing_of_the_failed_pushes() {
    let mut f = fixture();
    // Warm up: some acknowledged events to correct, and the number of progress callbacks
    // one group takes.
    let group = f.group(0);
    let out = f.run_group(&group);
    assert!(f.settle(group, out, "warm-up").is_empty());
    let calls = f.store.interrupt_writer_at(u64::MAX).unwrap();
    let group = f.group(1);
    let out = f.run_group(&group);
    assert!(f.settle(group, out, "counting").is_empty());
    let points = calls.load(std::sync::atomic::Ordering::Relaxed);
    assert!(points > 50, "a group runs {points} callbacks");

    let mut failures = 0;
    for (round, at) in (1..=points + 5)
        .step_by(((points / 150) as usize).max(1))
        .enumerate()
    {
        let context = format!("interrupt at callback {at} of ~{points}");
        f.store.interrupt_writer_at(at).unwrap();
        let group = f.group(round + 2);
        let out = f.run_group(&group);
        f.store.disarm_writer().unwrap();
        let failed = f.settle(group, out, &context);
        failures += usize::from(!failed.is_empty());
        f.assert_consistent(&context);
        f.repush(failed, &context);
    }
    assert!(failures > 10, "the interrupt hit only {failures} groups");
}

#[test]
fn a_full_database_mid_group_stores_nothing_of_the_failed_pushes() {
    let mut f = fixture();
    let group = f.group(0);
    let out = f.run_group(&group);
    assert!(f.settle(group, out, "warm-up").is_empty());
    let mut failures = 0;
    for round in 1..40 {
        let context = format!("cap of {} extra pages", round % 8);
        f.store.cap_writer_pages(Some((round % 8) as i64)).unwrap();
        let group = f.group(round);
        let out = f.run_group(&group);
        f.store.cap_writer_pages(None).unwrap();
        let failed = f.settle(group, out, &context);
        failures += usize::from(!failed.is_empty());
        f.assert_consistent(&context);
        f.repush(failed, &context);
    }
    assert!(failures > 5, "the cap hit only {failures} groups");
}

#[test]
fn a_lone_push_that_fails_does_not_fail_the_rest_of_its_group() {
    // A fault that is not the environment's (here: a note too big for SQLite's limit is
    // refused by the statement) sends every other push of the group through alone.
    let mut f = fixture();
    let mut group = f.group(0);
    for req in &mut group {
        for e in &mut req.events {
            e.note = None;
        }
    }
    group[1].events[0].note = Some("ghi chú ".repeat(40));
    f.store.limit_writer_length(200).unwrap();
    let out = f.run_group(&group);
    assert!(out[1].is_err(), "the push with the long note fails");
    let failed = f.settle(group, out, "one bad push");
    assert_eq!(failed.len(), 1, "only the bad push failed");
    f.assert_consistent("one bad push");
}

#[test]
fn a_push_from_a_device_the_database_does_not_know_is_refused_alone() {
    // After a database is replaced by an older copy, a phone enrolled since still holds a
    // valid access token: its push must be refused on its own, not end its group.
    let mut f = fixture();
    let mut group = f.group(0);
    group[2].device = DeviceId(uuid::Uuid::now_v7());
    let mut outcomes = f.run_group(&group);
    let refused = outcomes.remove(2);
    assert!(
        matches!(refused, Err(langso_store::StoreError::UnknownDevice)),
        "{:?}",
        refused.err()
    );
    let mut rest = group;
    rest.remove(2);
    assert!(
        outcomes.iter().all(Result::is_ok),
        "the other pushes were stored"
    );
    assert!(f.settle(rest, outcomes, "unknown device").is_empty());
    f.assert_consistent("unknown device");
}
