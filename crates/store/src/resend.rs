//! What a pushed event that cannot be inserted is answered: the same event sent again
//! (`duplicate`), the same event carried to a new enrollment of the phone (`duplicate` with
//! `stored_under_previous_enrollment`), an id stored with other content (`conflict`), or
//! its own rejection (`rejected`).
//!
//! Every answer but a plain `duplicate` is recorded in `rejections`, so that its seq counts
//! as processed for `acked_through_seq`: in that table a row means "this seq of this device
//! holds no event of its own", and `code` says why.

use crate::Result;
use crate::malformed;
use crate::push::{Device, EventResult, EventStatus, PushJob};
use langso_domain::event::{EventContent, RawEvent};
use langso_domain::{Count, EventId, KindCode, Rejection, VillageId};
use rusqlite::{OptionalExtension, Transaction, params};

/// The code of a `duplicate` whose event is stored under another device: the phone
/// re-enrolled (re-enrolment numbers the carried events' seqs anew; the new device may even
/// be in another team), and the event is counted once, under the device that first stored
/// it. Only a copy of the phone's own data carries the same event id with the same
/// content, so no other device can be meant.
pub const STORED_UNDER_PREVIOUS_ENROLLMENT: &str = "stored_under_previous_enrollment";

/// The code of a `conflict`: the event id is stored with other content.
pub const EVENT_ID_CONFLICT: &str = "event_id_conflict";

/// A stored event as the phone described it, with its device.
pub(crate) struct Stored {
    pub device: i64,
    pub content: EventContent,
}

/// The stored event with this id, as the phone described it, and its device.
pub(crate) fn stored_content(conn: &rusqlite::Connection, id: &EventId) -> Result<Option<Stored>> {
    Ok(conn
        .prepare_cached(
            "SELECT e.device_id, e.seq, k.code, v.village_id, e.count, e.occurred_ms,
                    e.occurred_off, e.note, t.event_id
             FROM events e JOIN kinds k ON k.id = e.kind_id JOIN villages v ON v.id = e.village_id
             LEFT JOIN events t ON t.id = e.corrects
             WHERE e.event_id = ?1",
        )?
        .query_row([id.as_bytes().as_slice()], |r| {
            let kind: String = r.get(2)?;
            let village: String = r.get(3)?;
            let corrects: Option<Vec<u8>> = r.get(8)?;
            Ok(Stored {
                device: r.get(0)?,
                content: EventContent {
                    seq: r.get(1)?,
                    kind: KindCode::parse(&kind).expect("stored kind codes are valid"),
                    village: VillageId::parse(&village).expect("stored village ids are valid"),
                    count: Count::stored(r.get(4)?),
                    occurred_ms: r.get(5)?,
                    occurred_offset_secs: r.get(6)?,
                    note: r.get(7)?,
                    corrects: corrects.and_then(|b| EventId::from_slice(&b)),
                },
            })
        })
        .optional()?)
}

/// How a pushed event compares with the stored event of the same id.
fn compare(stored: &Stored, dev: &Device, raw: &RawEvent) -> (EventStatus, Option<&'static str>) {
    // Stored under this phone's own row or a past row of it (crate::roster::devices): the
    // same phone sending it again.
    if dev.owns(stored.device) && stored.content.matches_raw(raw) {
        (EventStatus::Duplicate, None)
    } else if !dev.owns(stored.device) && stored.content.matches_raw_but_seq(raw) {
        (
            EventStatus::Duplicate,
            Some(STORED_UNDER_PREVIOUS_ENROLLMENT),
        )
    } else {
        (EventStatus::Conflict, Some(EVENT_ID_CONFLICT))
    }
}

fn message_for(code: &str) -> String {
    if code == STORED_UNDER_PREVIOUS_ENROLLMENT {
        "this event is already stored under another device (this phone's previous \
         enrollment): settled, counted once"
            .to_owned()
    } else {
        "this event_id is already stored with different content; the stored event is unchanged"
            .to_owned()
    }
}

/// A pushed event that cannot be inserted: if its id is stored it is a duplicate or a
/// conflict, otherwise it is rejected (and recorded, so its seq counts as processed).
///
/// A rejected event is judged anew if it is pushed again with the same `event_id` and
/// `seq` (e.g. after a catalogue update made its kind known): its `rejections` row keeps
/// the seq for that `event_id` only.
pub(crate) fn reject_or_match(
    tx: &Transaction<'_>,
    dev: &Device,
    job: &PushJob,
    raw: &RawEvent,
    rejection: Rejection,
) -> Result<EventResult> {
    let (status, code, message) = match stored_content(tx, &raw.event_id)? {
        Some(stored) => {
            let (status, code) = compare(&stored, dev, raw);
            (status, code, code.map(message_for))
        }
        None => (
            EventStatus::Rejected,
            Some(rejection.code.as_str()),
            Some(rejection.message),
        ),
    };
    // A plain duplicate's seq holds its own stored event; every other answer's seq holds
    // none, and is recorded so that it counts as processed.
    if code.is_some()
        && let Ok(seq) = i64::try_from(raw.seq)
        && seq >= 1
    {
        record_rejection(
            tx,
            &Rejected {
                device: dev.id,
                seq,
                event_id: &raw.event_id,
                // The table's CHECK allows 'rejected' and 'conflict': a seq that holds the
                // event stored under a previous enrollment is kept as 'conflict' with its
                // code.
                status: if status == EventStatus::Rejected {
                    "rejected"
                } else {
                    "conflict"
                },
                code: code.unwrap_or_default(),
                message: message.as_deref().unwrap_or_default(),
                received_ms: job.clock.received_at.timestamp_millis(),
                payload: &malformed::event_payload(raw).to_string(),
            },
        )?;
    }
    Ok(EventResult {
        event_id: Some(raw.event_id),
        seq: None,
        status,
        code,
        message,
        clock_corrected: false,
    })
}

/// A pushed item that holds no stored event, as `rejections` keeps it.
pub(crate) struct Rejected<'a> {
    pub device: i64,
    pub seq: i64,
    pub event_id: &'a EventId,
    /// `rejected` or `conflict` (the table's CHECK).
    pub status: &'static str,
    pub code: &'a str,
    pub message: &'a str,
    pub received_ms: i64,
    /// The item as pushed (JSON, text fields cut).
    pub payload: &'a str,
}

/// Records a pushed item that holds no stored event, so its seq counts as processed for
/// `acked_through_seq` and nothing a phone sent is silently dropped. A seq already recorded
/// keeps its first row.
pub(crate) fn record_rejection(tx: &Transaction<'_>, r: &Rejected<'_>) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO rejections (device_id, seq, event_id, status, code, message, received_ms, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        r.device,
        r.seq,
        r.event_id.as_bytes().as_slice(),
        r.status,
        r.code,
        r.message,
        r.received_ms,
        r.payload,
    ])?;
    Ok(())
}
