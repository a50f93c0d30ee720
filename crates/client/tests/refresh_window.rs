//! Item 4 of issue 7: with the reference client's own timeouts, a token refresh whose
//! answer is held for 75 s is retried with the same old token inside the server's retry
//! window, so the phone is not revoked and ends synced.

mod support;

use langso_client::Config;
use langso_client::proxy::{Fault, FaultProxy, Faults};
use langso_tests::harness::Server;
use std::time::Duration;
use support::{enroll, poke_state, stored_ids};

#[test]
fn a_refresh_answer_held_for_75_seconds_does_not_revoke_the_phone() {
    let server = Server::start_demo();
    // The engine's defaults (timeouts, backoff), as a phone runs it.
    let config = || Config {
        seed: Some(7),
        ..Config::default()
    };
    let mut phone = enroll(&server, "T00001", config());
    let proxy = FaultProxy::start(&server.url, Faults::none()).unwrap();
    proxy.script("/v1/devices/token", [Fault::Delay(Duration::from_secs(75))]);
    phone.engine.set_server(&proxy.url()).unwrap();
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(config());
    let first = phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();

    let report = phone.engine.sync().unwrap();

    assert!(report.refreshed && report.retries >= 1);
    assert_eq!(proxy.counts().delayed, 1);
    assert_eq!(
        stored_ids(&server, &phone.device_id()),
        [first.event_id.to_string()]
    );
    // Not revoked: the stored token refreshes again, and the phone keeps syncing.
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(config());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let again = phone.engine.sync().unwrap();
    assert!(again.refreshed);
    assert_eq!(again.accepted, 1);
}
