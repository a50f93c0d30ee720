//! The benchmark's pushes: each device's batches shaped like a phone's.

use chrono::{Duration, Utc};
use langso_domain::EventId;
use langso_domain::event::RawEvent;
use langso_store::TeamInfo;
use serde_json::json;

/// A small deterministic generator, so both runs push the same shape of data.
struct Mix(u64);
impl Mix {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One device's batches as phones shape them: a few of the team's villages, the last few
/// days, time-ordered (UUIDv7) ids, seqs from 1.
pub(super) fn batches_for(
    team: &TeamInfo,
    n_batches: usize,
    size: usize,
    salt: u64,
) -> Vec<Vec<RawEvent>> {
    let kinds: Vec<String> = langso_domain::kinds::default_catalogue()
        .into_iter()
        .map(|k| k.code)
        .collect();
    let mut mix = Mix(salt);
    let now = Utc::now();
    let villages: Vec<&String> = team.village_ids.iter().take(3).collect();
    let mut seq = 0u64;
    (0..n_batches)
        .map(|_| {
            (0..size)
                .map(|_| {
                    seq += 1;
                    let at = now - Duration::minutes(mix.next(3 * 24 * 60) as i64);
                    RawEvent {
                        event_id: EventId(uuid::Uuid::now_v7()),
                        seq,
                        kind: kinds[mix.next(kinds.len())].clone(),
                        village_id: villages[mix.next(villages.len())].clone(),
                        count: 1 + mix.next(3) as i64,
                        occurred_at: at
                            .with_timezone(&langso_domain::time::vn_offset())
                            .to_rfc3339(),
                        note: None,
                        corrects: None,
                        clock_offset_ms: None,
                    }
                })
                .collect()
        })
        .collect()
}

pub(super) fn to_json(events: &[RawEvent]) -> String {
    let events: Vec<_> = events
        .iter()
        .map(|e| {
            json!({"event_id": e.event_id, "seq": e.seq, "kind": e.kind, "village_id": e.village_id,
            "count": e.count, "occurred_at": e.occurred_at})
        })
        .collect();
    json!({"batch_id": uuid::Uuid::now_v7(), "device_clock": Utc::now().to_rfc3339(), "events": events})
        .to_string()
}
