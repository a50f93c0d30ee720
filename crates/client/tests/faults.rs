//! The engine through the fault-injecting proxy: answers lost after the commit, delayed,
//! duplicated, cut mid-body, 503 with Retry-After. Nothing is lost or counted twice.

mod support;

use langso_client::proxy::{Fault, FaultProxy, Faults};
use langso_client::{Config, Error};
use langso_tests::harness::Server;
use std::time::Duration;
use support::{Phone, enroll, fast, poke_state, stored_ids};

/// A phone enrolled directly, then syncing through a proxy with `faults` scripted on
/// requests whose path starts with `path`.
fn through_proxy(
    server: &Server,
    config: Config,
    path: &str,
    faults: &[Fault],
) -> (Phone, FaultProxy) {
    let mut phone = enroll(server, "T00001", config);
    let proxy = FaultProxy::start(&server.url, Faults::none()).unwrap();
    proxy.script(path, faults.iter().copied());
    phone.engine.set_server(&proxy.url()).unwrap();
    (phone, proxy)
}

fn record(phone: &mut Phone, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let e = phone.event("vneid_activation", 2);
            phone.engine.record(e).unwrap().event_id.to_string()
        })
        .collect()
}

#[test]
fn an_answer_lost_after_the_commit_is_retried_and_answered_duplicate() {
    let server = Server::start_demo();
    let (mut phone, proxy) = through_proxy(&server, fast(), "/v1/sync/push", &[Fault::DropAnswer]);
    let ids = record(&mut phone, 5);

    let report = phone.engine.sync().unwrap();

    assert_eq!(proxy.counts().dropped, 1);
    assert!(report.retries >= 1);
    assert_eq!(
        (report.duplicate, report.accepted),
        (5, 0),
        "the first send was committed"
    );
    assert_eq!(stored_ids(&server, &phone.device_id()), ids);
    assert_eq!(phone.engine.status().unwrap().queued, 0);
    server.assert_tallies_verify();
}

#[test]
fn a_request_the_server_receives_twice_is_counted_once() {
    let server = Server::start_demo();
    let (mut phone, proxy) = through_proxy(&server, fast(), "/v1/sync/push", &[Fault::Duplicate]);
    let ids = record(&mut phone, 5);

    let report = phone.engine.sync().unwrap();

    assert_eq!(proxy.counts().duplicated, 1);
    assert_eq!(report.duplicate, 5, "the phone sees the replay's answer");
    assert_eq!(stored_ids(&server, &phone.device_id()), ids);
    let totals = phone.engine.status().unwrap().team_totals.unwrap();
    assert_eq!(totals["today"]["totals"]["vneid_activation"], 10);
    server.assert_tallies_verify();
}

#[test]
fn an_answer_cut_mid_body_is_retried_and_nothing_is_lost() {
    let server = Server::start_demo();
    let (mut phone, proxy) = through_proxy(
        &server,
        fast(),
        "/v1/sync/",
        &[Fault::CutBody, Fault::CutBody],
    );
    let ids = record(&mut phone, 5);

    let report = phone.engine.sync().unwrap();

    assert_eq!(proxy.counts().cut, 2);
    assert_eq!(report.duplicate + report.accepted, 5);
    assert_eq!(stored_ids(&server, &phone.device_id()), ids);
    assert_eq!(
        phone.engine.status().unwrap().villages,
        phone.villages.len()
    );
}

#[test]
fn a_delayed_answer_arrives_and_a_late_one_is_retried() {
    let server = Server::start_demo();
    // Generous numbers: a loaded CI machine must not turn the short delay into a timeout.
    let config = Config {
        timeout: Duration::from_secs(4),
        ..fast()
    };
    let faults = [
        Fault::Delay(Duration::from_millis(100)),
        Fault::Delay(Duration::from_secs(10)),
    ];
    let (mut phone, _proxy) = through_proxy(&server, config, "/v1/sync/push", &faults);
    let first = record(&mut phone, 3);
    let report = phone.engine.sync().unwrap();
    assert_eq!(
        (report.accepted, report.retries),
        (3, 0),
        "a short delay is just slow"
    );

    let second = record(&mut phone, 3);
    let report = phone.engine.sync().unwrap();

    assert!(report.retries >= 1, "the late answer timed out");
    assert_eq!(report.duplicate, 3);
    let all: Vec<String> = first.into_iter().chain(second).collect();
    assert_eq!(stored_ids(&server, &phone.device_id()), all);
}

