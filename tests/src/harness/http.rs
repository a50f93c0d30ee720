//! Requests to the running server: the JSON API (every answer checked against the spec) and
//! exports as raw bytes.

use super::{Phone, Resp, Server, batch, now_vn, today_vn};
use chrono::Duration;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read;

impl Server {
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
