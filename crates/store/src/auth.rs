//! Device identity: enrollment, refresh-token rotation, revocation, signing keys; the
//! invites enrollment takes and their one-time codes are in [`invites`].
//!
//! Codes and refresh tokens carry ≥ 50 bits (codes) or 256 bits (tokens) of entropy, so a
//! plain SHA-256 is the right hash for them (argon2 is for low-entropy passwords).

use crate::push::load_device;
use crate::sealed::{self, MasterKey};
use crate::token::{self, RefreshClaims};
use crate::{Result, Store, StoreError, now_ms};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use langso_domain::audit::Actor;
use langso_domain::{DeviceId, MemberId, TeamId};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

mod invites;

pub use invites::INVITE_TTL_MS;
pub(crate) use invites::{new_code, normalise_code};

pub const REFRESH_TTL_MS: i64 = 90 * 24 * 3600 * 1000;
/// A refresh token presented again within this window after its rotation gets the same
/// answer (the phone lost the first one); later, it is treated as theft. Ten minutes: far
/// beyond what the reference client spends retrying one refresh (at most 3 minutes, see
/// `langso_client::Config::refresh_budget`) and a typical mobile client's timeouts and
/// backoff (issue 7, item 4).
pub const RETRY_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Member numbers kept free after a restore, beyond the highest the backup or the replaced
/// database used, so members enrolled after the backup (and re-adopted) never share a
/// number with members enrolled after the restore.
pub(crate) const MEMBER_GAP_AFTER_RESTORE: i64 = 1000;

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random source works");
    b
}

pub(crate) fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

pub(crate) fn new_refresh_token() -> String {
    format!("lsr_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
}

/// The token that rotating `old` yields: derived, so an exact retry can be answered with the
/// same token although only hashes are stored.
pub(crate) fn successor(secret: &[u8], old: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret);
    h.update([0u8]);
    h.update(old.as_bytes());
    format!("lsr_{}", URL_SAFE_NO_PAD.encode(h.finalize()))
}

#[derive(Clone, Debug)]
pub struct SigningKey {
    pub kid: String,
    pub secret: Vec<u8>,
    pub created_ms: i64,
}

/// What a device gets at enrollment; the server adds the access token.
#[derive(Clone, Debug)]
pub struct Enrolled {
    pub device_id: DeviceId,
    pub member_id: MemberId,
    /// The member's name on the roster (NFC); an unassigned member's is
    /// [`UNASSIGNED_NAME_PREFIX`] and its id, never the device's name.
    pub member_name: String,
    /// Whether the member is a placeholder made by an enrolment code bound to no member.
    pub member_unassigned: bool,
    pub team_id: TeamId,
    pub refresh_token: String,
    pub refresh_expires_ms: i64,
    /// Issued-at for the access token, seconds.
    pub access_iat: i64,
}

pub type Refreshed = Enrolled;

/// A device as authentication needs it.
#[derive(Clone, Debug)]
pub struct DeviceState {
    pub id: i64,
    pub team_id: i64,
    pub acked_seq: i64,
}

pub(crate) fn ensure_signing_key(
    conn: &mut rusqlite::Connection,
    now: i64,
    key: &MasterKey,
) -> Result<()> {
    let n: i64 = conn.query_row("SELECT count(*) FROM signing_keys", [], |r| r.get(0))?;
    if n == 0 {
        insert_key(conn, now, key)?;
    }
    Ok(())
}

/// A new signing key, its secret sealed with `key` ([`crate::sealed`]); returns its kid.
pub(crate) fn insert_key(conn: &rusqlite::Connection, now: i64, key: &MasterKey) -> Result<String> {
    let kid = format!("k{}", URL_SAFE_NO_PAD.encode(random_bytes::<6>()));
    let sealed = key.seal(&sealed::signing_key_label(&kid), &random_bytes::<32>());
    conn.execute(
        "INSERT INTO signing_keys (kid, secret, created_ms, sealed_with) VALUES (?1, ?2, ?3, ?4)",
        params![kid, sealed, now, key.id()],
    )?;
    Ok(kid)
}

/// The refresh-token secret, unsealed: only the write connection has it (in its in-memory
/// `temp` schema, see [`crate::sealed`]), so only write transactions may call this.
pub(crate) fn token_secret(tx: &Transaction<'_>) -> Result<Vec<u8>> {
    Ok(tx.query_row(
        "SELECT value FROM temp.unsealed WHERE name = 'token_secret'",
        [],
        |r| r.get(0),
    )?)
}

