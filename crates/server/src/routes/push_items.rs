//! Reading a push body item by item (issue 7, item 8).
//!
//! The body is read as an object with `batch_id`, `device_clock` and `events`, an array of
//! raw JSON items (skipping an item tolerates what only that item gets wrong, e.g. a lone
//! surrogate escape such as `"\ud83d"` in a note). Each item is then parsed on its own: a
//! malformed one becomes a [`MalformedItem`], answered `rejected` (`malformed_event`) in its
//! place, and the others are judged as usual. An item must be a JSON object: one that is
//! an array (fields by position) is malformed, its id and seq unread.

use langso_domain::EventId;
use langso_domain::event::{MAX_SAFE_INTEGER, RawEvent};
use langso_domain::text::cut_quoted;
use langso_store::MalformedItem;
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

/// A push body: these fields only, `events` an array of anything.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PushBody<'a> {
    pub batch_id: Uuid,
    pub device_clock: String,
    #[serde(borrow)]
    pub events: Vec<&'a RawValue>,
    /// The `generation` of the last answer the phone applied, if it sends it.
    #[serde(default)]
    pub generation: Option<String>,
    /// The `acked_through_seq` of the last answer the phone applied, if it sends it.
    #[serde(default, deserialize_with = "whole::optional")]
    pub acked_through_seq: Option<i64>,
}

impl PushBody<'_> {
    /// Whether the server's database was replaced by an older copy since the phone's last
    /// answer: another generation, or fewer seqs acknowledged than the phone was told.
    pub fn reset(&self, generation: &str, acked_before: i64) -> bool {
        self.generation.as_deref().is_some_and(|g| g != generation)
            || self.acked_through_seq.is_some_and(|a| a > acked_before)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEvent {
    event_id: Uuid,
    #[serde(deserialize_with = "whole::non_negative")]
    seq: u64,
    kind: String,
    village_id: String,
    #[serde(deserialize_with = "whole::signed")]
    count: i64,
    occurred_at: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    corrects: Option<Uuid>,
    #[serde(default, deserialize_with = "whole::optional")]
    clock_offset_ms: Option<i64>,
}

/// What can be read of an item that is not a valid event: any other field is ignored.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    event_id: Option<serde_json::Value>,
    #[serde(default)]
    seq: Option<serde_json::Value>,
}

/// At most this many characters of a parser's message go back to the phone.
const MESSAGE_CHARS: usize = 200;

/// A batch's items: the events in order, and the malformed items by index.
pub(super) struct Items {
    pub events: Vec<RawEvent>,
    pub malformed: Vec<MalformedItem>,
}

/// Parses every item on its own.
pub(super) fn read(items: &[&RawValue]) -> Items {
    let mut out = Items {
        events: Vec::with_capacity(items.len()),
        malformed: Vec::new(),
    };
    for (index, item) in items.iter().enumerate() {
        let text = item.get();
        match event(text) {
            Ok(e) => out.events.push(e),
            Err(why) => out.malformed.push(malformed(index, text, &why)),
        }
    }
    out
}

fn event(text: &str) -> Result<RawEvent, String> {
    let e: WireEvent = super::json_object(text.as_bytes())?;
    if e.clock_offset_ms
        .is_some_and(|o| o.abs() > MAX_SAFE_INTEGER)
    {
        return Err("clock_offset_ms must be an integer from -(2^53 - 1) to 2^53 - 1".into());
    }
    Ok(RawEvent {
        event_id: EventId(e.event_id),
        seq: e.seq,
        kind: e.kind,
        village_id: e.village_id,
        count: e.count,
        occurred_at: e.occurred_at,
        note: e.note,
        corrects: e.corrects.map(EventId),
        clock_offset_ms: e.clock_offset_ms,
    })
}

fn malformed(index: usize, text: &str, why: &str) -> MalformedItem {
    let probe: Option<Probe> = super::json_object(text.as_bytes()).ok();
    let (event_id, seq) = probe.map_or((None, None), |p| {
        let id = p
            .event_id
            .as_ref()
            .and_then(|v| v.as_str())
            .and_then(EventId::parse);
        let seq = (p.seq.as_ref())
            .and_then(whole::of_value)
            .filter(|s| (1..=MAX_SAFE_INTEGER).contains(s));
        (id, seq)
    });
    MalformedItem {
        index,
        event_id,
        seq,
        message: format!(
            "events[{index}] is not a valid event: {}",
            cut_quoted(why, MESSAGE_CHARS)
        ),
        json: text.to_owned(),
    }
}

/// Integers as JSON Schema reads them: a value, not a spelling. `17`, `17.0` and `1.7e1`
/// are all the integer 17 (a client may serialise whole numbers as floats); `17.5` is not
/// an integer. Whole values beyond the target type saturate, so a huge `seq` or `count` is
/// judged by its range rule (`invalid_seq`, `count_out_of_range`), not found malformed.
mod whole {
    use serde::{Deserialize, Deserializer, de::Error};
    use serde_json::Number;

