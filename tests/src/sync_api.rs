//! What the push, pull and tally tests share (sync_api.rs, sync_corrections.rs,
//! sync_pull.rs, sync_limits.rs): the map and teams they run on, the kinds they push, and a
//! reading of one kind's tally.

use std::collections::BTreeMap;

/// The kind most sync tests push.
pub const VNEID: &str = "vneid_activation";
/// A second kind, for batches of mixed kinds.
pub const SIGNATURE: &str = "digital_signature";
/// Today's map, without the demo's history so every tally counts from zero.
pub const MAP: &str = "quang-ninh-2025";
/// A commune team (it covers every village of its commune): the commune team of Phường Cao
/// Xanh (06658), 13 villages.
pub const TEAM: &str = "T01454";
/// The commune team of Phường Hà Tu (06652).
pub const OTHER_TEAM: &str = "T01453";

/// The tally of `kind` in `totals`, 0 when absent.
pub fn total(totals: &BTreeMap<String, i64>, kind: &str) -> i64 {
    totals.get(kind).copied().unwrap_or(0)
}
