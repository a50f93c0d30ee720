//! The field device's sync engine: the reference for every Langso client.
//!
//! A phone app embeds an [`Engine`] on its own SQLite file. [`Engine::record`] stores an
//! event durably with a UUIDv7 id and the next per-device seq and never needs the network;
//! [`Engine::sync`] (blocking: call it from a background thread) pushes the queue and pulls
//! reference data, retrying what is safe to retry. docs/sync-protocol.md, "Writing a
//! client", describes the state machine.

pub mod boot_clock;
mod config;
mod engine;
mod error;
mod events;
mod http;
mod outbox;
mod reference;
mod sync;
mod tokens;
mod wire;

#[cfg(feature = "fault-proxy")]
pub mod proxy;

pub use boot_clock::{BootTime, Monotonic};
pub use config::{Backoff, Config, Interrupt, Point};
pub use engine::{Engine, Enrollment, NewEvent, Recorded, Status};
pub use error::{Error, Result};
pub use events::{EventState, HeldEvent};
pub use reference::{Kind, Village};
pub use sync::SyncReport;
