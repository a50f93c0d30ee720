//! The request id (issue 9, operations): every answer carries `X-Request-Id`, a sane
//! incoming one is kept and anything else replaced, and the request's log lines carry it.

use langso_tests::harness::Server;

#[test]
fn every_answer_has_a_request_id_and_its_log_lines_carry_it() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut seen = std::collections::BTreeSet::new();
    for path in [
        "/healthz",
        "/readyz",
        "/v1/sync/pull",
        "/no/such/path",
        "/login",
    ] {
        let r = s.raw_get(path, &[]);
        let id = r
            .request_id
            .unwrap_or_else(|| panic!("{path} ({}) has no X-Request-Id", r.status));
        assert_eq!(id.len(), 32, "{path}: {id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: {id}");
        seen.insert(id);
    }
    assert_eq!(seen.len(), 5, "every request gets its own id: {seen:?}");

    // An unauthenticated pull is refused (401): the log line of that request has its id.
    let r = s.raw_get("/v1/sync/pull", &[("x-request-id", "proxy-req.42_a")]);
    assert_eq!(
        (r.status, r.request_id.as_deref()),
        (401, Some("proxy-req.42_a"))
    );
    let log = s.log();
    let line = (log.lines())
        .find(|l| l.contains("proxy-req.42_a"))
        .unwrap_or_else(|| panic!("no log line carries the request id:\n{log}"));
    assert!(
        line.contains("/v1/sync/pull") && line.contains("401"),
        "{line}"
    );
}

#[test]
fn an_insane_incoming_request_id_is_replaced() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let long = "x".repeat(65);
    for bad in ["has space", "quote\"d", long.as_str(), "new\tline"] {
        let r = s.raw_get("/healthz", &[("x-request-id", bad)]);
        let id = r.request_id.expect("an id");
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32, "{id}");
        assert!(!s.log().contains(bad), "the log quotes {bad:?}");
    }
}

#[test]
fn what_blocking_work_logs_carries_the_request_id_too() {
    let s = Server::start_demo();
    let code = s.create_user("team_leader", "T00001", "lan.tran");
    let body =
        serde_json::json!({"username": "lan.tran", "code": code, "password": "mật khẩu dài đủ"});
    let r = s.send(
        "POST",
        "/v1/auth/set-password",
        &[
            ("content-type", "application/json"),
            ("x-request-id", "set-pw.7"),
        ],
        Some(body.to_string().as_bytes()),
    );
    assert_eq!(r.resp.status, 200);
    let log = s.log();
    let line = (log.lines())
        .find(|l| l.contains("leader password set"))
        .unwrap_or_else(|| panic!("no line for the password:\n{log}"));
    assert!(
        line.contains("set-pw.7"),
        "logged off the request's thread: {line}"
    );
}
