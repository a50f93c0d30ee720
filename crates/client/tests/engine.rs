//! The sync engine against the real `langso` server on loopback: events go up once, reference
//! data comes down, rejections, limits, corrections and phone clocks (tokens:
//! engine_tokens.rs; failures and resumption: engine_resume.rs).

mod support;

use langso_client::{Config, Engine, Error, EventState, NewEvent};
use langso_domain::{KindCode, VillageId};
use langso_tests::harness::Server;
use support::{enroll, fast, stored_ids};

#[test]
fn recorded_events_go_up_once_and_reference_data_comes_down() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let ids: Vec<_> = (1..=3)
        .map(|n| {
            phone
                .engine
                .record(phone.event("vneid_activation", n))
                .unwrap()
        })
        .collect();
    assert_eq!(ids.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(phone.engine.status().unwrap().queued, 3);

    let report = phone.engine.sync().unwrap();

    assert_eq!((report.accepted, report.batches), (3, 1));
    let status = phone.engine.status().unwrap();
    assert_eq!(status.queued, 0);
    assert_eq!(status.acked_through_seq, 3);
    assert!(status.last_sync.is_some() && status.generation.is_some());
    assert_eq!(status.villages, phone.villages.len());
    assert!(phone.engine.kinds().unwrap().len() >= 7);
    let stored = stored_ids(&server, &phone.device_id());
    let recorded: Vec<String> = ids.iter().map(|r| r.event_id.to_string()).collect();
    assert_eq!(stored, recorded);
    server.assert_tallies_verify();
}

#[test]
fn a_second_sync_sends_nothing_and_pulls_only_what_changed() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let first = phone.engine.sync().unwrap();
    assert!(first.pulled > 7, "the first pull is a snapshot");

    let second = phone.engine.sync().unwrap();

    assert_eq!((second.pushed, second.pulled), (0, 0));
}

#[test]
fn a_rejected_event_is_kept_with_its_reason_and_never_blocks_the_queue() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let foreign = server.team("T00002")["village_ids"][0]
        .as_str()
        .unwrap()
        .to_owned();
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let bad = NewEvent::new(
        KindCode::parse("vneid_activation").unwrap(),
        VillageId::parse(&foreign).unwrap(),
        1,
    );
    let bad = phone.engine.record(bad).unwrap();
    phone
        .engine
        .record(phone.event("digital_signature", 2))
        .unwrap();

    let report = phone.engine.sync().unwrap();

    assert_eq!((report.accepted, report.rejected), (2, 1));
    let status = phone.engine.status().unwrap();
    assert_eq!(status.queued, 0);
    assert_eq!(status.acked_through_seq, 3);
    let problem = &status.problems[0];
    assert_eq!(problem.event_id, bad.event_id);
    assert_eq!(problem.state, EventState::Rejected);
    assert_eq!(problem.code.as_deref(), Some("village_not_in_team"));
    assert!(problem.message.as_deref().unwrap().contains(&foreign));

    // Later events still go up, and the rejection is not resent.
    phone
        .engine
        .record(phone.event("e_health_book", 1))
        .unwrap();
    let next = phone.engine.sync().unwrap();
    assert_eq!((next.pushed, next.accepted), (1, 1));
    assert!(phone.engine.dismiss(&bad.event_id).unwrap());
    assert!(phone.engine.status().unwrap().problems.is_empty());
}

#[test]
fn two_processes_recording_on_one_device_file_never_share_a_seq() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let mut other = Engine::open(&phone.path(), fast()).unwrap();

    let a = phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let b = other.record(phone.event("vneid_activation", 1)).unwrap();
    let c = phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();

    assert_eq!([a.seq, b.seq, c.seq], [1, 2, 3]);
    assert_eq!(other.sync().unwrap().accepted, 3);
    assert_eq!(phone.engine.sync().unwrap().pushed, 0);
}

#[test]
fn invalid_counts_and_long_notes_are_refused_at_record_time() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let zero = phone.engine.record(phone.event("vneid_activation", 0));
    assert!(matches!(zero, Err(Error::Invalid(_))));
    let mut long = phone.event("vneid_activation", 1);
    long.note = Some("ả".repeat(501));
    assert!(matches!(phone.engine.record(long), Err(Error::Invalid(_))));
    assert_eq!(phone.engine.status().unwrap().next_seq, 1, "no seq used");
}

#[test]
fn a_large_queue_goes_up_in_batches_within_the_event_and_byte_limits() {
    let server = Server::start_demo();
    let config = Config {
        batch_max_events: 7,
        batch_max_bytes: 8 * 1024,
        ..fast()
    };
    let mut phone = enroll(&server, "T00001", config);
    for _ in 0..20 {
        phone
            .engine
            .record(phone.event("vneid_activation", 1))
            .unwrap();
    }
    let report = phone.engine.sync().unwrap();
    assert_eq!((report.accepted, report.batches), (20, 3));

    for _ in 0..10 {
        let mut e = phone.event("vneid_activation", 1);
        e.note = Some("Hỗ trợ bà con cài VNeID ".repeat(20));
        phone.engine.record(e).unwrap();
    }
    let report = phone.engine.sync().unwrap();
    assert_eq!(report.accepted, 10);
    assert!(report.batches >= 2, "8 KiB holds fewer than 10 such events");
    assert_eq!(stored_ids(&server, &phone.device_id()).len(), 30);
}

#[test]
fn corrections_and_voids_replace_what_they_correct() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let first = phone
        .engine
        .record(phone.event("vneid_activation", 5))
        .unwrap();
    let mut fix = phone.event("vneid_activation", 3);
    fix.corrects = Some(first.event_id);
    let fix = phone.engine.record(fix).unwrap();
    let mut void = phone.event("vneid_activation", 0);
    void.corrects = Some(fix.event_id);
    phone.engine.record(void).unwrap();

    let report = phone.engine.sync().unwrap();

    assert_eq!(report.accepted, 3);
    let totals = &phone.engine.status().unwrap().team_totals.unwrap();
    assert_eq!(
        totals["today"]["totals"]["vneid_activation"]
            .as_i64()
            .unwrap_or(0),
        0
    );
    server.assert_tallies_verify();
}

#[test]
fn a_phone_clock_days_behind_is_sent_as_is_and_placed_by_the_server() {
    let server = Server::start_demo();
    let config = Config {
        clock_offset: chrono::Duration::days(-3),
        ..fast()
    };
    let mut phone = enroll(&server, "T00001", config);
    phone
        .engine
        .record(phone.event("vneid_activation", 4))
        .unwrap();

    phone.engine.sync().unwrap();

    let held = &phone.engine.events().unwrap()[0];
    assert!(
        held.clock_corrected,
        "the server placed it by corrected time"
    );
    let totals = phone.engine.status().unwrap().team_totals.unwrap();
    assert_eq!(totals["today"]["totals"]["vneid_activation"], 4);
}
