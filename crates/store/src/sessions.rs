//! Leaders' logins. Each login is a session: an API session holds rotating refresh tokens
//! (30 days, reuse detection like devices') and its access tokens name it (`sid`); a
//! cookie session is an opaque 256-bit secret with a 12-hour sliding expiry. Logging out,
//! refresh-token reuse and setting a password end sessions.

use crate::auth::{new_refresh_token, random_bytes, sha256, successor, token_secret};
use crate::users::{User, load_user, normalise_username, user_row};
use crate::{Result, Store, StoreError, now_ms};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{OptionalExtension, Transaction, params};

pub const USER_REFRESH_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
pub const COOKIE_SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
/// A cookie session's expiry slides forward on use, at most once per this interval (a write).
const TOUCH_EVERY_MS: i64 = 60 * 1000;
/// As for devices: a refresh token presented again within this window after its rotation
/// gets the same answer (the answer was lost); later, it is treated as theft.
const RETRY_WINDOW_MS: i64 = crate::auth::RETRY_WINDOW_MS;

/// A new or refreshed API login; the server adds the access token.
#[derive(Clone, Debug)]
pub struct LeaderTokens {
    pub user: User,
    pub session_id: i64,
    pub refresh_token: String,
    pub refresh_expires_ms: i64,
    /// Issued-at for the access token, seconds.
    pub access_iat: i64,
}

/// A live dashboard session, found by its cookie.
#[derive(Clone, Debug)]
pub struct CookieSession {
    pub user: User,
    pub session_id: i64,
    pub expires_ms: i64,
}

fn new_session(
    tx: &Transaction<'_>,
    user: i64,
    kind: &str,
    secret: Option<&[u8]>,
    expires: i64,
) -> Result<i64> {
    let now = now_ms();
    tx.execute(
        "INSERT INTO sessions (user_id, kind, secret_hash, created_ms, last_seen_ms, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![user, kind, secret.map(sha256), now, expires],
    )?;
    Ok(tx.last_insert_rowid())
}

fn clear_user_failures(tx: &Transaction<'_>, user: &User) -> Result<()> {
    tx.execute(
        "DELETE FROM login_failures WHERE key = ?1",
        [format!("user:{}", normalise_username(&user.username))],
    )?;
    Ok(())
}

fn user_of(tx: &Transaction<'_>, id: i64) -> Result<User> {
    load_user(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("no user {id}")))
}

/// The user of a login that is starting: refused if the account is disabled; records the
/// login's time (`users.last_login_ms`) and clears the user's failed logins.
fn logging_in(tx: &Transaction<'_>, id: i64, now: i64) -> Result<User> {
    crate::users::manage::require_enabled(tx, id)?;
    let user = user_of(tx, id)?;
    clear_user_failures(tx, &user)?;
    tx.execute(
        "UPDATE users SET last_login_ms = ?1 WHERE id = ?2",
        params![now, id],
    )?;
    Ok(user)
}

impl Store {
    /// Starts an API session for `user` (whose password was just verified): a refresh token
    /// and the issued-at of the first access token. Clears the user's failed logins.
    pub fn start_api_session(&self, user: i64) -> Result<LeaderTokens> {
        self.write_blocking(move |tx| {
            let now = now_ms();
            let user = logging_in(tx, user, now)?;
            let session_id = new_session(tx, user.id, "api", None, now + USER_REFRESH_TTL_MS)?;
            let token = new_refresh_token();
            tx.execute(
                "INSERT INTO user_refresh_tokens (token_hash, session_id, issued_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    sha256(token.as_bytes()),
                    session_id,
                    now,
                    now + USER_REFRESH_TTL_MS
                ],
            )?;
            Ok(LeaderTokens {
                user,
                session_id,
                refresh_token: token,
                refresh_expires_ms: now + USER_REFRESH_TTL_MS,
                access_iat: now / 1000,
            })
        })
    }

    /// Starts a cookie session for `user` (whose password was just verified); returns the
    /// cookie value (`lss_…`, 256 bits) and the session. Clears the user's failed logins.
    pub fn start_cookie_session(&self, user: i64) -> Result<(String, CookieSession)> {
        self.write_blocking(move |tx| {
            let now = now_ms();
            let user = logging_in(tx, user, now)?;
            let secret = format!("lss_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()));
            let expires_ms = now + COOKIE_SESSION_TTL_MS;
            let session_id =
                new_session(tx, user.id, "cookie", Some(secret.as_bytes()), expires_ms)?;
            Ok((
                secret,
                CookieSession {
                    user,
                    session_id,
                    expires_ms,
                },
            ))
        })
    }

    /// The user of a live API session `session` that `user` (the token's subject) owns;
    /// [`StoreError::SessionEnded`] otherwise.
    pub fn api_session_user(&self, session: i64, user: i64) -> Result<User> {
        self.read(|c| {
            let row = c
                .prepare_cached(
                    "SELECT u.id, u.username, u.role, u.scope_kind, u.scope_id FROM sessions s
                     JOIN users u ON u.id = s.user_id
                     WHERE s.id = ?1 AND s.user_id = ?2 AND s.kind = 'api' AND s.revoked_ms IS NULL
                       AND u.disabled_ms IS NULL",
                )?
                .query_row(params![session, user], user_row)
                .optional()?;
            row.ok_or(StoreError::SessionEnded)
        })
    }

    /// The live cookie session whose cookie value is `secret`; its expiry slides forward.
    pub fn cookie_session(&self, secret: &str) -> Result<CookieSession> {
        let hash = sha256(secret.as_bytes());
        let now = now_ms();
        let found =
            self.read(|c| {
                Ok(c.prepare_cached(
                "SELECT u.id, u.username, u.role, u.scope_kind, u.scope_id, s.id, s.last_seen_ms,
                        s.expires_ms
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.secret_hash = ?1 AND s.kind = 'cookie' AND s.revoked_ms IS NULL
                   AND u.disabled_ms IS NULL",
            )?
            .query_row([&hash], |r| Ok((user_row(r)?, r.get(5)?, r.get(6)?, r.get(7)?)))
            .optional()?)
            })?;
        let (user, session_id, last_seen, expires_ms): (User, i64, i64, i64) =
            found.ok_or(StoreError::SessionEnded)?;
        if expires_ms <= now {
            return Err(StoreError::SessionEnded);
        }
        if now - last_seen < TOUCH_EVERY_MS {
            return Ok(CookieSession {
                user,
                session_id,
                expires_ms,
            });
        }
        let expires_ms = now + COOKIE_SESSION_TTL_MS;
        self.write_blocking(move |tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_ms = ?1, expires_ms = ?2 WHERE id = ?3",
                params![now, expires_ms, session_id],
            )?;
            Ok(())
        })?;
        Ok(CookieSession {
            user,
            session_id,
            expires_ms,
        })
    }

    /// Ends a session (logout): its cookie, refresh tokens and access tokens stop working.
    pub fn end_session(&self, session: i64) -> Result<()> {
        self.write_blocking(move |tx| {
            tx.execute(
                "UPDATE sessions SET revoked_ms = coalesce(revoked_ms, ?1) WHERE id = ?2",
                params![now_ms(), session],
            )?;
            Ok(())
        })
    }

    /// Exchanges a leader's refresh token for a new pair, rotating it.
    pub async fn refresh_leader(&self, token: &str) -> Result<LeaderTokens> {
        let token = token.to_owned();
        // Reuse detection ends the session, and that must commit although the answer is an
        // error: the closure returns Ok(Err(..)) for it.
        self.write(move |tx| refresh_in(tx, &token)).await?
    }
}

