//! What the report tests share (reports_api.rs, reports_exports.rs, reports_scope_matrix.rs,
//! reports_targets.rs): the demo team they push to, the maps they run on, and a push of one
//! accepted event.

use crate::harness::{Phone, Server};

/// The team the report tests push to: the team of V000001 in Phường Cao Xanh.
pub const TEAM: &str = "T00001";
/// The tests run on the demo without its history, so every figure counts from zero: on
/// today's map (T00001 is the team of V000001 in Phường Cao Xanh), or, for district leaders
/// and district reports, on the 171-commune map of 2024-11, the last with districts (the
/// grouping leader's reports on today's map: grouping_leaders.rs).
pub const TODAY: &str = "quang-ninh-2025";
/// The 171-commune map of 2024-11, the last with districts.
pub const MAP_WITH_DISTRICTS: &str = "quang-ninh-2024-11";

/// Pushes one event of `kind` with `count` in the phone's village; panics unless the server
/// answers 200 and accepts it.
pub fn push(s: &Server, phone: &mut Phone, kind: &str, count: i64) {
    let village = phone.village().to_owned();
    let e = phone.event(kind, &village, count);
    let r = s.push(phone, &[e]).expect(200);
    assert_eq!(r.statuses(), ["accepted"]);
}
