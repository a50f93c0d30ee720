//! What can go wrong on the device. No variant ever means "the queue was dropped": every
//! error leaves the outbox as it was, so the next `sync()` resumes.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("this device is not enrolled: run enrollment with a code from your team leader")]
    NotEnrolled,
    #[error("{0}")]
    Invalid(String),
    #[error("the server could not be reached after {attempts} attempts over {waited:?}: {last}")]
    Unreachable {
        attempts: u32,
        waited: Duration,
        last: String,
    },
    /// 401 that a token refresh cannot fix (`token_revoked`, `refresh_token_reused`,
    /// `invalid_refresh_token`, `invalid_code`): enroll again; queued events are kept and go
    /// up after re-enrollment.
    #[error("enroll this device again ({code}): {message}; queued events are kept")]
    ReEnroll { code: String, message: String },
    /// 403 `device_revoked`: an administrator revoked this device. The queue is kept.
    #[error("this device was revoked by an administrator: {0}; queued events are kept")]
    DeviceRevoked(String),
    /// The server refused a request for a reason the user must act on (e.g. `invalid_code`
    /// at enrollment).
    #[error("the server refused ({code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// An answer the engine cannot act on (a bug on one side or the other).
    #[error("unexpected answer from the server (HTTP {status} {code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// The [`crate::Interrupt`] hook stopped the sync (tests and the simulator use it to
    /// play a phone killed mid-sync).
    #[error("sync interrupted")]
    Interrupted,
    #[error("local storage: {0}")]
    Storage(#[from] rusqlite::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
