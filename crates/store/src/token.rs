//! Device refresh tokens the server can verify without their row (issue 7).
//!
//! After a restore from a backup, the rows of tokens issued after the backup are gone; the
//! token itself still proves which device, member and team it was issued to, and when,
//! because it carries them under an HMAC keyed with the database's `meta.token_secret`
//! (which every backup carries). See `crate::refresh` for what the server does with that.
//!
//! Format: `lsr_` + base64url(payload ‖ HMAC-SHA256(token_secret, DOMAIN ‖ payload)), where
//! payload = version 1 (1 byte) ‖ device UUID (16) ‖ member number (u32, big-endian) ‖ team
//! number (u32) ‖ issued at, ms since the epoch (i64) ‖ nonce (16 bytes). 81 bytes, 108
//! characters after the prefix. Tokens issued before this format (32 random bytes) keep
//! working through their rows; they cannot be adopted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use langso_domain::{DeviceId, MemberId, TeamId};
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;
const DOMAIN: &[u8] = b"langso-refresh-v1";
const PAYLOAD_LEN: usize = 1 + 16 + 4 + 4 + 8 + 16;
const MAC_LEN: usize = 32;

/// What a refresh token says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefreshClaims {
    pub device: DeviceId,
    pub member: MemberId,
    pub team: TeamId,
    /// When it was issued, ms since the epoch; it expires `REFRESH_TTL_MS` later.
    pub issued_ms: i64,
    pub nonce: [u8; 16],
}

fn mac(secret: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(DOMAIN);
    m.update(payload);
    m
}

/// The number in an id like `M000123` or `T00178` (ids are parsed, so this always fits).
fn number(id: &str) -> u32 {
    id[1..].parse().unwrap_or(0)
}

/// The token for `claims`.
pub(crate) fn mint(secret: &[u8], c: &RefreshClaims) -> String {
    let mut bytes = Vec::with_capacity(PAYLOAD_LEN + MAC_LEN);
    bytes.push(VERSION);
    bytes.extend_from_slice(c.device.as_bytes());
    bytes.extend_from_slice(&number(c.member.as_str()).to_be_bytes());
    bytes.extend_from_slice(&number(c.team.as_str()).to_be_bytes());
    bytes.extend_from_slice(&c.issued_ms.to_be_bytes());
    bytes.extend_from_slice(&c.nonce);
    let tag = mac(secret, &bytes).finalize().into_bytes();
    bytes.extend_from_slice(&tag);
    format!("lsr_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The claims of a token this database's secret made, or None (another format, another
/// secret, or tampered with). The MAC is compared in constant time.
pub(crate) fn verify(secret: &[u8], token: &str) -> Option<RefreshClaims> {
    let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix("lsr_")?).ok()?;
    if bytes.len() != PAYLOAD_LEN + MAC_LEN || bytes[0] != VERSION {
        return None;
    }
    let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
    mac(secret, payload).verify_slice(tag).ok()?;
    let u32_at = |i: usize| u32::from_be_bytes(payload[i..i + 4].try_into().expect("4 bytes"));
    let issued = i64::from_be_bytes(payload[25..33].try_into().expect("8 bytes"));
    Some(RefreshClaims {
        device: DeviceId::from_slice(&payload[1..17])?,
        member: MemberId::parse(&MemberId::from_index(u32_at(17) as usize).to_string())?,
        team: TeamId::parse(&TeamId::from_index(u32_at(21) as usize).to_string())?,
        issued_ms: issued,
        nonce: payload[33..49].try_into().expect("16 bytes"),
    })
}

/// A fresh random nonce, for a token issued at enrollment.
pub(crate) fn random_nonce() -> [u8; 16] {
    crate::auth::random_bytes::<16>()
}

/// The nonce of the token that rotating `old` yields: derived from it, so an exact retry
/// after a lost answer is given the same token although only hashes are stored.
pub(crate) fn successor_nonce(secret: &[u8], old: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(secret);
    h.update([0u8]);
    h.update(old.as_bytes());
    h.finalize()[..16].try_into().expect("16 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> RefreshClaims {
        RefreshClaims {
            device: DeviceId(uuid::Uuid::new_v4()),
            member: MemberId::parse("M000123").unwrap(),
            team: TeamId::parse("T00178").unwrap(),
            issued_ms: 1_790_000_000_123,
            nonce: random_nonce(),
        }
    }

    #[test]
    fn a_token_verifies_with_its_secret_and_gives_back_its_claims() {
        let c = claims();
        let t = mint(b"secret", &c);
        assert!(t.starts_with("lsr_") && t.len() == 4 + 108);
        assert_eq!(verify(b"secret", &t), Some(c));
    }

    #[test]
    fn another_secret_a_changed_byte_or_an_old_opaque_token_does_not_verify() {
        let t = mint(b"secret", &claims());
        assert_eq!(verify(b"other", &t), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&t[4..]).unwrap();
        bytes[20] ^= 1;
        let forged = format!("lsr_{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(verify(b"secret", &forged), None);
        assert_eq!(verify(b"secret", &crate::auth::new_refresh_token()), None);
        assert_eq!(verify(b"secret", "lsr_%%%"), None);
    }
}
