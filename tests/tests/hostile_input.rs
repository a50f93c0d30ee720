//! Hostile input never reaches a panic: forged cursors, far dates, huge numbers, odd
//! unicode and long strings in every query parameter of every endpoint answer a 4xx in the
//! house shape (JSON `{code, message}` checked against the spec; an HTML page on the
//! dashboard), and the server keeps answering.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server, form_encode, today_vn};
use langso_tests::hostile::hostile_values;
use serde_json::json;

const TEAM: &str = "T00001";

/// An endpoint, the token it needs, its valid parameters, and which of them to attack.
struct Endpoint {
    path: String,
    token: Option<String>,
    valid: Vec<(&'static str, String)>,
    params: Vec<&'static str>,
}

impl Endpoint {
    /// The query with `name` set to `value` (added if the valid query lacks it).
    fn query_with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<String> = self
            .valid
            .iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect();
        let value = if value == "%" {
            "%".to_owned()
        } else {
            form_encode(value)
        };
        pairs.push(format!("{name}={value}"));
        pairs.join("&")
    }
}

fn endpoints(s: &Server, device: &str, leader: &str) -> Vec<Endpoint> {
    let today = today_vn().to_string();
    let district = s.district_of(TEAM);
    let village = s.team(TEAM)["village_ids"][0].as_str().unwrap().to_owned();
    let d = Some(device.to_owned());
    let l = Some(leader.to_owned());
    let report =
        |path: &str, extra: Vec<(&'static str, String)>, params: Vec<&'static str>| Endpoint {
            path: path.into(),
            token: l.clone(),
            valid: extra,
            params,
        };
    vec![
        Endpoint {
            path: "/v1/sync/pull".into(),
            token: d.clone(),
            valid: vec![("limit", "10".into())],
            params: vec!["cursor", "limit"],
        },
        Endpoint {
            path: "/v1/tallies".into(),
            token: d.clone(),
            valid: vec![
                ("level", "village".into()),
                ("unit", village),
                ("from", today.clone()),
                ("to", today.clone()),
            ],
            params: vec!["level", "unit", "from", "to"],
        },
        report(
            "/v1/reports/summary",
            vec![
                ("unit_kind", "district".into()),
                ("unit", district.clone()),
                ("period", "month".into()),
                ("date", today.clone()),
            ],
            vec![
                "unit_kind",
                "unit",
                "period",
                "date",
                "from",
                "to",
                "granularity",
                "format",
            ],
        ),
        report(
            "/v1/reports/leaderboard",
            vec![
                ("scope_kind", "district".into()),
                ("scope", district.clone()),
                ("of", "communes".into()),
                ("period", "week".into()),
                ("date", today.clone()),
            ],
            vec![
                "scope_kind",
                "scope",
                "of",
                "period",
                "date",
                "from",
                "to",
                "rank_by",
                "format",
            ],
        ),
        report(
            "/v1/reports/coverage",
            vec![
                ("unit_kind", "team".into()),
                ("unit", TEAM.into()),
                ("from", today.clone()),
                ("to", today.clone()),
            ],
            vec![
                "unit_kind",
                "unit",
                "period",
                "date",
                "from",
                "to",
                "format",
            ],
        ),
        report(&format!("/v1/teams/{TEAM}/devices"), vec![], vec!["x"]),
        report("/v1/me", vec![], vec!["x"]),
        Endpoint {
            path: "/healthz".into(),
            token: None,
            valid: vec![],
            params: vec!["x"],
        },
    ]
}

#[test]
fn every_query_parameter_of_every_endpoint_survives_hostile_values() {
    // District reports among the endpoints: the demo ending on the last map with districts.
    let s = Server::start_demo_on("quang-ninh-2024-11", &[]);
    let device = s.enroll(TEAM).access_token;
    let leader = s.login_as("province_admin", PROVINCE);
    let values = hostile_values();
    let mut seen = 0;
    for ep in endpoints(&s, &device, &leader) {
        for name in &ep.params {
            for value in &values {
                let path = format!("{}?{}", ep.path, ep.query_with(name, value));
                // The harness checks every answer against the spec: status, code, shape.
                let r = s.get(&path, ep.token.as_deref());
                assert!(
                    r.status < 500,
                    "{} {name}={value:?}: {} {}",
                    ep.path,
                    r.status,
                    r.body
                );
                if r.status >= 400 {
                    assert!(
                        !r.code().is_empty() && !r.message().is_empty(),
                        "{}",
                        r.body
                    );
                    assert!(
                        r.message().chars().count() <= 300,
                        "unbounded echo: {}",
                        r.body
                    );
                }
                seen += 1;
            }
        }
    }
    // Path parameters: a team, a device.
    for value in values.iter().filter(|v| !v.is_empty()) {
        let v = form_encode(value).replace('+', "%20");
        let r = s.get(&format!("/v1/teams/{v}/devices"), Some(&leader));
        assert!(
            r.status < 500 && r.status >= 400,
            "team {value:?}: {}",
            r.body
        );
        let r = s.post(
            &format!("/v1/devices/{v}/revoke"),
            Some(&leader),
            &json!({}),
        );
        assert!(
            r.status < 500 && r.status >= 400,
            "device {value:?}: {}",
            r.body
        );
    }
    assert!(seen > 1000, "{seen} requests");
    s.get("/healthz", None).expect(200);
    assert!(
        !s.log().contains("panicked"),
        "a handler panicked:\n{}",
        s.log()
    );
}

#[test]
fn every_query_parameter_of_the_dashboard_survives_hostile_values() {
    let s = Server::start_demo();
    let username = s.new_leader("province_admin", PROVINCE);
    let cookie = s
        .cookie_login(&username, LEADER_PASSWORD)
        .session_cookie()
        .expect("a session cookie");
    let cookie = format!("langso_session={cookie}");
    let pages: [(&str, &[&str]); 3] = [
        ("/", &["unit", "period", "date", "lang", "rank", "q"]),
        ("/login", &["lang"]),
        ("/set-password", &["lang"]),
    ];
    for (page, params) in pages {
        for name in params {
            for value in hostile_values() {
                let value = if value == "%" {
                    value
                } else {
                    form_encode(&value)
                };
                let path = format!("{page}?{name}={value}");
                let (status, content_type, body) = raw_get(&s, &path, &cookie);
                assert!(status < 500, "{path}: {status} {body}");
                assert!(
                    content_type.starts_with("text/html"),
                    "{path}: {status} {content_type}: {body}"
                );
            }
        }
    }
    s.get("/healthz", None).expect(200);
    assert!(
        !s.log().contains("panicked"),
        "a handler panicked:\n{}",
        s.log()
    );
}

/// GET with a cookie: status, content type and body text, whatever the status.
fn raw_get(s: &Server, path: &str, cookie: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut res = agent
        .get(format!("{}{path}", s.url))
        .header("cookie", cookie)
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let status = res.status().as_u16();
    (
        status,
        ct,
        res.body_mut().read_to_string().unwrap_or_default(),
    )
}

#[test]
fn a_forged_pull_cursor_is_400_invalid_cursor() {
    let s = Server::start_demo();
    let phone = s.enroll(TEAM);
    let generation = s.pull(&phone.access_token, None, Some(1)).expect(200).body["generation"]
        .as_str()
        .unwrap()
        .to_owned();
    // The right generation, an entity index past the end: the old decoder accepted it and
    // the handler panicked (answered 503 "retry later", so a phone retried forever).
    let forged = URL_SAFE_NO_PAD.encode(format!(r#"{{"g":"{generation}","snap":[7,""],"at":0}}"#));

    let r = s.pull(&phone.access_token, Some(&forged), None);

    r.expect_error(400, "invalid_cursor");
    assert!(!s.log().contains("panicked"), "{}", s.log());
}

#[test]
fn a_date_in_year_262142_is_400_in_reports_tallies_and_the_dashboard() {
    let s = Server::start_demo();
    let leader = s.login_as("province_admin", PROVINCE);
    let phone = s.enroll(TEAM);
    let village = phone.village().to_owned();

    for path in [
        format!(
            "/v1/reports/summary?unit_kind=province&unit={PROVINCE}&period=month&date=%2B262142-12-31"
        ),
        format!(
            "/v1/reports/leaderboard?scope_kind=province&scope={PROVINCE}&of=districts&period=year&date=%2B262142-12-31"
        ),
        "/v1/reports/coverage?unit_kind=team&unit=T00001&from=2026-01-01&to=%2B262142-12-31".into(),
    ] {
        s.get(&path, Some(&leader))
            .expect_error(400, "invalid_query");
    }
    s.tallies(
        &phone.access_token,
        &format!("level=village&unit={village}&from=%2B262142-12-30&to=%2B262142-12-31"),
    )
    .expect_error(400, "invalid_query");
    let username = s.new_leader("province_admin", PROVINCE);
    let cookie = s
        .cookie_login(&username, LEADER_PASSWORD)
        .session_cookie()
        .unwrap();
    let (status, ct, body) = raw_get(
        &s,
        "/?period=month&date=%2B262142-12-31",
        &format!("langso_session={cookie}"),
    );
    assert_eq!((status, ct.starts_with("text/html")), (400, true), "{body}");
    assert!(
        body.contains("Yêu cầu không hợp lệ"),
        "Vietnamese by default: {body}"
    );
    assert!(!s.log().contains("panicked"), "{}", s.log());
    s.get("/healthz", None).expect(200);
}

#[test]
fn a_target_with_a_date_in_year_262142_is_refused_and_reports_keep_working() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    let target = json!({"kind": "vneid_activation", "basis": "count", "value": 10,
                        "start_date": "+262142-12-31"});

    s.post("/v1/targets", Some(&admin), &target)
        .expect_error(400, "invalid_json");

    s.get(
        &format!("/v1/reports/summary?unit_kind=province&unit={PROVINCE}"),
        Some(&admin),
    )
    .expect(200);
}