    /// The whole value of a JSON number, saturated to `i64`; None for a fraction.
    fn of_number(n: &Number) -> Option<i64> {
        if let Some(i) = n.as_i64() {
            return Some(i);
        }
        if n.is_u64() {
            return Some(i64::MAX);
        }
        let f = n.as_f64()?;
        // `as` saturates: 1e300 becomes i64::MAX, -1e300 i64::MIN.
        (f.is_finite() && f.fract() == 0.0).then_some(f as i64)
    }

    pub(super) fn of_value(v: &serde_json::Value) -> Option<i64> {
        v.as_number().and_then(of_number)
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let n = Number::deserialize(d)?;
        of_number(&n).ok_or_else(|| D::Error::custom(format!("{n} is not an integer")))
    }

    pub(super) fn signed<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        read(d)
    }

    /// A seq: negative is malformed; the largest values saturate (`invalid_seq` later).
    pub(super) fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let n = Number::deserialize(d)?;
        if let Some(u) = n.as_u64() {
            return Ok(u);
        }
        match of_number(&n) {
            Some(i) if i >= 0 => Ok(u64::try_from(i).unwrap_or_default()),
            _ => Err(D::Error::custom(format!(
                "{n} is not a non-negative integer"
            ))),
        }
    }

    pub(super) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<Number>::deserialize(d)?
            .map(|n| {
                of_number(&n).ok_or_else(|| D::Error::custom(format!("{n} is not an integer")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(events: &str) -> String {
        format!(
            r#"{{"batch_id":"{}","device_clock":"2026-11-28T10:00:00+07:00","events":{events}}}"#,
            Uuid::now_v7()
        )
    }

    fn event_text(note: &str) -> String {
        format!(
            r#"{{"event_id":"{}","seq":3,"kind":"vneid_activation","village_id":"V000001","count":1,"occurred_at":"2026-11-28T09:00:00+07:00","note":{note}}}"#,
            Uuid::now_v7()
        )
    }

    #[test]
    fn a_lone_surrogate_is_skipped_in_the_body_and_rejected_in_its_item_alone() {
        let items = format!(
            "[{},{}]",
            event_text(r#""ok""#),
            event_text(r#""Nam \ud83d""#)
        );
        let text = body(&items);
        let b: PushBody<'_> = serde_json::from_str(&text).expect("the body reads");
        let items = read(&b.events);
        assert_eq!(items.events.len(), 1);
        let m = &items.malformed[0];
        assert_eq!((m.index, m.seq), (1, Some(3)));
        assert!(m.event_id.is_some(), "{m:?}");
        assert!(m.message.contains("hex escape"), "{}", m.message);
    }

    #[test]
    fn an_item_that_is_an_array_is_malformed_and_its_id_and_seq_are_not_read() {
        let text = format!(
            r#"["{}",3,"vneid_activation","V000001",1,"2026-11-28T09:00:00+07:00"]"#,
            Uuid::now_v7()
        );
        let items = read(&[RawValue::from_string(text).unwrap().as_ref()]);
        assert!(items.events.is_empty());
        let m = &items.malformed[0];
        assert_eq!((m.event_id, m.seq), (None, None));
        assert!(m.message.contains("found an array"), "{}", m.message);
    }

    #[test]
    fn an_offset_beyond_the_safe_integers_is_malformed() {
        let text =
            event_text("null").replace(r#""note":null"#, r#""clock_offset_ms":9007199254740992"#);
        assert!(event(&text).is_err());
        let ok =
            event_text("null").replace(r#""note":null"#, r#""clock_offset_ms":-9007199254740991"#);
        assert_eq!(event(&ok).unwrap().clock_offset_ms, Some(-MAX_SAFE_INTEGER));
    }

    #[test]
    fn whole_numbers_written_as_floats_are_integers_and_fractions_are_not() {
        let text = event_text("null")
            .replace(r#""seq":3"#, r#""seq":2802705.0"#)
            .replace(r#""count":1"#, r#""count":2e0"#)
            .replace(r#""note":null"#, r#""clock_offset_ms":-1250.0"#);
        let e = event(&text).expect("whole floats read");
        assert_eq!(
            (e.seq, e.count, e.clock_offset_ms),
            (2802705, 2, Some(-1250))
        );
        for bad in [r#""seq":3.5"#, r#""seq":-1"#, r#""seq":"3""#] {
            let text = event_text("null").replace(r#""seq":3"#, bad);
            assert!(event(&text).is_err(), "{bad} is malformed");
        }
    }

    #[test]
    fn seqs_beyond_the_safe_integers_still_read_for_their_range_rule() {
        for (big, want) in [
            ("9007199254740992", 9_007_199_254_740_992),
            ("18446744073709551615", u64::MAX),
            ("1e300", i64::MAX as u64),
        ] {
            let text = event_text("null").replace(r#""seq":3"#, &format!(r#""seq":{big}"#));
            assert_eq!(event(&text).expect(big).seq, want, "{big}");
        }
    }
}
