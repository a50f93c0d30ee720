use thiserror::Error;

/// Everything the store can refuse or fail with. The server maps each variant to a status.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("the writer thread has stopped")]
    WriterGone,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// The master key is missing, malformed or not the one the database's secrets are
    /// sealed with (`crate::sealed`); nothing was changed.
    #[error("{0}")]
    MasterKey(String),
    /// The request contradicts what is stored (merging a roster member, moving a device to
    /// a merged member, …): the first field is a stable snake_case code for clients.
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("the cursor is not one this server gave; pull again without a cursor")]
    InvalidCursor,
    #[error("this device has been revoked; anything it pushed now is kept for review, not counted")]
    DeviceRevoked,
    #[error("this device's tokens have been revoked; enroll it again")]
    TokensRevoked,
    /// The token names a device this database does not hold (it was restored from a backup
    /// older than the device's enrollment): refreshing re-adopts the device.
    #[error(
        "this device is not known to this server (it was restored from a backup); refresh the token"
    )]
    UnknownDevice,
    /// A running server holds the database (`langso serve`'s lock).
    #[error("{0}")]
    Locked(String),
    #[error("the enrollment code is unknown, already used or expired")]
    InvalidCode,
    #[error("the refresh token is unknown or expired")]
    InvalidRefreshToken,
    #[error("the refresh token was already used; every token of this device is now revoked")]
    RefreshTokenReused,
    #[error(
        "the password-setting code is unknown, already used, expired, or not for this username"
    )]
    InvalidPasswordCode,
    /// The leader's account is disabled (`langso disable-user`): no login, no session.
    #[error("this account is disabled; ask the province admin to enable it")]
    AccountDisabled,
    #[error("this login session has ended; log in again")]
    SessionEnded,
    #[error("the refresh token was already used; this login session is now ended; log in again")]
    SessionRefreshReused,
}

impl StoreError {
    /// A push's own refusal (a revoked, unknown or logged-out device, …): anything but a
    /// storage failure. Its savepoint is rolled back and the group it was part of carries
    /// on without it. A storage failure inside a group ends the group.
    pub(crate) fn is_refusal(&self) -> bool {
        !self.is_unavailable()
    }

    /// A fault of the database's environment (busy, full, read-only, I/O, memory,
    /// corruption, interrupted) rather than of one request's content: retrying the same
    /// work at once, alone or not, would meet it again.
    pub(crate) fn is_environmental(&self) -> bool {
        use rusqlite::ErrorCode as C;
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.code,
                C::DatabaseBusy
                    | C::DatabaseLocked
                    | C::DiskFull
                    | C::SystemIoFailure
                    | C::ReadOnly
                    | C::OutOfMemory
                    | C::DatabaseCorrupt
                    | C::NotADatabase
                    | C::CannotOpen
                    | C::OperationInterrupted
                    | C::FileLockingProtocolFailed
            ),
            Self::Sqlite(_) => false,
            other => other.is_unavailable(),
        }
    }

    /// Whether retrying later may succeed (the database was busy, full or unreachable).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Sqlite(_) | Self::Unavailable(_) | Self::WriterGone | Self::Migration(_)
        )
    }
}
