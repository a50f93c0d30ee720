//! The HTTP edge through the real binary: slow clients are cut with 408 while the server
//! keeps answering others, and a slow-but-steady phone still gets through; every error is
//! in the house shape (JSON on the API, an HTML page on the dashboard); token answers are
//! not cacheable; the Bearer scheme is case-insensitive.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server, batch, now_vn};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const TEAM: &str = "T00001";

fn addr(s: &Server) -> String {
    s.url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// A raw HTTP/1.1 answer.
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

/// Reads one answer (the server closes or the body ends at Content-Length).
fn read_answer(stream: &mut TcpStream) -> Raw {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if buf.is_empty() => panic!("no answer: {e}"),
            Err(_) => 0,
        };
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            });
            if n == 0 || len.is_some_and(|len| body.len() >= len) {
                let status = head.split(' ').nth(1).unwrap().parse().unwrap();
                return Raw {
                    status,
                    head: head.to_owned(),
                    body: body.to_owned(),
                };
            }
        }
        assert!(n > 0, "the connection closed before an answer: {text:?}");
    }
}

fn connect(s: &Server) -> TcpStream {
    let stream = TcpStream::connect(addr(s)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
}

/// Sends `head` + `body` at once and reads the answer.
fn exchange(s: &Server, head: &str, body: &[u8]) -> Raw {
    let mut stream = connect(s);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_answer(&mut stream)
}

fn post_head(s: &Server, path: &str, content_type: &str, len: usize, extra: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {len}\r\n{extra}\r\n",
        addr(s)
    )
}

#[test]
fn trickling_bodies_are_cut_with_408_while_healthz_and_pushes_still_answer() {
    let s = Server::start_demo();
    let mut phone = s.enroll(TEAM);
    // Many unauthenticated enrollments, each sending one byte every 2 seconds.
    let mut tricklers: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut t = connect(&s);
            let head = post_head(&s, "/v1/devices/enroll", "application/json", 200, "");
            t.write_all(head.as_bytes()).unwrap();
            t
        })
        .collect();
    // And one on the dashboard's login form.
    let mut form = connect(&s);
    let head = post_head(&s, "/login", "application/x-www-form-urlencoded", 200, "");
    form.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answered_meanwhile = 0;
    while started.elapsed() < Duration::from_secs(8) {
        for t in tricklers.iter_mut().chain([&mut form]) {
            let _ = t.write_all(b"a");
        }
        // Others are served at once while the tricklers hang on.
        let asked = Instant::now();
        s.get("/healthz", None).expect(200);
        let village = phone.village().to_owned();
        let e = phone.event("vneid_activation", &village, 1);
        assert_eq!(s.push(&phone, &[e]).expect(200).statuses(), ["accepted"]);
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "{:?}",
            asked.elapsed()
        );
        answered_meanwhile += 1;
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(answered_meanwhile >= 3);

    // Past the 10 s grace at 1 byte / 2 s, every trickler is cut with 408 in the JSON shape.
    for t in &mut tricklers {
        let r = read_answer(t);
        assert_eq!(r.status, 408, "{} {}", r.head, r.body);
        assert_eq!(r.json()["code"], "request_timeout", "{}", r.body);
        assert!(r.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // On the dashboard, the same cut is a Vietnamese page.
    let page = read_answer(&mut form);
    assert_eq!(page.status, 408, "{}", page.body);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("Gửi quá chậm"), "{}", page.body);
    assert!(started.elapsed() < Duration::from_secs(40));
    s.get("/healthz", None).expect(200);
}

#[test]
fn a_slow_but_steady_push_is_accepted() {
    let s = Server::start_demo();
    let mut phone = s.enroll(TEAM);
    let village = phone.village().to_owned();
    let events: Vec<Value> = (0..100)
        .map(|_| {
            let mut e = phone.event("vneid_activation", &village, 1);
            e["note"] = json!("hỗ trợ cài đặt VNeID cho người cao tuổi ở nhà văn hoá thôn");
            e
        })
        .collect();
    let body = batch(&events, &now_vn()).to_string().into_bytes();
    assert!(body.len() > 20_000, "{}", body.len());
    // About 2 KB/s, twice the minimum rate, for longer than the 10 s grace. The rule
    // (after 10 s, an average of 1 KiB/s since the head) gives a 1 MiB push 1,024 s, so a
    // phone on 2G (~8 KB/s, 128 s for 1 MiB) passes with eight times the margin.
    let mut stream = connect(&s);
    let head = post_head(
        &s,
        "/v1/sync/push",
        "application/json",
        body.len(),
        &format!("Authorization: Bearer {}\r\n", phone.access_token),
    );
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    for chunk in body.chunks(200) {
        stream.write_all(chunk).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = read_answer(&mut stream);

    assert!(
        started.elapsed() > Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let statuses: Vec<Value> = r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("accepted"); 100]);
}

