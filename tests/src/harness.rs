//! The real `langso` binary on a temp database, driven over HTTP on loopback.
//!
//! Every response the harness receives is checked against api-spec/openapi.yaml by
//! [`crate::spec::assert_conforms`], so each test also proves the wire contract.

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use langso_domain::time::{vn_day, vn_offset};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use tempfile::TempDir;
use uuid::Uuid;

/// The `langso` binary cargo built next to this test executable.
pub fn langso_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("LANGSO_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test executable has a path");
    let mut dir = exe.parent().expect("the test executable is in a directory");
    if dir.ends_with("deps") {
        dir = dir.parent().expect("deps/ has a parent");
    }
    let bin = dir.join(format!("langso{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "the langso binary is missing at {}: run `cargo build -p langso-cli` first",
        bin.display()
    );
    bin
}

/// Now, as a phone in Vietnam writes it: RFC 3339 with +07:00.
pub fn vn_rfc3339(t: DateTime<Utc>) -> String {
    t.with_timezone(&vn_offset())
        .to_rfc3339_opts(SecondsFormat::Millis, false)
}

pub fn now_vn() -> String {
    vn_rfc3339(Utc::now())
}

pub fn today_vn() -> NaiveDate {
    vn_day(Utc::now())
}

/// One HTTP answer: status, the headers tests look at, and the JSON body (a non-JSON body
/// is kept as a JSON string so the spec check reports it).
#[derive(Clone, Debug)]
pub struct Resp {
    pub status: u16,
    pub retry_after: Option<String>,
    pub www_authenticate: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
}

impl Resp {
    /// The error `code` of an error body ("" when absent).
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }

    /// Panics, showing the body, unless the status is `status`.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "expected HTTP {status}, got {}: {}",
            self.status, self.body
        );
        self
    }

    /// Panics unless this is an error answer with `status` and `code`.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let r = self.expect(status);
        assert_eq!(r.code(), code, "wrong error code in {}", r.body);
        assert!(
            !r.message().is_empty(),
            "error without a message: {}",
            r.body
        );
        r
    }

    /// The per-event results of a push answer.
    pub fn results(&self) -> &[Value] {
        self.body["results"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The status of each pushed event, in batch order.
    pub fn statuses(&self) -> Vec<&str> {
        self.results()
            .iter()
            .map(|r| r["status"].as_str().unwrap_or_default())
            .collect()
    }

    /// The push result for `event`.
    #[track_caller]
    pub fn result_for(&self, event: &Value) -> &Value {
        self.results()
            .iter()
            .find(|r| r["event_id"] == event["event_id"])
            .unwrap_or_else(|| panic!("no result for {}: {}", event["event_id"], self.body))
    }

    pub fn acked_through_seq(&self) -> i64 {
        self.body["acked_through_seq"]
            .as_i64()
            .expect("acked_through_seq")
    }
}

/// An enrolled device, as the phone keeps it.
#[derive(Clone, Debug)]
pub struct Phone {
    pub device_id: String,
    pub team_id: String,
    pub member_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub next_seq: u64,
    pub villages: Vec<String>,
}

impl Phone {
    /// A new activity event happening now in `village`, with a fresh UUIDv7 and the next seq.
    pub fn event(&mut self, kind: &str, village: &str, count: i64) -> Value {
        let seq = self.next_seq;
        self.next_seq += 1;
        Self::event_at_seq(seq, kind, village, count)
    }

    /// A new event happening now with the given `seq` (the phone's counter is not touched).
    pub fn event_at_seq(seq: u64, kind: &str, village: &str, count: i64) -> Value {
        json!({
            "event_id": Uuid::now_v7(),
            "seq": seq,
            "kind": kind,
            "village_id": village,
            "count": count,
            "occurred_at": now_vn(),
        })
    }

    /// A correction of `target` (same kind and village) saying the count was `count`.
    pub fn correction(&mut self, target: &Value, count: i64) -> Value {
        let kind = target["kind"].as_str().expect("target kind");
        let village = target["village_id"].as_str().expect("target village");
        let mut e = self.event(kind, village, count);
        e["corrects"] = target["event_id"].clone();
        e
    }

    /// The phone's first village.
    pub fn village(&self) -> &str {
        self.villages.first().expect("the team covers a village")
    }
}

/// The decoded header of a JWT (e.g. its `kid`).
pub fn jwt_header(token: &str) -> Value {
    let seg = token.split('.').next().expect("a JWT has a header segment");
    serde_json::from_slice(&base64url_decode(seg)).expect("the JWT header is JSON")
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => panic!("not base64url: {s}"),
    };
    let bits: Vec<u8> = s.trim_end_matches('=').bytes().map(val).collect();
    bits.chunks(4)
        .flat_map(|c| {
            let n = c.iter().fold(0u32, |acc, v| (acc << 6) | u32::from(*v)) << (6 * (4 - c.len()));
            let bytes = n.to_be_bytes();
            bytes[1..c.len()].to_vec()
        })
        .collect()
}

