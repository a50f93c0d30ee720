//! The sync protocol's JSON, as the client reads and writes it. Answers are read leniently
//! (unknown fields ignored): the server may add fields, a phone in the field may be old.

use crate::events::HeldEvent;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
pub struct TokenPair {
    pub device_id: String,
    pub member_id: String,
    pub team_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_at: String,
    pub refresh_expires_at: String,
    /// The server's clock when it answered (absent from servers before issue 7).
    #[serde(default)]
    pub server_time: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PushAnswer {
    pub results: Vec<PushResult>,
    pub acked_through_seq: i64,
    /// The server was restored since the answer whose generation and acked seq the push
    /// sent (absent from servers before issue 7).
    #[serde(default)]
    pub reset: bool,
    pub server_time: String,
    pub generation: String,
}

#[derive(Debug, Deserialize)]
pub struct PushResult {
    /// Absent only for a malformed item whose id the server could not read (never one this
    /// engine wrote).
    #[serde(default)]
    pub event_id: String,
    pub status: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub clock_corrected: bool,
}

#[derive(Debug, Deserialize)]
pub struct PullAnswer {
    pub changes: Vec<Change>,
    pub next_cursor: String,
    pub has_more: bool,
    #[serde(default)]
    pub reset: bool,
    pub acked_through_seq: i64,
    #[serde(default)]
    pub team_totals: Value,
    pub server_time: String,
    pub generation: String,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    pub entity: String,
    pub op: String,
    pub id: String,
    #[serde(default)]
    pub data: Option<Value>,
}

/// One event as pushed. `occurred_at` is resent exactly as first written, so a retry is
/// byte-for-byte the same event and the server answers `duplicate`.
pub fn event_json(e: &HeldEvent) -> String {
    let mut v = json!({
        "event_id": e.event_id, "seq": e.seq, "kind": e.kind, "village_id": e.village_id,
        "count": e.count, "occurred_at": e.occurred_at,
    });
    if let Some(n) = &e.note {
        v["note"] = json!(n);
    }
    if let Some(c) = &e.corrects {
        v["corrects"] = json!(c);
    }
    if let Some(o) = e.clock_offset_ms {
        v["clock_offset_ms"] = json!(o);
    }
    v.to_string()
}

/// A push body from pre-serialised events. `known`: the `generation` and
/// `acked_through_seq` of the last answer applied, so the server can answer `reset`.
pub fn push_body(
    batch_id: &uuid::Uuid,
    device_clock: &str,
    known: Option<(&str, i64)>,
    events: &[String],
) -> String {
    let mut s = String::with_capacity(events.iter().map(|e| e.len() + 1).sum::<usize>() + 256);
    s.push_str(&format!(
        "{{\"batch_id\":\"{batch_id}\",\"device_clock\":\"{device_clock}\","
    ));
    if let Some((generation, acked)) = known {
        s.push_str(&format!(
            "\"generation\":{},\"acked_through_seq\":{acked},",
            json!(generation)
        ));
    }
    s.push_str("\"events\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(e);
    }
    s.push_str("]}");
    s
}

/// Bytes of a push body beyond its events.
pub const PUSH_OVERHEAD: usize = 260;
