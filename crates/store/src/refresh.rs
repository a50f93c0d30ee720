//! Rotating a device's refresh token, and re-adopting a device after a restore (issue 7).
//!
//! Within one database generation a token is found by its row, as always: each use
//! rotates it; the same old token presented again within `RETRY_WINDOW_MS` of its rotation,
//! while its successor is unused, gets the same answer (the phone lost it); any other reuse
//! revokes every token of the device.
//!
//! A token whose row is missing was issued after the backup this database was restored
//! from (rows are never deleted). If its HMAC proves this database's secret made it and it
//! has not expired, the device is **re-adopted**: its row is recreated if it is missing
//! (same device id, member and team), its other tokens are revoked, the token gets a row
//! marked rotated, and the phone gets a fresh pair. The row is the adoption's record: the
//! same token presented again is an exact retry or reuse, as above. A device adopts at most
//! once per generation (`devices.adopted_generation`); a second foreign token for it is
//! reuse. Revocation wins: a revoked device, or a token issued before the device's
//! tokens were revoked, is refused as before.

use crate::auth::{
    REFRESH_TTL_MS, RETRY_WINDOW_MS, Refreshed, answer, device_ids, insert_unassigned_member,
    next_member_id, sha256, token_secret,
};
use crate::token::{self, RefreshClaims};
use crate::{Result, StoreError, now_ms};
use rusqlite::{OptionalExtension, Transaction, params};

struct TokenRow {
    device: i64,
    expires_ms: i64,
    rotated_ms: Option<i64>,
    access_iat: Option<i64>,
    revoked_ms: Option<i64>,
}