/// A running `langso serve` on its own temp database with the demo data.
pub struct Server {
    pub url: String,
    pub db: PathBuf,
    child: Option<Child>,
    agent: ureq::Agent,
    dir: TempDir,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

fn spawn_serve(db: &Path, log_path: &Path, extra: &[&str]) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .expect("open the server log");
    let mut child = Command::new(langso_bin())
        .args(["serve", "--db"])
        .arg(db)
        .args(["--listen", "127.0.0.1:0", "--workers", "2"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("spawn langso serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    let url = loop {
        line.clear();
        let n = stdout
            .read_line(&mut line)
            .expect("read langso serve stdout");
        if n == 0 {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            panic!("langso serve exited before listening:\n{log}");
        }
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            break addr.to_owned();
        }
    };
    // Keep draining stdout so the server never blocks or fails on a full or closed pipe.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    (child, url)
}

impl Server {
    /// Seeds a fresh database with `langso demo` and starts `langso serve` on a free port.
    pub fn start_demo() -> Self {
        Self::start_demo_with(&[])
    }

    /// [`Server::start_demo`] with more `langso serve` arguments.
    pub fn start_demo_with(extra: &[&str]) -> Self {
        Self::start_demo_on("quang-ninh-2025", extra)
    }

    /// [`Server::start_demo_with`] on a demo whose history ends on built-in map `map`
    /// (`langso demo --map`): `quang-ninh-2024-09` or `-2024-11` for a map with districts.
    pub fn start_demo_on(map: &str, extra: &[&str]) -> Self {
        Self::start_demo_from(map, None, extra)
    }

    fn start_demo_from(map: &str, events: Option<usize>, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("langso.db");
        copy_demo(map, events, &db);
        let (child, url) = spawn_serve(&db, &dir.path().join("server.log"), extra);
        Self {
            url,
            db,
            child: Some(child),
            agent: agent(),
            dir,
        }
    }

    /// Stops the server (SIGKILL: no graceful shutdown) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server and starts it again on the same database (the port may change).
    pub fn restart(&mut self) {
        self.restart_with(&[]);
    }

    /// [`Server::restart`] with more `langso serve` arguments.
    pub fn restart_with(&mut self, extra: &[&str]) {
        self.kill();
        let (child, url) = spawn_serve(&self.db, &self.dir.path().join("server.log"), extra);
        self.child = Some(child);
        self.url = url;
        self.agent = agent();
    }

    /// The server's log so far (its stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    // ---- the operator CLI, on this server's database ----

    /// Runs `langso <args[0]> --db <db> <args[1..]>`.
    pub fn cli(&self, args: &[&str]) -> Output {
        let (sub, rest) = args.split_first().expect("a subcommand");
        Command::new(langso_bin())
            .arg(sub)
            .arg("--db")
            .arg(&self.db)
            .args(rest)
            .output()
            .expect("run langso")
    }

