//! Leader accounts (issue 3) and the dashboard as a browser uses it: the session cookie and
//! server-rendered pages.

use super::{FullResp, Resp, Server, agent};
use serde_json::json;

/// The province of the demo tree (Quảng Ninh).
pub const PROVINCE: &str = "22";

/// The password [`Server::new_leader`] gives every leader (Vietnamese, 19 characters).
pub const LEADER_PASSWORD: &str = "mật khẩu Tiên Yên 1";

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