#[test]
fn a_503_is_retried_after_the_servers_retry_after() {
    let server = Server::start_demo();
    let (mut phone, proxy) = through_proxy(&server, fast(), "/v1/sync/push", &[Fault::Unavailable]);
    let ids = record(&mut phone, 2);

    let report = phone.engine.sync().unwrap();

    assert_eq!(proxy.counts().unavailable, 1);
    assert_eq!(report.retries, 1);
    assert!(
        report.waited_ms >= 1000,
        "Retry-After: 1 honoured, waited {} ms",
        report.waited_ms
    );
    assert_eq!(report.accepted, 2);
    assert_eq!(stored_ids(&server, &phone.device_id()), ids);
}

#[test]
fn a_lost_token_refresh_answer_is_retried_with_the_same_token_and_gets_the_same_pair() {
    let server = Server::start_demo();
    let (mut phone, proxy) = through_proxy(
        &server,
        fast(),
        "/v1/devices/token",
        &[Fault::DropAnswer, Fault::Duplicate],
    );
    // The access token is due for refresh.
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(fast());
    let server_url = proxy.url();
    phone.engine.set_server(&server_url).unwrap();
    record(&mut phone, 1);

    let report = phone.engine.sync().unwrap();

    assert!(report.refreshed);
    assert_eq!((proxy.counts().dropped, proxy.counts().duplicated), (1, 1));
    assert_eq!(report.accepted, 1);
    // The stored refresh token still works: no reuse was detected.
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(fast());
    record(&mut phone, 1);
    assert_eq!(phone.engine.sync().unwrap().accepted, 1);
}

#[test]
fn a_server_down_for_longer_than_the_retries_leaves_the_queue_for_next_time() {
    let server = Server::start_demo();
    let faults = [Fault::Unavailable; 6];
    let config = Config {
        backoff: langso_client::Backoff {
            max_retry_after: Duration::from_millis(5),
            ..fast().backoff
        },
        ..fast()
    };
    let (mut phone, _proxy) = through_proxy(&server, config, "/v1/sync/push", &faults);
    record(&mut phone, 2);

    let err = phone.engine.sync().unwrap_err();

    assert!(
        matches!(err, Error::Unreachable { attempts: 6, .. }),
        "{err}"
    );
    assert_eq!(phone.engine.status().unwrap().queued, 2);
    assert_eq!(phone.engine.sync().unwrap().accepted, 2);
}

#[test]
fn random_faults_on_every_request_lose_nothing_and_count_nothing_twice() {
    let server = Server::start_demo();
    let mut phone = enroll(
        &server,
        "T00001",
        Config {
            batch_max_events: 10,
            ..fast()
        },
    );
    let proxy = FaultProxy::start(
        &server.url,
        Faults {
            max_delay: Duration::from_millis(20),
            unavailable: 0.05,
            ..Faults::each(0.12, 42)
        },
    )
    .unwrap();
    phone.engine.set_server(&proxy.url()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.extend(record(&mut phone, 17));
        // A sync may give up after its attempts; the next one resumes.
        let synced = (0..10).any(|_| match phone.engine.sync() {
            Ok(_) => true,
            Err(Error::Unreachable { .. }) => false,
            Err(e) => panic!("{e}"),
        });
        assert!(synced);
    }
    assert!(proxy.counts().requests > 20);
    assert_eq!(stored_ids(&server, &phone.device_id()), ids);
    let totals = phone.engine.status().unwrap().team_totals.unwrap();
    assert_eq!(
        totals["today"]["totals"]["vneid_activation"],
        2 * ids.len() as i64
    );
    server.assert_tallies_verify();
}