    /// Runs a CLI command that must succeed; returns its stdout.
    #[track_caller]
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "langso {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 stdout")
    }

    /// A fresh enrollment code for `team`.
    pub fn invite(&self, team: &str) -> String {
        self.cli_ok(&["invite", "--team", team]).trim().to_owned()
    }

    pub fn teams(&self) -> Vec<Value> {
        serde_json::from_str(&self.cli_ok(&["teams", "--json"])).expect("teams JSON")
    }

    #[track_caller]
    pub fn team(&self, id: &str) -> Value {
        self.teams()
            .into_iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("no team {id}"))
    }

    /// The commune code of `team`.
    pub fn commune_of(&self, team: &str) -> String {
        let t = self.team(team);
        t["commune_code"].as_str().expect("commune_code").to_owned()
    }

    /// `langso verify` on the live database must find every tally equal to its recompute.
    #[track_caller]
    pub fn assert_tallies_verify(&self) {
        let out = self.cli(&["verify"]);
        assert!(
            out.status.success(),
            "langso verify failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // ---- HTTP ----

    /// Sends one request; `body` is sent as is with content-type application/json.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        self.send(method, path, &headers, body).resp
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request("GET", path, token, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.request("POST", path, token, Some(body.to_string().as_bytes()))
    }

    pub fn enroll_raw(&self, code: &str, device_name: &str) -> Resp {
        self.post(
            "/v1/devices/enroll",
            None,
            &json!({"code": code, "device_name": device_name}),
        )
    }

    /// Invites and enrolls a new phone into `team`.
    #[track_caller]
    pub fn enroll(&self, team: &str) -> Phone {
        let r = self
            .enroll_raw(&self.invite(team), "test phone")
            .expect(200);
        let s = |k: &str| {
            r.body[k]
                .as_str()
                .unwrap_or_else(|| panic!("{k} in {}", r.body))
                .to_owned()
        };
        let villages = self.team(team)["village_ids"]
            .as_array()
            .expect("village_ids")
            .iter()
            .map(|v| v.as_str().expect("village id").to_owned())
            .collect();
        Phone {
            device_id: s("device_id"),
            team_id: s("team_id"),
            member_id: s("member_id"),
            access_token: s("access_token"),
            refresh_token: s("refresh_token"),
            next_seq: 1,
            villages,
        }
    }

    /// Pushes `events` as one new batch, the phone's clock reading the real time.
    pub fn push(&self, phone: &Phone, events: &[Value]) -> Resp {
        self.push_with_clock(phone, events, &now_vn())
    }

    /// Pushes `events` as one new batch, the phone's clock reading `device_clock`.
    pub fn push_with_clock(&self, phone: &Phone, events: &[Value], device_clock: &str) -> Resp {
        self.push_batch(&phone.access_token, &batch(events, device_clock))
    }

    pub fn push_batch(&self, token: &str, batch: &Value) -> Resp {
        self.post("/v1/sync/push", Some(token), batch)
    }

    pub fn push_raw(&self, token: &str, body: &str) -> Resp {
        self.request("POST", "/v1/sync/push", Some(token), Some(body.as_bytes()))
    }

    pub fn pull(&self, token: &str, cursor: Option<&str>, limit: Option<usize>) -> Resp {
        let mut q = Vec::new();
        if let Some(c) = cursor {
            q.push(format!("cursor={c}"));
        }
        if let Some(l) = limit {
            q.push(format!("limit={l}"));
        }
        let path = if q.is_empty() {
            "/v1/sync/pull".to_owned()
        } else {
            format!("/v1/sync/pull?{}", q.join("&"))
        };
        self.get(&path, Some(token))
    }

    pub fn refresh(&self, refresh_token: &str) -> Resp {
        self.post(
            "/v1/devices/token",
            None,
            &json!({"refresh_token": refresh_token}),
        )
    }

    /// `GET /v1/tallies?<query>`.
    pub fn tallies(&self, token: &str, query: &str) -> Resp {
        self.get(&format!("/v1/tallies?{query}"), Some(token))
    }

    /// Per-kind totals of a unit over the days around today (a test may cross midnight).
    #[track_caller]
    pub fn totals(&self, phone: &Phone, level: &str, unit: &str) -> BTreeMap<String, i64> {
        let today = today_vn();
        let r = self
            .tallies(
                &phone.access_token,
                &format!(
                    "level={level}&unit={unit}&from={}&to={}",
                    today - Duration::days(2),
                    today + Duration::days(1)
                ),
            )
            .expect(200);
        serde_json::from_value(r.body["totals"].clone()).expect("totals is a map of counts")
    }
}

/// A push body: a new batch id, the phone's clock and the events.
pub fn batch(events: &[Value], device_clock: &str) -> Value {
    json!({"batch_id": Uuid::now_v7(), "device_clock": device_clock, "events": events})
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---- leader accounts (issue 3) ----

/// The province of the demo tree (Quảng Ninh).
pub const PROVINCE: &str = "22";

/// The password [`Server::new_leader`] gives every leader (Vietnamese, 19 characters).
pub const LEADER_PASSWORD: &str = "mật khẩu Tiên Yên 1";

/// An answer with the `Set-Cookie` headers too (for the dashboard's session cookie).
#[derive(Clone, Debug)]
pub struct FullResp {
    pub resp: Resp,
    pub set_cookie: Vec<String>,
}

impl FullResp {
    /// The value of the `langso_session` cookie this answer sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie.iter().find_map(|c| {
            let (name, rest) = c.split_once('=')?;
            (name.trim() == "langso_session")
                .then(|| rest.split(';').next().unwrap_or_default().to_owned())
        })
    }
}

