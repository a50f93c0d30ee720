//! What tests send and receive: an HTTP answer, an enrolled phone and its events, a push
//! body, a JWT's header.

use super::now_vn;
use serde_json::{Value, json};
use uuid::Uuid;

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

/// The string at `key` of a JSON object; panics, showing the object, if there is none.
#[track_caller]
pub fn str_field<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
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

/// A push body: a new batch id, the phone's clock and the events.
pub fn batch(events: &[Value], device_clock: &str) -> Value {
    json!({"batch_id": Uuid::now_v7(), "device_clock": device_clock, "events": events})
}
