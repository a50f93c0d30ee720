//! Dashboard forms posted as a browser does (a session cookie and this site's `Origin`;
//! pages are not part of the JSON API, so no spec check applies), and JSON sent with PATCH
//! or PUT (the catalogue's edits, issue 9).

use super::{Resp, Server};
use serde_json::Value;

impl Server {
    /// POSTs `form` (already url-encoded) to a dashboard page with the session `cookie`
    /// (`langso_session=…`): the status, the `Location` header if any, and the body.
    pub fn post_form_with_cookie(
        &self,
        path: &str,
        cookie: &str,
        form: &str,
    ) -> (u16, Option<String>, String) {
        let mut res = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("cookie", cookie)
            .header("origin", &self.origin())
            .header("content-type", "application/x-www-form-urlencoded")
            .send(form.as_bytes())
            .expect("POST a dashboard form");
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let status = res.status().as_u16();
        (
            status,
            location,
            res.body_mut().read_to_string().unwrap_or_default(),
        )
    }
}

impl Server {
    /// Sends a JSON body with `method` (PATCH, PUT: methods `Server::request` does not
    /// send) and a bearer token; the answer is checked against the spec like every other.
    pub fn send_json(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> Resp {
        let url = format!("{}{path}", self.url);
        let mut req = match method {
            "PATCH" => self.agent.patch(&url),
            "PUT" => self.agent.put(&url),
            _ => panic!("send_json sends PATCH or PUT"),
        }
        .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", &format!("Bearer {t}"));
        }
        let mut res = req
            .send(body.as_bytes())
            .unwrap_or_else(|e| panic!("{method} {path}: transport error: {e}"));
        let status = res.status().as_u16();
        let text = res.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        crate::spec::assert_conforms(method, path, status, &body);
        Resp {
            status,
            retry_after: None,
            www_authenticate: None,
            content_type: None,
            body,
        }
    }
}