impl Server {
    /// `langso create-user`; returns the one-time password-setting code (all of stdout).
    #[track_caller]
    pub fn create_user(&self, role: &str, scope: &str, username: &str) -> String {
        self.cli_ok(&[
            "create-user",
            "--role",
            role,
            "--scope",
            scope,
            "--username",
            username,
        ])
        .trim()
        .to_owned()
    }

    pub fn set_password(&self, username: &str, code: &str, password: &str) -> Resp {
        self.post(
            "/v1/auth/set-password",
            None,
            &json!({"username": username, "code": code, "password": password}),
        )
    }

    pub fn login(&self, username: &str, password: &str) -> Resp {
        self.post(
            "/v1/auth/login",
            None,
            &json!({"username": username, "password": password}),
        )
    }

    /// Creates a leader with a fresh username and [`LEADER_PASSWORD`]; returns the username.
    #[track_caller]
    pub fn new_leader(&self, role: &str, scope: &str) -> String {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let username = format!("{}.{n}", role.replace('_', "-"));
        let code = self.create_user(role, scope, &username);
        self.set_password(&username, &code, LEADER_PASSWORD)
            .expect(200);
        username
    }

    /// A new leader with `role` over `scope`, logged in: its access token. Scopes: a team id
    /// for team_leader, else a commune, district or province code (see [`Server::scope_for`]).
    #[track_caller]
    pub fn login_as(&self, role: &str, scope: &str) -> String {
        let username = self.new_leader(role, scope);
        let r = self.login(&username, LEADER_PASSWORD).expect(200);
        r.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// The district code of `team`'s commune.
    pub fn district_of(&self, team: &str) -> String {
        let t = self.team(team);
        t["district_code"]
            .as_str()
            .expect("district_code")
            .to_owned()
    }

    /// The scope a `role` would have around `team`: the team itself, its commune, its
    /// district, or the province.
    pub fn scope_for(&self, role: &str, team: &str) -> String {
        match role {
            "team_leader" => team.to_owned(),
            "commune_leader" => self.commune_of(team),
            "district_leader" => self.district_of(team),
            "province_admin" => PROVINCE.to_owned(),
            other => panic!("no role {other}"),
        }
    }

    /// Sends one request with extra headers (cookies, Origin, a content type); the answer is
    /// checked against the spec like every other.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> FullResp {
        let url = format!("{}{path}", self.url);
        let result = match method {
            "GET" => {
                let mut req = self.agent.get(&url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.call()
            }
            "POST" => {
                let mut req = self.agent.post(&url);
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                {
                    req = req.header("content-type", "application/json");
                }
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.send(body.unwrap_or_default())
            }
            _ => panic!("the harness sends GET or POST"),
        };
        let res = result.unwrap_or_else(|e| panic!("{method} {path}: transport error: {e}"));
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = res.status().as_u16();
        let (retry_after, www_authenticate, content_type) = (
            header("retry-after"),
            header("www-authenticate"),
            header("content-type"),
        );
        let set_cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let mut text = String::new();
        res.into_body()
            .into_reader()
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{method} {path}: reading the body: {e}"));
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        crate::spec::assert_conforms(method, path, status, &body);
        FullResp {
            resp: Resp {
                status,
                retry_after,
                www_authenticate,
                content_type,
                body,
            },
            set_cookie,
        }
    }

    /// This server's origin, as a browser on its pages sends it in `Origin`.
    pub fn origin(&self) -> String {
        self.url.trim_end_matches('/').to_owned()
    }

    /// Logs in at `POST /v1/auth/session` as the dashboard's form does; returns the answer.
    pub fn cookie_login(&self, username: &str, password: &str) -> FullResp {
        let form = format!(
            "username={}&password={}",
            form_encode(username),
            form_encode(password)
        );
        self.send(
            "POST",
            "/v1/auth/session",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", &self.origin()),
            ],
            Some(form.as_bytes()),
        )
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Server {
    /// GETs a dashboard page with a session cookie: (status, body as text). HTML pages are
    /// not part of the JSON API, so no spec check applies.
    pub fn send_get_with_cookie(&self, path: &str, cookie: &str) -> (u16, String) {
        let mut res = self
            .agent
            .get(format!("{}{path}", self.url))
            .header("cookie", cookie)
            .call()
            .expect("GET a dashboard page");
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap_or_default())
    }
}

/// A downloaded export: the raw bytes and the headers a browser acts on.
#[derive(Clone, Debug)]
pub struct Download {
    pub status: u16,
    pub content_type: String,
    pub content_disposition: String,
    pub bytes: Vec<u8>,
}

impl Server {
    /// GETs an export (`format=csv|xlsx`) with a leader's token, as raw bytes. A 200 must
    /// carry a content type that api-spec/openapi.yaml documents for the operation.
    pub fn download(&self, path: &str, token: &str) -> Download {
        let mut res = self
            .agent
            .get(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: transport error: {e}"));
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, content_disposition) =
            (header("content-type"), header("content-disposition"));
        let status = res.status().as_u16();
        let mut bytes = Vec::new();
        res.body_mut()
            .as_reader()
            .read_to_end(&mut bytes)
            .unwrap_or_else(|e| panic!("GET {path}: reading the body: {e}"));
        if status == 200 {
            let template = crate::spec::match_path(path)
                .unwrap_or_else(|| panic!("no path of the spec matches {path}"));
            let media = content_type.split(';').next().unwrap_or_default().trim();
            let content =
                &crate::spec::spec()["paths"][&template]["get"]["responses"]["200"]["content"];
            assert!(
                content.get(media).is_some(),
                "GET {template} answered 200 with {media}, which the spec does not document"
            );
        } else {
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            crate::spec::assert_conforms("GET", path, status, &body);
        }
        Download {
            status,
            content_type,
            content_disposition,
            bytes,
        }
    }
}

// ---- the demo database, built once (issue 8) ----

impl Server {
    /// [`Server::start_demo_on`] without the demo's history (`langso demo --events 0`):
    /// teams and members on the map, no phones, no events, for tests that count from zero.
    pub fn start_quiet_demo_on(map: &str) -> Self {
        Self::start_demo_from(map, Some(0), &[])
    }
}

/// Copies the database `langso demo --map MAP [--events N]` builds to `db`. The demo (by
/// default 40,000 events over three maps) is built once per `langso` binary, map, events and
/// day, under the binary's directory in `demo-templates/`, and shared by every test of
/// every test binary.
pub fn copy_demo(map: &str, events: Option<usize>, db: &Path) {
    let template = demo_template(map, events);
    for suffix in ["", "-wal"] {
        let from = PathBuf::from(format!("{}{suffix}", template.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", db.display()));
            std::fs::copy(&from, &to).expect("copy the demo database");
        }
    }
}

fn demo_template(map: &str, events: Option<usize>) -> PathBuf {
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let bin = langso_bin();
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let root = bin.parent().expect("bin dir").join("demo-templates");
    let name = match events {
        Some(n) => format!("{map}-{n}-events-{built}-{}", vn_day(Utc::now())),
        None => format!("{map}-{built}-{}", vn_day(Utc::now())),
    };
    let dir = root.join(&name);
    if dir.join("langso.db").exists() {
        return dir.join("langso.db");
    }
    std::fs::create_dir_all(&root).expect("create demo-templates");
    let tmp = tempfile::tempdir_in(&root).expect("temp dir for the demo");
    let mut demo = Command::new(&bin);
    demo.args(["demo", "--map", map, "--db"])
        .arg(tmp.path().join("langso.db"));
    if let Some(n) = events {
        demo.args(["--events", &n.to_string()]);
    }
    let out = demo.output().expect("run langso demo");
    assert!(
        out.status.success(),
        "langso demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another test binary may have finished first: then its copy serves.
    let kept = tmp.keep();
    if std::fs::rename(&kept, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&kept);
    }
    for old in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let n = old.file_name().to_string_lossy().into_owned();
        let stale = !n.contains(&format!("-{built}-"));
        if n.starts_with(map) && stale && !n.starts_with(".tmp") {
            let _ = std::fs::remove_dir_all(old.path());
        }
    }
    dir.join("langso.db")
}

impl Server {
    /// Logs `username` in (password [`LEADER_PASSWORD`]) as the dashboard's form does and
    /// fetches a dashboard page as the browser would (the dashboard is not in the API
    /// spec): the status and the HTML.
    pub fn dashboard_page(&self, username: &str, path: &str) -> (u16, String) {
        let cookie = self
            .cookie_login(username, LEADER_PASSWORD)
            .session_cookie()
            .expect("a session cookie");
        let mut page = agent()
            .get(&format!("{}{path}", self.url))
            .header("cookie", &format!("langso_session={cookie}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let html = page
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("GET {path}: reading the page: {e}"));
        (page.status().as_u16(), html)
    }
}
