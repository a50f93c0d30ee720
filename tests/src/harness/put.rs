//! `PUT` with a leader's token (the evidence rule, issue 9); the answer is checked against
//! the spec like every other.

use super::{Resp, Server};
use serde_json::Value;
use std::io::Read;

impl Server {
    /// PUTs `body` as JSON with a leader's token.
    pub fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let mut req = self
            .agent
            .put(format!("{}{path}", self.url))
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let res = req
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("PUT {path}: transport error: {e}"));
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut text = String::new();
        res.into_body()
            .into_reader()
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("PUT {path}: reading the body: {e}"));
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        crate::spec::assert_conforms("PUT", path, status, &body);
        Resp {
            status,
            retry_after: None,
            www_authenticate: None,
            content_type,
            body,
        }
    }
}