#[test]
fn a_request_head_that_never_ends_is_cut_with_408() {
    let s = Server::start_demo();
    let mut stream = connect(&s);
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n", addr(&s)).as_bytes())
        .unwrap();
    let started = Instant::now();
    // actix-http answers a head not finished within 5 s itself, with an empty body.
    let r = read_answer(&mut stream);
    assert_eq!(r.status, 408);
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn large_headers_are_431_in_the_house_shape() {
    let s = Server::start_demo();
    let big = format!("X-Padding: {}\r\n", "a".repeat(40 * 1024));
    let get = |path: &str| {
        exchange(
            &s,
            &format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{big}\r\n", addr(&s)),
            b"",
        )
    };

    let api = get("/v1/me");
    assert_eq!(api.status, 431, "{}", api.body);
    assert_eq!(api.json()["code"], "headers_too_large");

    let page = get("/login");
    assert_eq!(page.status, 431);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("headers_too_large"), "{}", page.body);
}

#[test]
fn dashboard_form_errors_are_vietnamese_html_pages_and_api_errors_json() {
    let s = Server::start_demo();
    let origin = format!("Origin: {}\r\n", s.origin());
    let form = format!("username=x&password={}", "p".repeat(20_000));
    let too_large = exchange(
        &s,
        &post_head(
            &s,
            "/login",
            "application/x-www-form-urlencoded",
            form.len(),
            &origin,
        ),
        form.as_bytes(),
    );
    assert_eq!(too_large.status, 413, "{}", too_large.body);
    assert!(
        too_large
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        too_large.body.contains("Dữ liệu quá lớn"),
        "{}",
        too_large.body
    );

    let wrong_type = exchange(
        &s,
        &post_head(&s, "/set-password", "text/plain", 5, &origin),
        b"hello",
    );
    assert_eq!(wrong_type.status, 415, "{}", wrong_type.body);
    assert!(
        wrong_type
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(wrong_type.body.contains("Định dạng không được hỗ trợ"));

    let english = exchange(
        &s,
        &post_head(&s, "/login?lang=en", "text/plain", 5, &origin),
        b"hello",
    );
    assert_eq!(english.status, 415);
    assert!(
        english.body.contains("Unsupported format"),
        "{}",
        english.body
    );

    // The same mistakes on the API answer JSON.
    let api = exchange(
        &s,
        &post_head(&s, "/v1/auth/login", "application/json", 20_000, ""),
        &[b' '; 20_000],
    );
    assert_eq!(api.status, 413);
    assert_eq!(api.json()["code"], "body_too_large");
}

#[test]
fn answers_that_carry_tokens_or_cookies_are_not_cacheable() {
    let s = Server::start_demo();
    let code = s.invite(TEAM);
    let post = |path: &str, body: Value, extra: &str| {
        let body = body.to_string();
        exchange(
            &s,
            &post_head(&s, path, "application/json", body.len(), extra),
            body.as_bytes(),
        )
    };
    let enrolled = post(
        "/v1/devices/enroll",
        json!({"code": code, "device_name": "Lan"}),
        "",
    );
    let refresh = enrolled.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refreshed = post("/v1/devices/token", json!({"refresh_token": refresh}), "");
    let username = "lan.nguyen";
    let pw_code = s.create_user("province_admin", PROVINCE, username);
    let set = post(
        "/v1/auth/set-password",
        json!({"username": username, "code": pw_code, "password": LEADER_PASSWORD}),
        "",
    );
    let creds = json!({"username": username, "password": LEADER_PASSWORD});
    let login = post("/v1/auth/login", creds.clone(), "");
    let leader_refresh = login.json()["refresh_token"].as_str().unwrap().to_owned();
    let leader_token = post(
        "/v1/auth/token",
        json!({"refresh_token": leader_refresh}),
        "",
    );
    let session = post(
        "/v1/auth/session",
        creds,
        &format!("Origin: {}\r\n", s.origin()),
    );

    for (what, r) in [
        ("enroll", &enrolled),
        ("device token", &refreshed),
        ("set-password", &set),
        ("login", &login),
        ("auth/token", &leader_token),
        ("auth/session", &session),
    ] {
        assert_eq!(r.status, 200, "{what}: {}", r.body);
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{what}"
        );
    }
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let s = Server::start_demo();
    let phone = s.enroll(TEAM);
    let leader = s.login_as("team_leader", TEAM);
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let pull = s.send(
            "GET",
            "/v1/sync/pull?limit=1",
            &[("authorization", &format!("{scheme} {}", phone.access_token))],
            None,
        );
        assert_eq!(pull.resp.status, 200, "{scheme}: {}", pull.resp.body);
        let me = s.send(
            "GET",
            "/v1/me",
            &[("authorization", &format!("{scheme} {leader}"))],
            None,
        );
        assert_eq!(me.resp.status, 200, "{scheme}: {}", me.resp.body);
    }
}
