//! Unit tests of the spec checker: the spec itself (parses, refs resolve, examples match)
//! and the checker's verdicts on good and bad bodies.

use super::*;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The panic message of `f`, or None if it did not panic.
fn panic_of(f: impl FnOnce()) -> Option<String> {
    let r = catch_unwind(AssertUnwindSafe(f));
    r.err().map(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

fn push_response(status: &str) -> Value {
    json!({
        "batch_id": "01937a4e-6b2c-7d3e-8f40-123456789abc",
        "results": [
            {"index": 0, "event_id": "01937a4e-0000-7000-8000-000000000001", "status": "accepted"},
            {"index": 1, "event_id": "01937a4e-0000-7000-8000-000000000002", "status": "accepted",
             "clock_corrected": true},
            {"index": 2, "event_id": "01937a4e-0000-7000-8000-000000000003", "status": status},
            {"index": 3, "event_id": "01937a4e-0000-7000-8000-000000000004", "status": "rejected",
             "code": "count_out_of_range", "message": "count must be from 1 to 1000, got 0"},
            {"index": 4, "event_id": "01937a4e-0000-7000-8000-000000000005", "status": "conflict",
             "code": "event_id_conflict", "message": "stored with different content"},
            {"index": 5, "seq": 6, "status": "rejected", "code": "malformed_event",
             "message": "events[5] is not a valid event: invalid type: integer `42`"},
        ],
        "acked_through_seq": 5,
        "reset": false,
        "server_time": "2026-11-28T12:30:01.234Z",
        "generation": "0f6c6a7e-3c1e-4f43-9d7e-2b1f3f4a5b6c",
    })
}

#[test]
fn the_spec_parses_and_is_openapi_3_1() {
    let s = spec();
    let version = s["openapi"].as_str().expect("openapi is a string");
    assert!(version.starts_with("3.1."), "openapi is {version}");
    assert!(s["info"]["title"].is_string());
    assert!(s["components"]["schemas"].is_object());
    assert_eq!(
        s["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
}

#[test]
fn every_local_ref_resolves() {
    fn walk(v: &Value, at: &str, bad: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    let ok = r
                        .strip_prefix('#')
                        .is_some_and(|p| spec().pointer(p).is_some());
                    if !ok {
                        bad.push(format!("{at}: {r}"));
                    }
                }
                for (k, c) in m {
                    walk(c, &format!("{at}/{k}"), bad);
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    walk(c, &format!("{at}/{i}"), bad);
                }
            }
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(spec(), "", &mut bad);
    assert!(bad.is_empty(), "unresolved $refs:\n{}", bad.join("\n"));
}

/// Every response of every operation has a JSON schema that compiles, and every
/// example in the spec (responses and request bodies) matches its schema.
#[test]
fn every_schema_compiles_and_every_example_matches() {
    fn check_media(what: String, media: &Value, problems: &mut Vec<String>, n: &mut usize) {
        let Some(schema) = media.get("schema") else {
            problems.push(format!("{what}: no schema"));
            return;
        };
        let validator = match compile(schema) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{what}: {e}"));
                return;
            }
        };
        let mut samples: Vec<(String, &Value)> = Vec::new();
        if let Some(e) = media.get("example") {
            samples.push(("example".into(), e));
        }
        if let Some(map) = media.get("examples").and_then(Value::as_object) {
            for (name, e) in map {
                samples.push((format!("examples/{name}"), &deref(e)["value"]));
            }
        }
        for (name, sample) in samples {
            *n += 1;
            let errors = collect_errors(&validator, sample);
            if !errors.is_empty() {
                problems.push(format!("{what} {name}:\n  {}", errors.join("\n  ")));
            }
        }
    }
    fn binary_only(r: &Value) -> bool {
        r["content"].as_object().is_some_and(|media| {
            !media.is_empty()
                && media
                    .values()
                    .all(|m| m.pointer("/schema/format") == Some(&json!("binary")))
        })
    }
    let mut problems = Vec::new();
    let mut examples = 0;
    for (method, template) in documented_operations() {
        let op = &deref(&spec()["paths"][&template])[method.to_ascii_lowercase()];
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            !responses.is_empty(),
            "{method} {template} has no responses"
        );
        for (status, r) in responses {
            let media = deref(r).pointer("/content/application~1json");
            match media {
                Some(m) => check_media(
                    format!("{method} {template} {status}"),
                    m,
                    &mut problems,
                    &mut examples,
                ),
                // A HEAD answer has no body, by HTTP.
                None if method.eq_ignore_ascii_case("HEAD") => {}
                // A download (a workbook) documents its binary media only.
                None if binary_only(deref(r)) => {}
                // The metrics (GET /metrics) are Prometheus text.
                None if deref(r).pointer("/content/text~1plain").is_some() => {}
                None => problems.push(format!(
                    "{method} {template} {status}: no application/json content"
                )),
            }
        }
        if let Some(m) = deref(&op["requestBody"]).pointer("/content/application~1json") {
            check_media(
                format!("{method} {template} request"),
                m,
                &mut problems,
                &mut examples,
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(examples >= 20, "only {examples} examples were checked");
}

#[test]
fn a_valid_error_body_passes() {
    assert_conforms(
        "POST",
        "/v1/sync/push",
        400,
        &json!({"code": "invalid_json", "message": "x"}),
    );
    assert_conforms(
        "get",
        "/readyz",
        503,
        &json!({"code": "storage_unavailable", "message": "retry later"}),
    );
}

#[test]
fn an_error_body_without_message_fails_and_says_where() {
    let body = json!({"code": "invalid_json"});
    let msg = panic_of(|| assert_conforms("POST", "/v1/sync/push", 400, &body))
        .expect("a body without message must fail");
    assert!(msg.contains("POST /v1/sync/push answered 400"), "{msg}");
    assert!(msg.contains("message"), "{msg}");
    assert!(msg.contains("(root)"), "{msg}");
    assert!(msg.contains("\"invalid_json\""), "the body is shown: {msg}");
}

#[test]
fn extra_keys_and_unknown_codes_fail_where_the_server_is_strict() {
    let extra = json!({"code": "invalid_json", "message": "x", "detail": 1});
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 400, &extra)).is_some());
    let other = json!({"code": "out_of_scope", "message": "x"});
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 400, &other)).is_some());
}

