//! Pushed items that could not be read as events (issue 7, item 8). Each is answered
//! `rejected` with `malformed_event` on its own; the rest of the batch is judged as usual.
//! When its `event_id` and `seq` can be read it is recorded in `rejections` in the push's
//! transaction, so its seq counts as processed for `acked_through_seq` like any rejection.

use crate::Result;
use crate::push::{EventResult, EventStatus};
use langso_domain::event::RawEvent;
use langso_domain::text::cut;
use langso_domain::{EventId, RejectionCode};
use rusqlite::Transaction;

/// Each text field of a stored rejection's or quarantined batch's payload is kept up to
/// this many characters (then cut, ending with "…"): enough to review it (a valid note
/// has at most 500), never a 900 KB string stored again.
pub const STORED_TEXT_CHARS: usize = 1_000;

/// Of a malformed item's JSON text, this many characters are stored for review.
pub const STORED_ITEM_CHARS: usize = 4_000;

/// One item of a push batch that is not a valid event, as the server read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedItem {
    /// Its 0-based position in the batch's `events` array.
    pub index: usize,
    /// Its `event_id`, when that field could be read as a UUID.
    pub event_id: Option<EventId>,
    /// Its `seq`, when that field could be read as an integer from 1.
    pub seq: Option<i64>,
    /// What is wrong with it, for the phone (pushed text quoted cut).
    pub message: String,
    /// Its JSON text as pushed; stored cut to [`STORED_ITEM_CHARS`].
    pub json: String,
}

/// A batch's items in their order: events and malformed items interleaved by index.
pub(crate) enum Item<'a> {
    Event(&'a RawEvent),
    Malformed(&'a MalformedItem),
}

/// Interleaves `events` (the well-formed items, in order) with `malformed` (sorted by
/// index) back into the batch's order. Indices beyond the batch come last.
pub(crate) fn in_order<'a>(
    events: &'a [RawEvent],
    malformed: &'a [MalformedItem],
) -> Vec<Item<'a>> {
    let mut out = Vec::with_capacity(events.len() + malformed.len());
    let mut events = events.iter();
    let mut malformed = malformed.iter().peekable();
    loop {
        if let Some(m) = malformed.next_if(|m| m.index <= out.len()) {
            out.push(Item::Malformed(m));
        } else if let Some(e) = events.next() {
            out.push(Item::Event(e));
        } else {
            break;
        }
    }
    out.extend(malformed.map(Item::Malformed));
    out
}

/// Answers a malformed item and records it when its id and seq are known and its id is
/// not stored already. Returns the result and the seq now processed, if any.
pub(crate) fn reject(
    tx: &Transaction<'_>,
    device: i64,
    received_ms: i64,
    item: &MalformedItem,
) -> Result<(EventResult, Option<i64>)> {
    let code = RejectionCode::MalformedEvent.as_str();
    let mut processed = None;
    if let (Some(id), Some(seq)) = (item.event_id, item.seq.filter(|s| *s >= 1)) {
        let stored = tx
            .prepare_cached("SELECT 1 FROM events WHERE event_id = ?1")?
            .exists([id.as_bytes().as_slice()])?;
        if !stored {
            crate::resend::record_rejection(
                tx,
                &crate::resend::Rejected {
                    device,
                    seq,
                    event_id: &id,
                    status: "rejected",
                    code,
                    message: &item.message,
                    received_ms,
                    payload: &payload(item).to_string(),
                },
            )?;
            processed = Some(seq);
        }
    }
    let result = EventResult {
        event_id: item.event_id,
        seq: item.seq,
        status: EventStatus::Rejected,
        code: Some(code),
        message: Some(item.message.clone()),
        clock_corrected: false,
    };
    Ok((result, processed))
}

/// What is kept of a malformed item: its index and its text, cut.
pub(crate) fn payload(item: &MalformedItem) -> serde_json::Value {
    serde_json::json!({
        "index": item.index,
        "malformed": cut(&item.json, STORED_ITEM_CHARS),
    })
}

/// What is kept of a pushed event: its fields, each text cut to [`STORED_TEXT_CHARS`].
pub(crate) fn event_payload(raw: &RawEvent) -> serde_json::Value {
    let text = |s: &str| cut(s, STORED_TEXT_CHARS).into_owned();
    let mut v = serde_json::json!({
        "event_id": raw.event_id, "seq": raw.seq, "kind": text(&raw.kind),
        "village_id": text(&raw.village_id), "count": raw.count,
        "occurred_at": text(&raw.occurred_at), "note": raw.note.as_deref().map(text),
        "corrects": raw.corrects,
    });
    if let Some(o) = raw.clock_offset_ms {
        v["clock_offset_ms"] = o.into();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn event(seq: u64) -> RawEvent {
        RawEvent {
            event_id: EventId(Uuid::now_v7()),
            seq,
            kind: "vneid_activation".into(),
            village_id: "V000001".into(),
            count: 1,
            occurred_at: "2026-11-28T09:00:00+07:00".into(),
            note: None,
            corrects: None,
            clock_offset_ms: None,
        }
    }

    fn bad(index: usize) -> MalformedItem {
        MalformedItem {
            index,
            event_id: None,
            seq: None,
            message: "x".into(),
            json: "42".into(),
        }
    }

    fn order(events: &[RawEvent], malformed: &[MalformedItem]) -> Vec<String> {
        in_order(events, malformed)
            .into_iter()
            .map(|i| match i {
                Item::Event(e) => format!("e{}", e.seq),
                Item::Malformed(m) => format!("m{}", m.index),
            })
            .collect()
    }

    #[test]
    fn items_come_back_in_batch_order() {
        let events = [event(1), event(2)];
        assert_eq!(
            order(&events, &[bad(0), bad(2), bad(4)]),
            ["m0", "e1", "m2", "e2", "m4"]
        );
        assert_eq!(order(&events, &[]), ["e1", "e2"]);
        assert_eq!(order(&[], &[bad(0), bad(1)]), ["m0", "m1"]);
        assert_eq!(order(&events, &[bad(9)]), ["e1", "e2", "m9"]);
    }

    #[test]
    fn stored_payloads_are_bounded() {
        let mut e = event(1);
        e.kind = "k".repeat(900_000);
        e.note = Some("n".repeat(900_000));
        assert!(event_payload(&e).to_string().len() < 3 * STORED_TEXT_CHARS + 400);
        let mut m = bad(0);
        m.json = "j".repeat(900_000);
        assert!(payload(&m).to_string().len() < STORED_ITEM_CHARS + 100);
    }
}
