//! The sync engine's tokens against the real `langso` server on loopback: expired or garbled
//! access tokens are refreshed, a revoked device is told clearly, a re-enrolled device
//! carries its held events.

mod support;

use langso_client::Error;
use langso_tests::harness::Server;
use support::{enroll, fast, poke_state, read_state, stored_ids};

/// Signs `token`'s claims again, expired, with the server's key (unsealed from its database).
fn expired_copy(server: &Server, token: &str) -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let header = langso_tests::harness::jwt_header(token);
    let kid = header["kid"].as_str().unwrap().to_owned();
    let secret = langso_tests::harness::keys::signing_secret(&server.db, &kid);
    let payload = token.split('.').nth(1).unwrap();
    // The harness decodes a JWT's first segment; the payload is base64url JSON too.
    let mut claims = langso_tests::harness::jwt_header(&format!("{payload}.x.y"));
    let past = chrono::Utc::now().timestamp() - 3600;
    claims["iat"] = (past - 900).into();
    claims["nbf"] = (past - 900).into();
    claims["exp"] = past.into();
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(kid);
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(&secret)).unwrap()
}

#[test]
fn an_expired_access_token_is_refreshed_and_the_request_retried_once() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let path = phone.path();
    let token = read_state(&path, "access_token").unwrap();
    let refresh_before = read_state(&path, "refresh_token").unwrap();
    // The phone believes its token is good for a year; the server says it expired.
    poke_state(&path, "access_token", &expired_copy(&server, &token));
    poke_state(&path, "access_expires_at", "2099-01-01T00:00:00Z");
    phone.reopen(fast());

    let report = phone.engine.sync().unwrap();

    assert!(report.refreshed);
    assert_eq!(report.accepted, 1);
    assert_ne!(
        read_state(&path, "refresh_token").unwrap(),
        refresh_before,
        "rotated and stored"
    );
}

#[test]
fn a_garbled_stored_token_is_refreshed_too() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    poke_state(&phone.path(), "access_token", "garbage");
    poke_state(&phone.path(), "access_expires_at", "2099-01-01T00:00:00Z");
    phone.reopen(fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();

    let report = phone.engine.sync().unwrap();

    assert!(report.refreshed);
    assert_eq!(report.accepted, 1);
}

#[test]
fn a_revoked_device_gets_a_clear_error_and_keeps_its_queue() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    server.cli_ok(&["revoke-device", &phone.device_id()]);

    let err = phone.engine.sync().unwrap_err();

    assert!(matches!(err, Error::DeviceRevoked(_)), "{err}");
    assert_eq!(phone.engine.status().unwrap().queued, 1);
}

#[test]
fn a_reenrolled_device_carries_every_held_event_to_the_new_enrollment() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    phone.engine.sync().unwrap();
    let waiting = phone
        .engine
        .record(phone.event("vneid_activation", 2))
        .unwrap();
    server.cli_ok(&["revoke-device", &phone.device_id()]);
    assert!(phone.engine.sync().is_err());

    let e = phone
        .engine
        .enroll(&server.url, &server.invite("T00001"), "new phone")
        .unwrap();
    // The unsent one, and the stored one too (issue 7: a restored server may lack it).
    assert_eq!(e.carried_over, 2);
    let report = phone.engine.sync().unwrap();

    // The stored one stays counted once, under the former enrollment.
    assert_eq!((report.accepted, report.duplicate), (1, 1));
    assert!(phone.engine.status().unwrap().problems.is_empty());
    assert_eq!(
        stored_ids(&server, &e.device_id),
        [waiting.event_id.to_string()]
    );
    server.assert_tallies_verify();
}
