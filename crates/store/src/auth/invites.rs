//! Invites: one-time enrollment codes a team leader or operator hands to a volunteer, valid
//! [`INVITE_TTL_MS`], optionally bound to a roster member. The code format (and its
//! forgiving normalisation) also serves leaders' one-time password codes (`users`).

use super::{random_bytes, sha256};
use crate::{Result, Store, StoreError, now_ms};
use langso_domain::audit::Actor;
use langso_domain::{MemberId, TeamId};
use rusqlite::{OptionalExtension, params};

/// How long an invite's code can be used: seven days, in milliseconds.
pub const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Upper-case, no separators: what users type is forgiven ("abcde-fghjk" works).
pub(crate) fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// 10 Crockford base-32 characters (50 bits), shown as `XXXXX-XXXXX`.
pub(crate) fn new_code() -> String {
    let bytes = random_bytes::<10>();
    let chars: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[(*b & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

impl Store {
    /// A one-time enrollment code for `team` (optionally for an existing member).
    pub fn create_invite(
        &self,
        actor: &Actor,
        team: &TeamId,
        member: Option<&MemberId>,
    ) -> Result<String> {
        let (team, member, actor) = (team.clone(), member.cloned(), actor.clone());
        self.write_blocking(move |tx| {
            let team_id = crate::reference::team_rowid(tx, &team)?;
            let member_id: Option<i64> = match &member {
                None => None,
                Some(m) => {
                    let (id, active): (i64, bool) = tx
                        .query_row(
                            "SELECT i.id, i.active FROM members m
                             JOIN members i ON i.id = coalesce(m.merged_into, m.id)
                             WHERE m.member_id = ?1 AND m.team_id = ?2",
                            params![m.as_str(), team_id],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?
                        .ok_or_else(|| {
                            StoreError::NotFound(format!("no member '{m}' in team '{team}'"))
                        })?;
                    if !active {
                        return Err(StoreError::Conflict(
                            "member_inactive",
                            format!(
                                "member '{m}' has left the team's roster (inactive); \
                                 a roster listing them as active brings them back"
                            ),
                        ));
                    }
                    Some(id)
                }
            };
            let code = new_code();
            let now = now_ms();
            tx.execute(
                "INSERT INTO invites (code_hash, team_id, member_id, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    sha256(normalise_code(&code).as_bytes()),
                    team_id,
                    member_id,
                    now,
                    now + INVITE_TTL_MS
                ],
            )?;
            let after = serde_json::json!({"member": member.as_ref().map(|m| m.as_str()), "expires_ms": now + INVITE_TTL_MS});
            crate::audit::append(tx, &actor, "invite.create", &format!("team:{team}"), None, Some(after))?;
            Ok(code)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_50_bits_and_forgive_case_and_dashes() {
        let c = new_code();
        assert_eq!(c.len(), 11);
        assert_eq!(
            normalise_code(&c.to_lowercase()),
            normalise_code(&c.replace('-', ""))
        );
        assert_ne!(new_code(), new_code());
    }
}