fn token_row(tx: &Transaction<'_>, token: &str) -> Result<Option<TokenRow>> {
    Ok(tx
        .query_row(
            "SELECT device_id, expires_ms, rotated_ms, access_iat, revoked_ms FROM refresh_tokens
             WHERE token_hash = ?1",
            [sha256(token.as_bytes())],
            |r| {
                Ok(TokenRow {
                    device: r.get(0)?,
                    expires_ms: r.get(1)?,
                    rotated_ms: r.get(2)?,
                    access_iat: r.get(3)?,
                    revoked_ms: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// The token that rotating `old` yields for `device`, issued at `at_ms` (the rotation's
/// access-token `iat`, whole seconds, which the old row keeps): a function of them only, so
/// an exact retry gets the same one.
fn successor(
    tx: &Transaction<'_>,
    secret: &[u8],
    old: &str,
    device: i64,
    at_ms: i64,
) -> Result<String> {
    let (device, member, team) = device_ids(tx, device)?;
    let claims = RefreshClaims {
        device,
        member,
        team,
        issued_ms: at_ms,
        nonce: token::successor_nonce(secret, old),
    };
    Ok(token::mint(secret, &claims))
}

/// The token a rotation of `old` issued, and its row: derived from `old` and the rotation's
/// access-token issue time; tokens rotated before issue 7 had opaque successors.
fn find_successor(
    tx: &Transaction<'_>,
    secret: &[u8],
    old: &str,
    row: &TokenRow,
    rotated_ms: i64,
) -> Result<(String, Option<TokenRow>)> {
    let iat = row.access_iat.unwrap_or(rotated_ms / 1000);
    let next = successor(tx, secret, old, row.device, iat * 1000)?;
    if let Some(child) = token_row(tx, &next)? {
        return Ok((next, Some(child)));
    }
    let legacy = crate::auth::successor(secret, old);
    let child = token_row(tx, &legacy)?;
    Ok((legacy, child))
}

/// Exchanges `token` for a new pair. The outer error is a storage failure (rolls back); the
/// inner one is a refusal, whose writes (reuse revocations) must commit.
pub(crate) fn refresh_in(tx: &Transaction<'_>, token: &str) -> Result<Result<Refreshed>> {
    let now = now_ms();
    let secret = token_secret(tx)?;
    let Some(row) = token_row(tx, token)? else {
        return adopt(tx, &secret, token, now);
    };
    let revoked: Option<i64> = tx.query_row(
        "SELECT revoked_ms FROM devices WHERE id = ?1",
        [row.device],
        |r| r.get(0),
    )?;
    if revoked.is_some() {
        return Ok(Err(StoreError::DeviceRevoked));
    }
    if row.revoked_ms.is_some() {
        return Ok(Err(StoreError::TokensRevoked));
    }
    if row.expires_ms <= now {
        return Ok(Err(StoreError::InvalidRefreshToken));
    }
    let Some(rotated) = row.rotated_ms else {
        return rotate(tx, &secret, token, row.device, now).map(Ok);
    };
    let (next, child) = find_successor(tx, &secret, token, &row, rotated)?;
    let child_unused = child
        .as_ref()
        .is_some_and(|c| c.rotated_ms.is_none() && c.revoked_ms.is_none());
    if now - rotated <= RETRY_WINDOW_MS
        && let Some(child) = child.filter(|_| child_unused)
    {
        let iat = row.access_iat.unwrap_or(rotated / 1000);
        return answer(tx, row.device, next, child.expires_ms, iat).map(Ok);
    }
    Ok(Err(reused(tx, row.device, now)?))
}

/// Reuse: every token of the device is revoked, and access tokens issued until now too.
fn reused(tx: &Transaction<'_>, device: i64, now: i64) -> Result<StoreError> {
    tx.execute(
        "UPDATE refresh_tokens SET revoked_ms = ?1 WHERE device_id = ?2 AND revoked_ms IS NULL",
        params![now, device],
    )?;
    tx.execute(
        "UPDATE devices SET tokens_valid_after = ?1 WHERE id = ?2",
        params![now, device],
    )?;
    let (device_id, _, _) = device_ids(tx, device)?;
    tracing::warn!(device = %device_id, "refresh token reused; the device's tokens are revoked");
    Ok(StoreError::RefreshTokenReused)
}

/// Marks `token` (which has a row) rotated now and issues its successor.
fn rotate(
    tx: &Transaction<'_>,
    secret: &[u8],
    token: &str,
    device: i64,
    now: i64,
) -> Result<Refreshed> {
    let iat = now / 1000;
    tx.execute(
        "UPDATE refresh_tokens SET rotated_ms = ?1, access_iat = ?2 WHERE token_hash = ?3",
        params![now, iat, sha256(token.as_bytes())],
    )?;
    let next = successor(tx, secret, token, device, iat * 1000)?;
    tx.execute(
        "INSERT INTO refresh_tokens (token_hash, device_id, issued_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
        params![sha256(next.as_bytes()), device, now, now + REFRESH_TTL_MS],
    )?;
    answer(tx, device, next, now + REFRESH_TTL_MS, iat)
}

struct DeviceRow {
    id: i64,
    revoked: bool,
    tokens_valid_after: i64,
    adopted_generation: Option<String>,
}

fn device_row(tx: &Transaction<'_>, c: &RefreshClaims) -> Result<Option<DeviceRow>> {
    Ok(tx
        .query_row(
            "SELECT id, revoked_ms IS NOT NULL, tokens_valid_after, adopted_generation
             FROM devices WHERE device_id = ?1",
            [c.device.as_bytes().as_slice()],
            |r| {
                Ok(DeviceRow {
                    id: r.get(0)?,
                    revoked: r.get(1)?,
                    tokens_valid_after: r.get(2)?,
                    adopted_generation: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// A token without a row: re-adopt its device if the token is genuine (module docs).
fn adopt(tx: &Transaction<'_>, secret: &[u8], token: &str, now: i64) -> Result<Result<Refreshed>> {
    let Some(c) = token::verify(secret, token) else {
        return Ok(Err(StoreError::InvalidRefreshToken));
    };
    if c.issued_ms + REFRESH_TTL_MS <= now {
        return Ok(Err(StoreError::InvalidRefreshToken));
    }
    let generation: String =
        tx.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
            r.get(0)
        })?;
    let device = match device_row(tx, &c)? {
        Some(d) if d.revoked => return Ok(Err(StoreError::DeviceRevoked)),
        Some(d) if c.issued_ms < d.tokens_valid_after => {
            return Ok(Err(StoreError::TokensRevoked));
        }
        Some(d) if d.adopted_generation.as_deref() == Some(generation.as_str()) => {
            return Ok(Err(reused(tx, d.id, now)?));
        }
        Some(d) => d.id,
        None => match recreate(tx, &c)? {
            Some(id) => id,
            None => return Ok(Err(StoreError::InvalidRefreshToken)),
        },
    };
    tx.execute(
        "UPDATE refresh_tokens SET revoked_ms = ?1
         WHERE device_id = ?2 AND revoked_ms IS NULL AND rotated_ms IS NULL",
        params![now, device],
    )?;
    tx.execute(
        "UPDATE devices SET adopted_generation = ?1 WHERE id = ?2",
        params![generation, device],
    )?;
    tx.execute(
        "INSERT INTO refresh_tokens (token_hash, device_id, issued_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
        params![sha256(token.as_bytes()), device, c.issued_ms, c.issued_ms + REFRESH_TTL_MS],
    )?;
    tracing::info!(device = %c.device, "device re-adopted with a token issued before a restore");
    rotate(tx, secret, token, device, now).map(Ok)
}

/// Recreates a device enrolled after the backup: same id, member and team. The member is
/// reused if it exists in the same team (or the member it was merged into), recreated
/// (unassigned) if missing, and replaced by a new unassigned one if its number now belongs
/// to another team. None if the team no longer exists.
fn recreate(tx: &Transaction<'_>, c: &RefreshClaims) -> Result<Option<i64>> {
    let team: Option<i64> = tx
        .query_row(
            "SELECT id FROM teams WHERE team_id = ?1",
            [c.team.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(team) = team else {
        return Ok(None);
    };
    let member: Option<(i64, i64)> = tx
        .query_row(
            "SELECT coalesce(m.merged_into, m.id), m.team_id FROM members m WHERE m.member_id = ?1",
            [c.member.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let member = match member {
        Some((id, t)) if t == team => id,
        Some(_) => insert_unassigned_member(tx, &next_member_id(tx)?, team)?,
        None => insert_unassigned_member(tx, &c.member, team)?,
    };
    tx.execute(
        "INSERT INTO devices (device_id, member_id, team_id, name, enrolled_ms)
         VALUES (?1, ?2, ?3, 're-adopted after a restore', ?4)",
        params![c.device.as_bytes().as_slice(), member, team, c.issued_ms],
    )?;
    Ok(Some(tx.last_insert_rowid()))
}