#[test]
#[should_panic(expected = "status 418 is not documented")]
fn an_undocumented_status_fails() {
    assert_conforms(
        "GET",
        "/healthz",
        418,
        &json!({"code": "teapot", "message": "x"}),
    );
}

#[test]
fn unknown_paths_and_methods_fail() {
    let ok = json!({"status": "ok"});
    let msg = panic_of(|| assert_conforms("GET", "/nope", 200, &ok)).unwrap();
    assert!(msg.contains("no path"), "{msg}");
    let msg = panic_of(|| assert_conforms("DELETE", "/healthz", 200, &ok)).unwrap();
    assert!(msg.contains("documents no DELETE"), "{msg}");
}

#[test]
fn a_concrete_path_with_a_query_string_matches() {
    assert_eq!(
        match_path("/v1/sync/pull?cursor=abc&limit=5").as_deref(),
        Some("/v1/sync/pull")
    );
    assert_eq!(match_path("/v1/sync/pulls"), None);
    assert_conforms(
        "GET",
        "/v1/tallies?level=village&unit=V000001&from=2026-11-01&to=2026-11-30",
        200,
        &json!({
            "level": "village", "unit": "V000001", "unit_name": "Thôn Khe Lặc",
            "from": "2026-11-01", "to": "2026-11-30",
            "totals": {"vneid_activation": 7},
            "rows": [{"unit": "V000001", "day": "2026-11-28", "kind": "vneid_activation", "total": 7}],
        }),
    );
    assert_conforms(
        "GET",
        "/v1/sync/pull?limit=0",
        400,
        &json!({"code": "invalid_limit", "message": "limit must be from 1 to 1000"}),
    );
}

