//! Langso's domain: pure types and rules. No I/O, no HTTP, no SQL.

pub mod audit;
pub mod catalogue;
pub mod clock;
pub mod demo;
pub mod event;
pub mod evidence;
pub mod grouping;
pub mod ids;
pub mod kinds;
pub mod map_switch;
pub mod periods;
pub mod ranking;
pub mod roster;
pub mod scope;
pub mod targets;
pub mod text;
pub mod time;
pub mod units;

pub use event::{Count, EventDraft, Rejection, RejectionCode};
pub use ids::{BatchId, DeviceId, EventId, KindCode, MemberId, TeamId, VillageId};