/// The next free public member id: above every one in use and above the gap a restore
/// leaves (`meta.member_floor`).
pub(crate) fn next_member_id(tx: &Transaction<'_>) -> Result<MemberId> {
    let next: i64 = tx.query_row(
        "SELECT max(coalesce((SELECT max(CAST(substr(member_id, 2) AS INTEGER)) FROM members), 0) + 1,
                    coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'member_floor'), 0))",
        [],
        |r| r.get(0),
    )?;
    Ok(MemberId::from_index(next as usize))
}

/// The name of an unassigned member is this followed by its id ("Chưa gán M001234",
/// "not yet assigned"): a placeholder a leader merges into a roster member
/// (`Store::merge_member`), never the phone's name.
pub const UNASSIGNED_NAME_PREFIX: &str = "Chưa gán ";

/// Adds an unassigned member (a placeholder, see [`UNASSIGNED_NAME_PREFIX`]) to a team;
/// returns its row id.
pub(crate) fn insert_unassigned_member(
    tx: &Transaction<'_>,
    member: &MemberId,
    team: i64,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO members (member_id, team_id, name, role, unassigned)
         VALUES (?1, ?2, ?3, 'member', 1)",
        params![
            member.as_str(),
            team,
            format!("{UNASSIGNED_NAME_PREFIX}{member}")
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The answer to an enrollment or a refresh of `device` (a devices.id): its ids, its
/// member's name, and the refresh token given.
pub(crate) fn answer(
    tx: &Transaction<'_>,
    device: i64,
    refresh_token: String,
    refresh_expires_ms: i64,
    access_iat: i64,
) -> Result<Enrolled> {
    let (device_id, member_id, team_id) = device_ids(tx, device)?;
    let (member_name, member_unassigned) = tx
        .prepare_cached(
            "SELECT m.name, m.unassigned FROM devices d JOIN members m ON m.id = d.member_id
             WHERE d.id = ?1",
        )?
        .query_row([device], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Enrolled {
        device_id,
        member_id,
        member_name,
        member_unassigned,
        team_id,
        refresh_token,
        refresh_expires_ms,
        access_iat,
    })
}

pub(crate) fn device_ids(
    tx: &Transaction<'_>,
    device: i64,
) -> Result<(DeviceId, MemberId, TeamId)> {
    let (d, m, t): (Vec<u8>, String, String) = tx.query_row(
        "SELECT d.device_id, m.member_id, t.team_id FROM devices d
         JOIN members m ON m.id = d.member_id JOIN teams t ON t.id = d.team_id WHERE d.id = ?1",
        [device],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((
        DeviceId::from_slice(&d).expect("stored device ids are UUIDs"),
        MemberId::parse(&m).expect("stored member ids are valid"),
        TeamId::parse(&t).expect("stored team ids are valid"),
    ))
}

impl Store {
    /// Every signing key, newest first, unsealed ([`crate::sealed`]).
    pub fn signing_keys(&self) -> Result<Vec<SigningKey>> {
        let key = self.master_key();
        let sealed: Vec<SigningKey> = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT kid, secret, created_ms FROM signing_keys ORDER BY created_ms DESC, kid",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(SigningKey {
                    kid: r.get(0)?,
                    secret: r.get(1)?,
                    created_ms: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        (sealed.into_iter())
            .map(|k| {
                let secret = key.open(&sealed::signing_key_label(&k.kid), &k.secret)?;
                Ok(SigningKey { secret, ..k })
            })
            .collect()
    }

    /// Adds a new signing key, which signs from now on; older keys keep verifying, and keys
    /// older than `drop_older_than_ms` (well past the access-token lifetime) are deleted.
    pub fn rotate_signing_key(&self, actor: &Actor, drop_older_than_ms: i64) -> Result<String> {
        let actor = actor.clone();
        let key = self.master_key();
        self.write_blocking(move |tx| {
            let now = now_ms();
            let kid = insert_key(tx, now, &key)?;
            tx.execute(
                "DELETE FROM signing_keys WHERE created_ms < ?1 AND kid <> ?2",
                params![now - drop_older_than_ms, kid],
            )?;
            let after = serde_json::json!({ "kid": kid });
            crate::audit::append(
                tx,
                &actor,
                "keys.rotate_signing",
                "signing_keys",
                None,
                Some(after),
            )?;
            Ok(kid)
        })
    }

    /// Uses an enrollment code (once) to register a device.
    pub async fn enroll(&self, code: &str, device_name: &str) -> Result<Enrolled> {
        let hash = sha256(normalise_code(code).as_bytes());
        let name = langso_domain::text::nfc(device_name);
        self.write(move |tx| {
            let now = now_ms();
            let invite: Option<(i64, Option<i64>)> = tx
                .query_row(
                    "SELECT team_id, member_id FROM invites
                     WHERE code_hash = ?1 AND used_ms IS NULL AND expires_ms > ?2",
                    params![hash, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (team_id, member_id) = invite.ok_or(StoreError::InvalidCode)?;
            let member_id = match member_id {
                // An invite made before a merge names the merged member: its successor.
                Some(m) => tx.query_row(
                    "SELECT coalesce(merged_into, id) FROM members WHERE id = ?1",
                    [m],
                    |r| r.get(0),
                )?,
                None => insert_unassigned_member(tx, &next_member_id(tx)?, team_id)?,
            };
            let device = DeviceId(uuid::Uuid::new_v4());
            tx.execute(
                "INSERT INTO devices (device_id, member_id, team_id, name, enrolled_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![device.as_bytes().as_slice(), member_id, team_id, name, now],
            )?;
            let device_row = tx.last_insert_rowid();
            let used = tx.execute(
                "UPDATE invites SET used_ms = ?1, device_id = ?2 WHERE code_hash = ?3 AND used_ms IS NULL",
                params![now, device_row, hash],
            )?;
            if used != 1 {
                return Err(StoreError::InvalidCode);
            }
            let (device_id, member_id, team_id) = device_ids(tx, device_row)?;
            let claims = RefreshClaims {
                device: device_id,
                member: member_id.clone(),
                team: team_id.clone(),
                issued_ms: now,
                nonce: token::random_nonce(),
            };
            let token = token::mint(&token_secret(tx)?, &claims);
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, device_id, issued_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4)",
                params![sha256(token.as_bytes()), device_row, now, now + REFRESH_TTL_MS],
            )?;
            answer(tx, device_row, token, now + REFRESH_TTL_MS, now / 1000)
        })
        .await
    }

    /// Exchanges a refresh token for a new pair, rotating it.
    pub async fn refresh(&self, token: &str) -> Result<Refreshed> {
        let token = token.to_owned();
        // Reuse detection revokes tokens, and that must commit although the answer is an
        // error: the closure returns Ok(Err(..)) for it.
        self.write(move |tx| crate::refresh::refresh_in(tx, &token))
            .await?
    }

    /// Refuses revoked devices and tokens issued before a revocation.
    pub fn device_state(&self, device: &DeviceId, token_iat_ms: i64) -> Result<DeviceState> {
        self.read(|c| {
            let (id, team_id, acked_seq) = load_device(c, device, token_iat_ms)?;
            Ok(DeviceState {
                id,
                team_id,
                acked_seq,
            })
        })
    }

    /// Revokes a device: every later request from it is refused with 403.
    pub fn revoke_device(&self, actor: &Actor, device: &DeviceId) -> Result<()> {
        let (device, actor) = (*device, actor.clone());
        self.write_blocking(move |tx| {
            let now = now_ms();
            let revoked: Option<Option<i64>> = tx
                .query_row(
                    "SELECT revoked_ms FROM devices WHERE device_id = ?1",
                    [device.as_bytes().as_slice()],
                    |r| r.get(0),
                )
                .optional()?;
            match revoked {
                None => return Err(StoreError::NotFound(format!("no device '{device}'"))),
                Some(Some(_)) => return Ok(()), // already revoked: nothing changes, nothing to audit
                Some(None) => {}
            }
            tx.execute(
                "UPDATE devices SET revoked_ms = ?1 WHERE device_id = ?2",
                params![now, device.as_bytes().as_slice()],
            )?;
            tx.execute(
                "UPDATE refresh_tokens SET revoked_ms = ?1 WHERE revoked_ms IS NULL AND device_id =
                   (SELECT id FROM devices WHERE device_id = ?2)",
                params![now, device.as_bytes().as_slice()],
            )?;
            let subject = format!("device:{device}");
            crate::audit::append(tx, &actor, "device.revoke", &subject, None, None)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successors_are_deterministic_and_secret_dependent() {
        assert_eq!(successor(b"s", "t"), successor(b"s", "t"));
        assert_ne!(successor(b"s", "t"), successor(b"z", "t"));
    }
}