#[test]
fn push_responses_are_checked_per_event() {
    assert_conforms("POST", "/v1/sync/push", 200, &push_response("duplicate"));
    let msg = panic_of(|| {
        assert_conforms("POST", "/v1/sync/push", 200, &push_response("maybe"));
    })
    .expect("status maybe must fail");
    assert!(msg.contains("/results/2/status"), "{msg}");

    // A rejection needs a known code and a message; an accepted event has neither.
    let mut body = push_response("duplicate");
    body["results"][3]["code"] = json!("made_up");
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    let mut body = push_response("duplicate");
    body["results"][0]["code"] = json!("unknown_kind");
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    let mut body = push_response("duplicate");
    body["results"][2]["clock_corrected"] = json!(true);
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    let mut body = push_response("duplicate");
    body["results"][4]["code"] = json!("unknown_kind");
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    let mut body = push_response("duplicate");
    body["server_time"] = json!("yesterday");
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    // Only a malformed item may lack its event_id or give its seq back.
    let mut body = push_response("duplicate");
    body["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("event_id");
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    let mut body = push_response("duplicate");
    body["results"][3]["seq"] = json!(4);
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
    let mut body = push_response("duplicate");
    body["results"][1].as_object_mut().unwrap().remove("index");
    assert!(panic_of(|| assert_conforms("POST", "/v1/sync/push", 200, &body)).is_some());
}

#[test]
fn every_rejection_code_of_the_domain_is_documented() {
    let documented: BTreeSet<String> = spec()["components"]["schemas"]["RejectionCode"]["enum"]
        .as_array()
        .expect("RejectionCode enum")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let domain: BTreeSet<String> = langso_domain::event::ALL_CODES
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(documented, domain);
}

#[test]
fn pull_changes_distinguish_upserts_and_deletes() {
    let page = |change: Value| {
        json!({
            "changes": [change], "next_cursor": "abc", "has_more": false, "reset": false,
            "acked_through_seq": 0,
            "team_totals": {
                "today": {"from": "2026-11-28", "to": "2026-11-28", "totals": {}},
                "month": {"from": "2026-11-01", "to": "2026-11-28", "totals": {"e_health_book": 3}},
            },
            "server_time": "2026-11-28T12:30:01.234Z",
            "generation": "0f6c6a7e-3c1e-4f43-9d7e-2b1f3f4a5b6c",
        })
    };
    let ok = |c: Value| assert_conforms("GET", "/v1/sync/pull", 200, &page(c));
    let bad = |c: Value| {
        assert!(
            panic_of(|| assert_conforms("GET", "/v1/sync/pull", 200, &page(c.clone()))).is_some(),
            "should fail: {c}"
        );
    };
    ok(json!({"entity": "village", "op": "delete", "id": "V000001", "data": null}));
    ok(
        json!({"entity": "village", "op": "upsert", "id": "V000001", "data": {
        "id": "V000001", "name": "Thôn A", "population": 10, "households": 3,
        "commune_code": "06958", "commune_name": "Xã B", "district_code": null,
        "district_name": null}}),
    );
    bad(json!({"entity": "village", "op": "upsert", "id": "V000001", "data": null}));
    bad(json!({"entity": "village", "op": "delete", "id": "V000001"}));
    bad(json!({"entity": "commune", "op": "delete", "id": "x", "data": null}));
    bad(json!({"entity": "kind", "op": "upsert", "id": "k", "data": {"code": "k"}}));
}

/// The `api("PATH", [op(M::METHOD, …), …])` pairs of the server's route table.
fn server_routes() -> BTreeSet<(String, String)> {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/server/src/routes/mod.rs");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    // Whitespace removed, so a route rustfmt splits over lines reads like one on one line.
    let text: String = text.split_whitespace().collect();
    let mut routes = BTreeSet::new();
    for path_and_ops in text.split("api(\"").skip(1) {
        let end = path_and_ops
            .find('"')
            .expect("closing quote of the route path");
        let path = &path_and_ops[..end];
        for op in path_and_ops.split("op(M::").skip(1) {
            let method = op.split(',').next().expect("op(M::METHOD, handler)");
            routes.insert((method.to_owned(), path.to_owned()));
        }
    }
    routes
}

#[test]
fn every_server_route_is_documented_and_nothing_else() {
    let served = server_routes();
    assert!(served.len() >= 7, "the route scan found only {served:?}");
    let documented: BTreeSet<(String, String)> = documented_operations().into_iter().collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "served but not documented: {undocumented:?}; documented but not served: {unserved:?}"
    );
}