struct TokenRow {
    session: i64,
    expires_ms: i64,
    rotated_ms: Option<i64>,
    access_iat: Option<i64>,
}

fn token_row(tx: &Transaction<'_>, token: &str) -> Result<Option<TokenRow>> {
    Ok(tx
        .query_row(
            "SELECT session_id, expires_ms, rotated_ms, access_iat FROM user_refresh_tokens
             WHERE token_hash = ?1",
            [sha256(token.as_bytes())],
            |r| {
                Ok(TokenRow {
                    session: r.get(0)?,
                    expires_ms: r.get(1)?,
                    rotated_ms: r.get(2)?,
                    access_iat: r.get(3)?,
                })
            },
        )
        .optional()?)
}

fn refresh_in(tx: &Transaction<'_>, token: &str) -> Result<Result<LeaderTokens>> {
    let now = now_ms();
    let Some(row) = token_row(tx, token)? else {
        return Ok(Err(StoreError::InvalidRefreshToken));
    };
    let (user, revoked): (i64, Option<i64>) = tx.query_row(
        "SELECT user_id, revoked_ms FROM sessions WHERE id = ?1",
        [row.session],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if revoked.is_some() {
        return Ok(Err(StoreError::SessionEnded));
    }
    if crate::users::manage::require_enabled(tx, user).is_err() {
        return Ok(Err(StoreError::SessionEnded));
    }
    if row.expires_ms <= now {
        return Ok(Err(StoreError::InvalidRefreshToken));
    }
    let user = user_of(tx, user)?;
    let next = successor(&token_secret(tx)?, token);
    if let Some(rotated) = row.rotated_ms {
        let child = token_row(tx, &next)?;
        let child_unused = child.as_ref().is_some_and(|c| c.rotated_ms.is_none());
        if now - rotated <= RETRY_WINDOW_MS && child_unused {
            let child = child.expect("checked above");
            return Ok(Ok(LeaderTokens {
                user,
                session_id: row.session,
                refresh_token: next,
                refresh_expires_ms: child.expires_ms,
                access_iat: row.access_iat.unwrap_or(rotated / 1000),
            }));
        }
        tx.execute(
            "UPDATE sessions SET revoked_ms = ?1 WHERE id = ?2",
            params![now, row.session],
        )?;
        tracing::warn!(user = %user.username, "leader refresh token reused; the session is ended");
        return Ok(Err(StoreError::SessionRefreshReused));
    }
    let iat = now / 1000;
    tx.execute(
        "UPDATE user_refresh_tokens SET rotated_ms = ?1, access_iat = ?2 WHERE token_hash = ?3",
        params![now, iat, sha256(token.as_bytes())],
    )?;
    tx.execute(
        "INSERT INTO user_refresh_tokens (token_hash, session_id, issued_ms, expires_ms)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            sha256(next.as_bytes()),
            row.session,
            now,
            now + USER_REFRESH_TTL_MS
        ],
    )?;
    tx.execute(
        "UPDATE sessions SET last_seen_ms = ?1, expires_ms = ?2 WHERE id = ?3",
        params![now, now + USER_REFRESH_TTL_MS, row.session],
    )?;
    Ok(Ok(LeaderTokens {
        user,
        session_id: row.session,
        refresh_token: next,
        refresh_expires_ms: now + USER_REFRESH_TTL_MS,
        access_iat: iat,
    }))
}
